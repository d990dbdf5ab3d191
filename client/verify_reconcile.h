/*
 * verify_reconcile.h - classify every write of a run: what the ledger says
 * happened against what the node holds.
 *
 * Three steps over one fpv_recon:
 *   1. fpv_recon_first() for every ledger record: the state store, counts
 *      by outcome, the outage's first pass, acknowledgements per timeline;
 *      then fpv_recon_timelines() once;
 *   2. fpv_recon_row() for every row of the run the checked node streams
 *      (and fpv_recon_old_row() for the old primary's): present, corrupt,
 *      unexpected; then fpv_recon_ranges() once;
 *   3. fpv_recon_second() for every ledger record again: the classes, the
 *      times and LSNs of lost writes (RPO), the check against the server's
 *      switch points, split brain, the outage's second pass (outage.h).
 * Definitions (docs/verify.md): a write is *acked lost* when the ledger
 * says acknowledged and the node has no row; *corrupt* when the row is
 * there but its digest is not the one the write carried, or the row is not
 * self-consistent; *unexpected* when a row of the run has no record the
 * ledger sent (no record at all, or a missed write).
 */
#ifndef FP_VERIFY_RECONCILE_H
#define FP_VERIFY_RECONCILE_H

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "ledger.h"
#include "outage.h"
#include "verify_ranges.h"
#include "verify_store.h"

#define FPV_MAX_LEDGERS 64
#define FPV_MAX_TLIS 32
#define FPV_MAX_PROMOTIONS 32
/* Rows kept by identity for the ranges of unexpected rows; the count is
 * always exact. */
#define FPV_MAX_LISTED 100000

/* One 'promoted' event of failprobe.events: the server's own view. */
typedef struct fpv_promotion
{
	uint32_t	tli;			/* the new timeline */
	uint32_t	previous_tli;
	uint64_t	switchpoint;	/* end of the old timeline's WAL on the new one */
	char		at[40];			/* when the worker recorded it */
	char		promoted_at[40];
	char		upstream_last_heard[40];
	char		node[64];
	bool		has_heartbeat;	/* the last heartbeat of the old timeline that survived */
	int64_t		hb_seq;
	uint32_t	hb_tli;
	char		hb_beat_at[40];
	char		hb_lsn[24];
} fpv_promotion;

/* Acknowledgements by timeline, from the first read. */
typedef struct fpv_tli
{
	uint32_t	tli;
	uint64_t	acks;
	int64_t		first_ack, last_ack;
	int64_t		later_first_ack;	/* first ack on any later timeline; 0 none */
} fpv_tli;

/* How one write ended up, from its state byte. */
typedef enum fpv_class
{
	FPV_C_NONE,					/* no ledger record */
	FPV_C_ACKED_OK,				/* acknowledged and present */
	FPV_C_ACKED_LOST,			/* acknowledged, no row: lost */
	FPV_C_FAILED_ABSENT,		/* failed and absent, as it should be */
	FPV_C_FAILED_PRESENT,		/* the server said error, yet the row is there */
	FPV_C_DOUBT_COMMITTED,		/* in doubt, and it did commit */
	FPV_C_DOUBT_ABSENT,			/* in doubt, and it did not */
	FPV_C_MISSED_ABSENT,		/* never sent, no row */
	FPV_C_MISSED_PRESENT		/* never sent, yet a row: unexpected */
} fpv_class;

fpv_class	fpv_classify(uint8_t state);

typedef struct fpv_counts
{
	uint64_t	records;		/* ledger records read */
	uint64_t	sent, acked, failed, in_doubt, missed;
	uint64_t	acked_ok, acked_lost;
	uint64_t	failed_present;
	uint64_t	in_doubt_committed, in_doubt_absent;
	uint64_t	missed_present;
	uint64_t	corrupt;		/* rows of ledger writes that are wrong */
	uint64_t	corrupt_digest; /* ... digest is not the write's */
	uint64_t	corrupt_inconsistent;	/* ... digest does not match the row */
	uint64_t	corrupt_acked;	/* corrupt among the acknowledged */
	uint64_t	unexpected;		/* rows the ledger never sent */
	uint64_t	unexpected_other_worker;	/* ... of workers no ledger numbers */
	uint64_t	beyond_ledger;	/* rows not in a truncated ledger: unknown */
	uint64_t	rows;			/* rows of the run on the node */
	uint64_t	dup_records;	/* ledger records of a seq seen before */
	uint64_t	old_rows;		/* rows of the run on the old primary */
	uint64_t	old_unknown;	/* ... of no ledger record */
	uint64_t	lost_tail;		/* on the old primary, not on the node */
	uint64_t	lost_tail_acked;
	uint64_t	lost_nowhere;	/* acked, on neither node (with --old-primary) */
} fpv_counts;

