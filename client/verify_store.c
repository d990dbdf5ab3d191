/*
 * verify_store.c - one state byte per write, per worker (verify_store.h).
 */
#include "verify_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
fpv_store_init(fpv_store *s)
{
	memset(s, 0, sizeof(*s));
}

void
fpv_store_free(fpv_store *s)
{
	for (uint32_t i = 0; i < s->nworkers; i++)
		free(s->w[i].state);
	free(s->w);
	memset(s, 0, sizeof(*s));
}

static int
grow_workers(fpv_store *s, uint32_t worker)
{
	uint32_t	n = s->nworkers ? s->nworkers : 16;
	fpv_worker *w;

	while (n <= worker)
		n *= 2;
	w = realloc(s->w, (size_t) n * sizeof(*w));
	if (w == NULL)
		return -1;
	for (uint32_t i = s->nworkers; i < n; i++)
	{
		memset(&w[i], 0, sizeof(w[i]));
		w[i].ledger = -1;
	}
	s->w = w;
	s->nworkers = n;
	return 0;
}

/* Room for state[seq]; doubling keeps the copies to amortised O(1). */
static int
grow_seqs(fpv_worker *w, uint64_t seq)
{
	uint64_t	cap = w->cap ? w->cap : 4096;
	uint8_t    *st;

	while (cap <= seq)
		cap *= 2;
	st = realloc(w->state, cap);
	if (st == NULL)
		return -1;
	memset(st + w->cap, 0, cap - w->cap);
	w->state = st;
	w->cap = cap;
	return 0;
}

int
fpv_store_add(fpv_store *s, uint32_t worker, uint64_t seq, int outcome,
			  int ledger, char *err, size_t errlen)
{
	fpv_worker *w;
	uint8_t    *st;

	if (worker >= FPV_MAX_WORKERS || seq < 1 || seq >= FPV_MAX_SEQ || outcome < 1 || outcome > 4)
	{
		snprintf(err, errlen, "impossible record (worker %u, seq %llu, outcome %d)",
				 worker, (unsigned long long) seq, outcome);
		return -1;
	}
	if ((worker >= s->nworkers && grow_workers(s, worker) != 0) ||
		(seq >= s->w[worker].cap && grow_seqs(&s->w[worker], seq) != 0))
	{
		snprintf(err, errlen, "out of memory for the state of worker %u", worker);
		return -1;
	}
	w = &s->w[worker];
	if (w->ledger >= 0 && w->ledger != ledger)
	{
		snprintf(err, errlen, "worker %u appears in two ledgers; clients sharing a --run-id "
				 "need disjoint --first-worker ranges", worker);
		return -1;
	}
	w->ledger = ledger;
	if (seq > w->max_seq)
		w->max_seq = seq;
	st = &w->state[seq];
	if ((*st & FPV_OUTCOME_MASK) != 0)
	{
		*st |= FPV_DUP;
		return 1;
	}
	*st = (uint8_t) outcome;
	return 0;
}

uint64_t
fpv_store_bytes(const fpv_store *s)
{
	uint64_t	n = (uint64_t) s->nworkers * sizeof(fpv_worker);

	for (uint32_t i = 0; i < s->nworkers; i++)
		n += s->w[i].cap;
	return n;
}
