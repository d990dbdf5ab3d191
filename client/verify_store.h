/*
 * verify_store.h - what verify knows about every write, one byte each.
 *
 * Verifying ten million writes must fit in memory many times over, so no
 * write gets a heap node: each worker (connection) has an array indexed by
 * seq holding one state byte, built from the ledger (the outcome) and then
 * marked from the rows streamed from the server (present, corrupt, on the
 * old primary).  Everything else verify reports is derived from these bytes
 * plus a second read of the ledger for the times and LSNs.
 */
#ifndef FP_VERIFY_STORE_H
#define FP_VERIFY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The state byte.  The low three bits are the ledger's fp_outcome (0: the
 * ledger holds no record of this seq); the rest are flags. */
#define FPV_OUTCOME_MASK 0x07
#define FPV_PRESENT		0x08	/* a row is on the checked node */
#define FPV_CORRUPT		0x10	/* ... but its digest is wrong or inconsistent */
#define FPV_ON_OLD		0x20	/* a row is on the old primary (--old-primary) */
#define FPV_DUP			0x40	/* the ledgers hold more than one record of it */

/* Limits that keep a damaged or hostile ledger from asking for absurd memory. */
#define FPV_MAX_WORKERS FP_MAX_WORKERS
#define FPV_MAX_SEQ		(UINT64_C(1) << 34)

typedef struct fpv_worker
{
	uint8_t    *state;			/* state[seq], seq from 1; NULL: no records */
	uint64_t	cap;			/* allocated entries */
	uint64_t	max_seq;		/* highest seq any ledger record has */
	int			ledger;			/* which --ledger holds this worker; -1 none */
} fpv_worker;

typedef struct fpv_store
{
	fpv_worker *w;				/* indexed by worker number */
	uint32_t	nworkers;		/* entries in w (highest worker + 1) */
} fpv_store;

void		fpv_store_init(fpv_store *s);
void		fpv_store_free(fpv_store *s);

/*
 * Record a ledger record of (worker, seq) with outcome, from ledger number
 * ledger.  Returns 0; 1 if the seq already had a record (marked FPV_DUP);
 * -1 with err filled for an impossible worker or seq, a worker that
 * another ledger holds too, or no memory.
 */
int			fpv_store_add(fpv_store *s, uint32_t worker, uint64_t seq, int outcome,
						  int ledger, char *err, size_t errlen);

/* The state byte of (worker, seq), or NULL when no ledger record covers
 * it (unknown worker, seq beyond what the ledger holds). */
static inline uint8_t *
fpv_store_get(const fpv_store *s, int64_t worker, int64_t seq)
{
	const fpv_worker *w;

	if (worker < 0 || (uint64_t) worker >= s->nworkers || seq < 1)
		return NULL;
	w = &s->w[worker];
	if (w->state == NULL || (uint64_t) seq > w->max_seq)
		return NULL;
	return &w->state[seq];
}

/* Bytes the store holds, for the report. */
uint64_t	fpv_store_bytes(const fpv_store *s);

#endif