/* The RPO: lost acknowledged writes in time and in WAL. */
typedef struct fpv_rpo
{
	int64_t		first_lost_us, last_lost_us;	/* done times; 0 none */
	uint64_t	lsn_known;		/* lost writes with a commit LSN */
	uint64_t	lsn_first, lsn_last;
} fpv_rpo;

/* The lost writes against the server's switch points. */
typedef struct fpv_lsn_check
{
	uint64_t	checked;		/* acked writes of a switched-away timeline, LSN known */
	uint64_t	lost_before_switch;	/* lost, yet committed at or before it */
	uint64_t	kept_after_switch;	/* present, yet committed beyond it */
	uint64_t	lost_unswitched;	/* lost on a timeline with no promotion after it */
	char		example[200];	/* the first contradiction, in words */
} fpv_lsn_check;

typedef struct fpv_split
{
	uint64_t	acks;			/* acked on a timeline after a later one had begun */
	int64_t		first_us, last_us;
	uint32_t	tli;			/* the older timeline of the first */
	/* two servers of one ledger acknowledging on the same timeline at once */
	uint32_t	same_tli;		/* that timeline; 0 none */
	uint32_t	same_servers[2];	/* their ids in the ledger's run JSON */
	int			same_ledger;
	int64_t		same_from_us, same_to_us;	/* where their ack spans overlap */
} fpv_split;

/* Acks of one server on one timeline, in one ledger (server ids are the
 * ledger's own). */
typedef struct fpv_node
{
	int			ledger;
	uint32_t	tli, server;
	int64_t		first_ack, last_ack;
} fpv_node;

#define FPV_MAX_NODES 64

typedef struct fpv_recon
{
	/* inputs */
	uint64_t	run_id;
	int			payload_bytes[FPV_MAX_LEDGERS];	/* per --ledger */
	bool		truncated;		/* some ledger ends in a truncated tail */
	bool		ledger_truncated[FPV_MAX_LEDGERS];	/* which ones */
	bool		have_old;		/* --old-primary rows were streamed */
	const fpv_promotion *promos;
	int			npromos;

	fpv_store	store;
	fpv_counts	c;
	fp_outage_scan outage;
	fpv_tli		tlis[FPV_MAX_TLIS];
	int			ntlis;
	fpv_node	nodes[FPV_MAX_NODES];
	int			nnodes;
	fpv_rpo		rpo;
	fpv_lsn_check lsn;
	fpv_split	split;

	fpv_ranges	lost;			/* acked lost */
	fpv_ranges	corrupt;
	fpv_ranges	doubt_committed;
	fpv_ranges	tail;			/* on the old primary only */
	fpv_ranges	unexpected;		/* from listed pairs */
	int64_t    *listed;			/* (worker, seq) pairs of unexpected rows */
	size_t		nlisted;

	/* the expected digest: one context, fetched once */
	fp_digester digester;
	unsigned char *payload;
} fpv_recon;

int			fpv_recon_init(fpv_recon *r, uint64_t run_id, char *err, size_t errlen);
void		fpv_recon_free(fpv_recon *r);

/* Step 1.  ledger: index of the --ledger it came from.  Returns 0, -1
 * with err for a record that cannot be true (see fpv_store_add). */
int			fpv_recon_first(fpv_recon *r, const fp_record *rec, int ledger,
							char *err, size_t errlen);

/* Between steps 1 and 2: settle the per-timeline view and the outage. */
void		fpv_recon_timelines(fpv_recon *r);

/*
 * Step 2: one row of the run on the checked node.  digest8: the first 8
 * bytes of its digest; consistent: the server found
 * sha256(identity || payload) = digest.  Returns 0, -1 out of memory.
 */
int			fpv_recon_row(fpv_recon *r, int64_t worker, int64_t seq,
						  const unsigned char digest8[8], bool consistent);
void		fpv_recon_old_row(fpv_recon *r, int64_t worker, int64_t seq);

/* End of step 2: the ranges, from the store.  Returns 0, -1 out of memory. */
int			fpv_recon_ranges(fpv_recon *r);

/* Step 3. */
void		fpv_recon_second(fpv_recon *r, const fp_record *rec);

/* The expected first 8 digest bytes of (worker, seq); 0, -1 on failure. */
int			fpv_expected_digest8(fpv_recon *r, int payload_bytes, int64_t worker,
								 int64_t seq, unsigned char out[8]);

#endif
