/*
 * verify_reconcile.c - classify every write of a run (verify_reconcile.h).
 *
 * Everything here is per record or per row and allocation-free on the hot
 * path, so that ten million writes take seconds: a state byte lookup, at
 * most one SHA-256, a few comparisons.
 */
#include "verify_reconcile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"

fpv_class
fpv_classify(uint8_t state)
{
	bool		present = (state & FPV_PRESENT) != 0;

	switch (state & FPV_OUTCOME_MASK)
	{
		case FP_OUT_ACKED:
			return present ? FPV_C_ACKED_OK : FPV_C_ACKED_LOST;
		case FP_OUT_FAILED:
			return present ? FPV_C_FAILED_PRESENT : FPV_C_FAILED_ABSENT;
		case FP_OUT_IN_DOUBT:
			return present ? FPV_C_DOUBT_COMMITTED : FPV_C_DOUBT_ABSENT;
		case FP_OUT_MISSED:
			return present ? FPV_C_MISSED_PRESENT : FPV_C_MISSED_ABSENT;
		default:
			return FPV_C_NONE;
	}
}

int
fpv_recon_init(fpv_recon *r, uint64_t run_id, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->run_id = run_id;
	fpv_store_init(&r->store);
	fp_outage_init(&r->outage);
	r->payload = malloc(FP_PAYLOAD_MAX);
	if (fp_digester_init(&r->digester) != 0 || r->payload == NULL)
	{
		snprintf(err, errlen, "cannot set up SHA-256 (OpenSSL) or out of memory");
		fpv_recon_free(r);
		return -1;
	}
	return 0;
}

void
fpv_recon_free(fpv_recon *r)
{
	fpv_store_free(&r->store);
	fp_outage_free(&r->outage);
	fpv_ranges_free(&r->lost);
	fpv_ranges_free(&r->corrupt);
	fpv_ranges_free(&r->doubt_committed);
	fpv_ranges_free(&r->tail);
	fpv_ranges_free(&r->unexpected);
	free(r->listed);
	fp_digester_free(&r->digester);
	free(r->payload);
	r->listed = NULL;
	r->payload = NULL;
}

/* ---- step 1: the ledger ------------------------------------------------- */

static fpv_tli *
tli_entry(fpv_recon *r, uint32_t tli, bool add)
{
	for (int i = 0; i < r->ntlis; i++)
		if (r->tlis[i].tli == tli)
			return &r->tlis[i];
	if (!add || r->ntlis == FPV_MAX_TLIS)
		return NULL;
	r->tlis[r->ntlis] = (fpv_tli) {.tli = tli};
	return &r->tlis[r->ntlis++];
}

static void
count_outcome(fpv_counts *c, int outcome)
{
	switch (outcome)
	{
		case FP_OUT_ACKED: c->acked++; c->sent++; break;
		case FP_OUT_FAILED: c->failed++; c->sent++; break;
		case FP_OUT_IN_DOUBT: c->in_doubt++; c->sent++; break;
		case FP_OUT_MISSED: c->missed++; break;
		default: break;
	}
}

/* Widen the ack span of this record's server on its timeline. */
static void
note_node(fpv_recon *r, const fp_record *rec, int ledger)
{
	fpv_node   *n = NULL;

	for (int i = 0; i < r->nnodes && n == NULL; i++)
		if (r->nodes[i].ledger == ledger && r->nodes[i].tli == rec->tli &&
			r->nodes[i].server == rec->server)
			n = &r->nodes[i];
	if (n == NULL)
	{
		if (r->nnodes == FPV_MAX_NODES)
			return;
		n = &r->nodes[r->nnodes++];
		*n = (fpv_node) {.ledger = ledger, .tli = rec->tli, .server = rec->server};
	}
	if (n->first_ack == 0 || rec->done_us < n->first_ack)
		n->first_ack = rec->done_us;
	if (rec->done_us > n->last_ack)
		n->last_ack = rec->done_us;
}

/*
 * Split brain on one timeline: two servers (by host, port, system
 * identifier and timeline, as the client told them apart) acknowledging
 * on the same timeline over overlapping spans of time, e.g. two standbys
 * both promoted to timeline 2.  A failover moves the acks from one server
 * to another at a timeline switch; a move on one timeline without overlap
 * (a DNS name that now points elsewhere) is not flagged.
 */
static void
check_same_timeline(fpv_recon *r)
{
	fpv_split  *s = &r->split;

	for (int i = 0; i < r->nnodes && s->same_tli == 0; i++)
		for (int j = i + 1; j < r->nnodes && s->same_tli == 0; j++)
		{
			const fpv_node *a = &r->nodes[i], *b = &r->nodes[j];
			int64_t		from = a->first_ack > b->first_ack ? a->first_ack : b->first_ack;
			int64_t		to = a->last_ack < b->last_ack ? a->last_ack : b->last_ack;

			if (a->ledger != b->ledger || a->tli != b->tli || from > to)
				continue;
			s->same_tli = a->tli;
			s->same_servers[0] = a->server < b->server ? a->server : b->server;
			s->same_servers[1] = a->server < b->server ? b->server : a->server;
			s->same_ledger = a->ledger;
			s->same_from_us = from;
			s->same_to_us = to;
		}
}

int
fpv_recon_first(fpv_recon *r, const fp_record *rec, int ledger, char *err, size_t errlen)
{
	int			rc = fpv_store_add(&r->store, rec->worker, rec->seq, rec->outcome,
								   ledger, err, errlen);

	if (rc < 0)
		return -1;
	r->c.dup_records += (uint64_t) rc;
	r->c.records++;
	count_outcome(&r->c, rec->outcome);
	fp_outage_add(&r->outage, rec);
	if (rec->outcome == FP_OUT_ACKED && rec->tli != 0 && rec->server != 0)
		note_node(r, rec, ledger);
	if (rec->outcome == FP_OUT_ACKED && rec->tli != 0)
	{
		fpv_tli    *t = tli_entry(r, rec->tli, true);

		if (t)
		{
			t->acks++;
			if (t->first_ack == 0 || rec->done_us < t->first_ack)
				t->first_ack = rec->done_us;
			if (rec->done_us > t->last_ack)
				t->last_ack = rec->done_us;
		}
	}
	return 0;
}

static int
tli_cmp(const void *a, const void *b)
{
	const fpv_tli *x = a, *y = b;

	return x->tli < y->tli ? -1 : x->tli > y->tli;
}

void
fpv_recon_timelines(fpv_recon *r)
{
	int64_t		later = 0;

	/* the second read is needed anyway; it finds the outage's ends as well */
	(void) fp_outage_finish(&r->outage);
	qsort(r->tlis, r->ntlis, sizeof(fpv_tli), tli_cmp);
	check_same_timeline(r);
	for (int i = r->ntlis - 1; i >= 0; i--)
	{
		r->tlis[i].later_first_ack = later;
		if (later == 0 || r->tlis[i].first_ack < later)
			later = r->tlis[i].first_ack;
	}
}

/* ---- step 2: the rows --------------------------------------------------- */

int
fpv_expected_digest8(fpv_recon *r, int payload_bytes, int64_t worker, int64_t seq,
					 unsigned char out[8])
{
	unsigned char full[FP_DIGEST_LEN];

	fp_payload_fill(r->run_id, (uint32_t) worker, (uint64_t) seq, r->payload,
					(size_t) payload_bytes);
	if (fp_digest(&r->digester, r->run_id, (uint32_t) worker, (uint64_t) seq,
				  r->payload, (size_t) payload_bytes, full) != 0)
		return -1;
	memcpy(out, full, 8);
	return 0;
}

static int
list_unexpected(fpv_recon *r, int64_t worker, int64_t seq)
{
	if (r->nlisted == FPV_MAX_LISTED)
		return 0;
	if (r->listed == NULL)
	{
		r->listed = malloc(2 * sizeof(int64_t) * FPV_MAX_LISTED);
		if (r->listed == NULL)
			return -1;
	}
	r->listed[2 * r->nlisted] = worker;
	r->listed[2 * r->nlisted + 1] = seq;
	r->nlisted++;
	return 0;
}

/* Not the row the write carried: the digest differs, or the row does not
 * match its own digest.  The expected digest needs the worker's ledger's
 * payload size. */
static bool
row_corrupt(fpv_recon *r, int64_t worker, int64_t seq, const unsigned char digest8[8],
			bool consistent)
{
	unsigned char want[8];
	int			ledger = r->store.w[worker].ledger;

	if (!consistent)
	{
		r->c.corrupt_inconsistent++;
		return true;
	}
	if (fpv_expected_digest8(r, r->payload_bytes[ledger], worker, seq, want) != 0 ||
		memcmp(want, digest8, 8) != 0)
	{
		r->c.corrupt_digest++;
		return true;
	}
	return false;
}

/*
 * Whether any ledger numbers this worker: rows of a worker none does most
 * likely come from another client that shared the run id, whose ledger was
 * not given.
 */
static bool
worker_known(const fpv_store *s, int64_t worker)
{
	return worker >= 0 && (uint64_t) worker < s->nworkers && s->w[worker].state != NULL;
}

/*
 * Whether a row no record numbers may have been sent by a write whose record
 * was in a truncated tail.  A worker's records are written in seq order, so
 * a cut only takes the seqs after its last record; a worker no ledger
 * numbers may have had all of its records in the cut.
 */
static bool
beyond_ledger(const fpv_recon *r, int64_t worker, int64_t seq)
{
	const fpv_worker *w;

	if (!r->truncated)
		return false;
	if (!worker_known(&r->store, worker))
		return true;
	w = &r->store.w[worker];
	return r->ledger_truncated[w->ledger] && (uint64_t) seq > w->max_seq;
}

int
fpv_recon_row(fpv_recon *r, int64_t worker, int64_t seq, const unsigned char digest8[8],
			  bool consistent)
{
	uint8_t    *st = fpv_store_get(&r->store, worker, seq);

	r->c.rows++;
	if (st == NULL || (*st & FPV_OUTCOME_MASK) == 0)
	{
		if (beyond_ledger(r, worker, seq))
		{
			r->c.beyond_ledger++;
			return 0;
		}
		r->c.unexpected++;
		if (!worker_known(&r->store, worker))
			r->c.unexpected_other_worker++;
		return list_unexpected(r, worker, seq);
	}
	*st |= FPV_PRESENT;
	if ((*st & FPV_OUTCOME_MASK) == FP_OUT_MISSED)
	{
		r->c.missed_present++;
		r->c.unexpected++;
		return list_unexpected(r, worker, seq);
	}
	if (row_corrupt(r, worker, seq, digest8, consistent))
		*st |= FPV_CORRUPT;
	return 0;
}

void
fpv_recon_old_row(fpv_recon *r, int64_t worker, int64_t seq)
{
	uint8_t    *st = fpv_store_get(&r->store, worker, seq);

	r->have_old = true;
	r->c.old_rows++;
	if (st == NULL || (*st & FPV_OUTCOME_MASK) == 0)
		r->c.old_unknown++;
	else
		*st |= FPV_ON_OLD;
}

int
fpv_recon_ranges(fpv_recon *r)
{
	const fpv_store *s = &r->store;

	if (fpv_ranges_from_store(&r->lost, s, FPV_OUTCOME_MASK | FPV_PRESENT, FP_OUT_ACKED) != 0 ||
		fpv_ranges_from_store(&r->corrupt, s, FPV_CORRUPT, FPV_CORRUPT) != 0 ||
		fpv_ranges_from_store(&r->doubt_committed, s, FPV_OUTCOME_MASK | FPV_PRESENT,
							  FP_OUT_IN_DOUBT | FPV_PRESENT) != 0 ||
		fpv_ranges_from_store(&r->tail, s, FPV_PRESENT | FPV_ON_OLD, FPV_ON_OLD) != 0)
		return -1;
	if (fpv_ranges_from_pairs(&r->unexpected, r->listed, r->nlisted) != 0)
		return -1;
	/* only the first FPV_MAX_LISTED unexpected rows were kept */
	r->unexpected.unlisted = r->c.unexpected - r->nlisted;
	return 0;
}

/* ---- step 3: the ledger again ------------------------------------------- */

static const fpv_promotion *
promotion_from(const fpv_recon *r, uint32_t tli)
{
	for (int i = 0; i < r->npromos; i++)
		if (r->promos[i].previous_tli == tli && r->promos[i].switchpoint != 0)
			return &r->promos[i];
	return NULL;
}

static void
contradiction(fpv_lsn_check *l, const fp_record *rec, const fpv_promotion *p, const char *what)
{
	if (l->example[0])
		return;
	snprintf(l->example, sizeof(l->example),
			 "write %u:%llu %s: commit LSN %X/%X, switch point %X/%X of timeline %u",
			 rec->worker, (unsigned long long) rec->seq, what,
			 (unsigned) (rec->commit_lsn >> 32), (unsigned) rec->commit_lsn,
			 (unsigned) (p->switchpoint >> 32), (unsigned) p->switchpoint, p->tli);
}

/*
 * A commit whose record ends at or before the switch point is on the new
 * timeline, one beyond it is not: lost and surviving writes must fall on
 * the right sides.
 */
static void
check_lsn(fpv_recon *r, const fp_record *rec, bool lost)
{
	const fpv_promotion *p;

	if (rec->tli == 0 || rec->commit_lsn == 0)
		return;
	p = promotion_from(r, rec->tli);
	if (p == NULL)
	{
		if (lost && r->npromos > 0)
			r->lsn.lost_unswitched++;
		return;
	}
	r->lsn.checked++;
	if (lost && rec->commit_lsn <= p->switchpoint)
	{
		r->lsn.lost_before_switch++;
		contradiction(&r->lsn, rec, p, "is lost though it committed at or before the switch point");
	}
	if (!lost && rec->commit_lsn > p->switchpoint)
	{
		r->lsn.kept_after_switch++;
		contradiction(&r->lsn, rec, p, "survived though it committed beyond the switch point");
	}
}

static void
note_lost(fpv_recon *r, const fp_record *rec)
{
	fpv_range  *rg = fpv_ranges_find(&r->lost, rec->worker, (int64_t) rec->seq);
	fpv_rpo    *p = &r->rpo;

	r->c.acked_lost++;
	if (rg)
		fpv_range_note_time(rg, rec->done_us);
	if (p->first_lost_us == 0 || rec->done_us < p->first_lost_us)
		p->first_lost_us = rec->done_us;
	if (rec->done_us > p->last_lost_us)
		p->last_lost_us = rec->done_us;
	if (rec->commit_lsn != 0)
	{
		if (p->lsn_known == 0 || rec->commit_lsn < p->lsn_first)
			p->lsn_first = rec->commit_lsn;
		if (rec->commit_lsn > p->lsn_last)
			p->lsn_last = rec->commit_lsn;
		p->lsn_known++;
	}
}

/* Acknowledged on a timeline after a later timeline had acknowledged a
 * write: two nodes took writes at once. */
static void
check_split(fpv_recon *r, const fp_record *rec)
{
	const fpv_tli *t;

	if (rec->tli == 0 || (t = tli_entry(r, rec->tli, false)) == NULL ||
		t->later_first_ack == 0 || rec->done_us <= t->later_first_ack)
		return;
	if (r->split.acks++ == 0)
		r->split.tli = rec->tli;
	if (r->split.first_us == 0 || rec->done_us < r->split.first_us)
		r->split.first_us = rec->done_us;
	if (rec->done_us > r->split.last_us)
		r->split.last_us = rec->done_us;
}

static void
note_old(fpv_recon *r, const fp_record *rec, uint8_t st)
{
	if (!r->have_old || (st & FPV_PRESENT))
		return;
	if (st & FPV_ON_OLD)
	{
		fpv_range  *rg = fpv_ranges_find(&r->tail, rec->worker, (int64_t) rec->seq);

		r->c.lost_tail++;
		if (rec->outcome == FP_OUT_ACKED)
			r->c.lost_tail_acked++;
		if (rg)
			fpv_range_note_time(rg, rec->done_us);
	}
	else if (rec->outcome == FP_OUT_ACKED)
		r->c.lost_nowhere++;
}

void
fpv_recon_second(fpv_recon *r, const fp_record *rec)
{
	const uint8_t *stp = fpv_store_get(&r->store, rec->worker, (int64_t) rec->seq);
	uint8_t		st = stp ? *stp : 0;
	fpv_class	cls = fpv_classify(st);

	switch (cls)
	{
		case FPV_C_ACKED_OK: r->c.acked_ok++; break;
		case FPV_C_ACKED_LOST: note_lost(r, rec); break;
		case FPV_C_FAILED_PRESENT: r->c.failed_present++; break;
		case FPV_C_DOUBT_COMMITTED: r->c.in_doubt_committed++; break;
		case FPV_C_DOUBT_ABSENT: r->c.in_doubt_absent++; break;
		default: break;
	}
	if ((st & FPV_CORRUPT) && rec->outcome != FP_OUT_MISSED)
	{
		r->c.corrupt++;
		if (rec->outcome == FP_OUT_ACKED)
			r->c.corrupt_acked++;
	}
	note_old(r, rec, st);
	if (rec->outcome != FP_OUT_ACKED)
		return;
	check_lsn(r, rec, cls == FPV_C_ACKED_LOST);
	check_split(r, rec);
	fp_outage_add_second(&r->outage, rec);
}
