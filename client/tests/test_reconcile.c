/*
 * test_reconcile.c - cmocka unit tests for verify's classification
 * (verify_reconcile.c), its per-write state store (verify_store.c), the
 * worker:seq ranges (verify_ranges.c) and the outage as verify feeds it
 * (outage.c; its own cases are in test_outage.c).
 *
 * The inputs are synthetic ledger records and server rows; the expected
 * digests of "good" rows are computed here with digest.c, the same way
 * failprobe run writes them, so a test fails if verify disagrees with the
 * writer about what a correct row is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "verify_reconcile.h"

#define RUN_ID UINT64_C(4242)
#define SEC INT64_C(1000000)
#define T0 (INT64_C(1700000000) * SEC)

/* ---- ranges ---------------------------------------------------------- */

static void
test_ranges_compact(void **state)
{
	fpv_ranges	rs = {0};
	char		buf[64];

	(void) state;
	for (int64_t s = 5; s <= 9; s++)
		assert_int_equal(fpv_ranges_add(&rs, 1, s), 0);
	assert_int_equal(fpv_ranges_add(&rs, 1, 9), 0);	/* a duplicate */
	assert_int_equal(fpv_ranges_add(&rs, 1, 11), 0);
	assert_int_equal(fpv_ranges_add(&rs, 2, 12), 0);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.writes, 7);
	fpv_range_format(&rs.r[0], buf, sizeof(buf));
	assert_string_equal(buf, "1:5-9");
	fpv_range_format(&rs.r[1], buf, sizeof(buf));
	assert_string_equal(buf, "1:11");
	fpv_range_format(&rs.r[2], buf, sizeof(buf));
	assert_string_equal(buf, "2:12");
	assert_ptr_equal(fpv_ranges_find(&rs, 1, 7), &rs.r[0]);
	assert_ptr_equal(fpv_ranges_find(&rs, 2, 12), &rs.r[2]);
	assert_null(fpv_ranges_find(&rs, 1, 10));
	assert_null(fpv_ranges_find(&rs, 0, 5));
	assert_null(fpv_ranges_find(&rs, 3, 1));
	fpv_range_note_time(&rs.r[0], 30);
	fpv_range_note_time(&rs.r[0], 10);
	fpv_range_note_time(&rs.r[0], 0);	/* unknown: ignored */
	assert_int_equal(rs.r[0].first_us, 10);
	assert_int_equal(rs.r[0].last_us, 30);
	fpv_ranges_free(&rs);
}

static void
test_ranges_from_pairs(void **state)
{
	int64_t		pairs[] = {3, 2, 1, 7, 3, 1, 1, 8, 3, 2, 1, 6, 0, 100};
	fpv_ranges	rs = {0};
	char		buf[64];

	(void) state;
	assert_int_equal(fpv_ranges_from_pairs(&rs, pairs, 7), 0);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.writes, 6);	/* 3:2 twice counts once */
	fpv_range_format(&rs.r[0], buf, sizeof(buf));
	assert_string_equal(buf, "0:100");
	fpv_range_format(&rs.r[1], buf, sizeof(buf));
	assert_string_equal(buf, "1:6-8");
	fpv_range_format(&rs.r[2], buf, sizeof(buf));
	assert_string_equal(buf, "3:1-2");
	fpv_ranges_free(&rs);
}

/* ---- store ----------------------------------------------------------- */

static void
test_store(void **state)
{
	fpv_store	s;
	char		err[256];

	(void) state;
	fpv_store_init(&s);
	assert_int_equal(fpv_store_add(&s, 3, 1, FP_OUT_ACKED, 0, err, sizeof(err)), 0);
	assert_int_equal(fpv_store_add(&s, 3, 100000, FP_OUT_FAILED, 0, err, sizeof(err)), 0);
	assert_int_equal(fpv_store_add(&s, 3, 1, FP_OUT_ACKED, 0, err, sizeof(err)), 1);
	assert_true(*fpv_store_get(&s, 3, 1) & FPV_DUP);
	assert_int_equal(*fpv_store_get(&s, 3, 100000), FP_OUT_FAILED);
	assert_int_equal(*fpv_store_get(&s, 3, 50), 0);	/* a hole */
	assert_null(fpv_store_get(&s, 3, 100001));		/* beyond the ledger */
	assert_null(fpv_store_get(&s, 2, 1));			/* a worker never seen */
	assert_null(fpv_store_get(&s, -1, 1));
	assert_null(fpv_store_get(&s, 3, 0));
	/* worker 3 belongs to ledger 0; another ledger may not claim it */
	assert_int_equal(fpv_store_add(&s, 3, 7, FP_OUT_ACKED, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "two ledgers"));
	assert_int_equal(fpv_store_add(&s, 1, 0, FP_OUT_ACKED, 0, err, sizeof(err)), -1);
	assert_int_equal(fpv_store_add(&s, FPV_MAX_WORKERS, 1, FP_OUT_ACKED, 0, err, sizeof(err)), -1);
	/* about a byte per write */
	assert_true(fpv_store_bytes(&s) < 300000);
	fpv_store_free(&s);
}

static void
test_classify(void **state)
{
	(void) state;
	assert_int_equal(fpv_classify(0), FPV_C_NONE);
	assert_int_equal(fpv_classify(FP_OUT_ACKED), FPV_C_ACKED_LOST);
	assert_int_equal(fpv_classify(FP_OUT_ACKED | FPV_PRESENT), FPV_C_ACKED_OK);
	assert_int_equal(fpv_classify(FP_OUT_ACKED | FPV_PRESENT | FPV_CORRUPT), FPV_C_ACKED_OK);
	assert_int_equal(fpv_classify(FP_OUT_ACKED | FPV_ON_OLD), FPV_C_ACKED_LOST);
	assert_int_equal(fpv_classify(FP_OUT_FAILED), FPV_C_FAILED_ABSENT);
	assert_int_equal(fpv_classify(FP_OUT_FAILED | FPV_PRESENT), FPV_C_FAILED_PRESENT);
	assert_int_equal(fpv_classify(FP_OUT_IN_DOUBT), FPV_C_DOUBT_ABSENT);
	assert_int_equal(fpv_classify(FP_OUT_IN_DOUBT | FPV_PRESENT), FPV_C_DOUBT_COMMITTED);
	assert_int_equal(fpv_classify(FP_OUT_MISSED), FPV_C_MISSED_ABSENT);
	assert_int_equal(fpv_classify(FP_OUT_MISSED | FPV_PRESENT), FPV_C_MISSED_PRESENT);
}

/* ---- a whole reconciliation on a synthetic run ------------------------ */

/*
 * Worker 0: seq 1-10 acked on timeline 1 (done at T0 + seq ms, commit LSN
 * 0x1000 * seq), 11 in doubt, 12 failed, 13 missed.  Worker 1: seq 1-5
 * acked on timeline 1, 6-8 acked on timeline 2 after the failover.  The
 * switch point of timeline 2 is 0x1000 * 7: worker 0's 8-10 committed
 * beyond it.
 */
typedef struct synth
{
	fp_record	recs[64];
	int			n;
} synth;

static void
rec(synth *s, uint32_t worker, uint64_t seq, int outcome, uint32_t tli, int64_t done, uint64_t lsn)
{
	fp_record  *r = &s->recs[s->n++];

	memset(r, 0, sizeof(*r));
	r->worker = worker;
	r->seq = seq;
	r->outcome = (uint8_t) outcome;
	r->tli = tli;
	r->server = tli;
	r->scheduled_us = done - 1000;
	r->sent_us = outcome == FP_OUT_MISSED ? 0 : done - 500;
	r->done_us = outcome == FP_OUT_MISSED ? 0 : done;
	r->commit_lsn = outcome == FP_OUT_ACKED ? lsn : 0;
}

static void
build(synth *s)
{
	s->n = 0;
	for (uint64_t q = 1; q <= 10; q++)
		rec(s, 0, q, FP_OUT_ACKED, 1, T0 + (int64_t) q * 1000, 0x1000 * q);
	rec(s, 0, 11, FP_OUT_IN_DOUBT, 1, T0 + 11000, 0);
	rec(s, 0, 12, FP_OUT_FAILED, 1, T0 + 12000, 0);
	rec(s, 0, 13, FP_OUT_MISSED, 1, T0 + 13000, 0);
	for (uint64_t q = 1; q <= 5; q++)
		rec(s, 1, q, FP_OUT_ACKED, 1, T0 + (int64_t) q * 1000, 0x1000 * q);
	for (uint64_t q = 6; q <= 8; q++)
		rec(s, 1, q, FP_OUT_ACKED, 2, T0 + 2 * SEC + (int64_t) q * 1000, 0x100000 + q);
}

static void
good_row(fpv_recon *r, int64_t w, int64_t s)
{
	unsigned char d8[8];

	assert_int_equal(fpv_expected_digest8(r, 0, w, s, d8), 0);
	assert_int_equal(fpv_recon_row(r, w, s, d8, true), 0);
}

static void
run_steps(fpv_recon *r, synth *s, bool with_rows)
{
	char		err[256];

	for (int i = 0; i < s->n; i++)
		assert_int_equal(fpv_recon_first(r, &s->recs[i], 0, err, sizeof(err)), 0);
	fpv_recon_timelines(r);
	if (with_rows)
	{
		unsigned char bad[8] = {1, 2, 3, 4, 5, 6, 7, 8};

		for (int64_t q = 1; q <= 6; q++)
			good_row(r, 0, q);
		assert_int_equal(fpv_recon_row(r, 0, 7, bad, true), 0);	/* wrong digest */
		good_row(r, 0, 8);
		assert_int_equal(fpv_recon_row(r, 0, 8, bad, false), 0);	/* seen again: inconsistent */
		good_row(r, 0, 11);	/* in doubt, committed */
		good_row(r, 0, 12);	/* failed, yet present */
		good_row(r, 0, 13);	/* missed, yet present */
		for (int64_t q = 1; q <= 8; q++)
			good_row(r, 1, q);
		good_row(r, 5, 1);	/* a worker no ledger has */
		good_row(r, 1, 9);	/* beyond worker 1's ledger */
	}
	assert_int_equal(fpv_recon_ranges(r), 0);
	for (int i = 0; i < s->n; i++)
		fpv_recon_second(r, &s->recs[i]);
}

static void
test_reconcile_classes(void **state)
{
	synth		s;
	fpv_recon	r;
	char		err[256], buf[64];
	fpv_promotion p = {.tli = 2, .previous_tli = 1, .switchpoint = 0x1000 * 8};

	(void) state;
	build(&s);
	/* worker 0's seq 9 and 10 lost: their commits lie beyond the switch point */
	assert_int_equal(fpv_recon_init(&r, RUN_ID, err, sizeof(err)), 0);
	r.promos = &p;
	r.npromos = 1;
	run_steps(&r, &s, true);

	assert_int_equal(r.c.records, 21);
	assert_int_equal(r.c.sent, 20);
	assert_int_equal(r.c.acked, 18);
	assert_int_equal(r.c.acked_lost, 2);
	assert_int_equal(r.c.acked_ok, 16);
	assert_int_equal(r.c.corrupt, 2);			/* 0:7 digest, 0:8 inconsistent */
	assert_int_equal(r.c.corrupt_acked, 2);
	assert_int_equal(r.c.corrupt_digest, 1);
	assert_int_equal(r.c.corrupt_inconsistent, 1);
	assert_int_equal(r.c.in_doubt_committed, 1);
	assert_int_equal(r.c.in_doubt_absent, 0);
	assert_int_equal(r.c.failed_present, 1);
	assert_int_equal(r.c.missed_present, 1);
	assert_int_equal(r.c.unexpected, 3);		/* 0:13 missed, 5:1, 1:9 */
	assert_int_equal(r.c.beyond_ledger, 0);

	assert_int_equal(r.lost.n, 1);
	fpv_range_format(&r.lost.r[0], buf, sizeof(buf));
	assert_string_equal(buf, "0:9-10");
	assert_int_equal(r.lost.r[0].first_us, T0 + 9000);
	assert_int_equal(r.lost.r[0].last_us, T0 + 10000);
	assert_int_equal(r.rpo.first_lost_us, T0 + 9000);
	assert_int_equal(r.rpo.last_lost_us, T0 + 10000);
	assert_int_equal(r.rpo.lsn_first, 0x9000);
	assert_int_equal(r.rpo.lsn_last, 0xA000);
	assert_int_equal(r.unexpected.n, 3);
	fpv_range_format(&r.corrupt.r[0], buf, sizeof(buf));
	assert_string_equal(buf, "0:7-8");

	/* every acked write of timeline 1 with an LSN checked; none contradicts */
	assert_int_equal(r.lsn.checked, 15);
	assert_int_equal(r.lsn.lost_before_switch, 0);
	assert_int_equal(r.lsn.kept_after_switch, 0);
	assert_int_equal(r.split.acks, 0);

	/* the outage: last ack on timeline 1 (0:10 at +10 ms) to first on 2 */
	assert_int_equal(r.outage.outage.last_ack_before, T0 + 10000);
	assert_int_equal(r.outage.outage.first_ack_after, T0 + 2 * SEC + 6000);
	assert_true(fp_outage_rto_ms(&r.outage.outage) > 1995.9 &&
				fp_outage_rto_ms(&r.outage.outage) < 1996.1);
	assert_int_equal(r.outage.outage.tli_before, 1);
	assert_int_equal(r.outage.outage.tli_after, 2);
	fpv_recon_free(&r);
}

static void
test_reconcile_contradictions(void **state)
{
	synth		s;
	fpv_recon	r;
	char		err[256];
	/* a switch point too early: 0:6 and 0:8 survived beyond it, and too
	 * late would make 0:9 lost before it; take the first case */
	fpv_promotion p = {.tli = 2, .previous_tli = 1, .switchpoint = 0x1000 * 5};

	(void) state;
	build(&s);
	assert_int_equal(fpv_recon_init(&r, RUN_ID, err, sizeof(err)), 0);
	r.promos = &p;
	r.npromos = 1;
	run_steps(&r, &s, true);
	assert_int_equal(r.lsn.kept_after_switch, 3);	/* 0:6, 0:7, 0:8 */
	assert_int_equal(r.lsn.lost_before_switch, 0);
	assert_non_null(strstr(r.lsn.example, "beyond the switch point"));
	fpv_recon_free(&r);

	p.switchpoint = 0x1000 * 10;
	assert_int_equal(fpv_recon_init(&r, RUN_ID, err, sizeof(err)), 0);
	r.promos = &p;
	r.npromos = 1;
	run_steps(&r, &s, true);
	assert_int_equal(r.lsn.lost_before_switch, 2);	/* 0:9, 0:10 */
	assert_non_null(strstr(r.lsn.example, "at or before the switch point"));
	fpv_recon_free(&r);
}

static void
test_reconcile_no_rows_truncated(void **state)
{
	synth		s;
	fpv_recon	r;
	char		err[256];
	unsigned char d8[8];

	(void) state;
	build(&s);
	/* nothing on the node: every acked write lost */
	assert_int_equal(fpv_recon_init(&r, RUN_ID, err, sizeof(err)), 0);
	run_steps(&r, &s, false);
	assert_int_equal(r.c.rows, 0);
	assert_int_equal(r.c.acked_lost, 18);
	assert_int_equal(r.c.in_doubt_absent, 1);
	assert_int_equal(r.lost.n, 2);
	fpv_recon_free(&r);

	/*
	 * Ledger 0 truncated, ledger 1 (worker 2, seq 1..3) complete.  A row
	 * after a worker's last record in the truncated one, or of a worker no
	 * ledger numbers, may be a write whose record was cut off: beyond the
	 * ledger.  A row of the complete ledger's worker is unexpected.
	 */
	assert_int_equal(fpv_recon_init(&r, RUN_ID, err, sizeof(err)), 0);
	for (int i = 0; i < s.n; i++)
		assert_int_equal(fpv_recon_first(&r, &s.recs[i], 0, err, sizeof(err)), 0);
	for (uint64_t q = 1; q <= 3; q++)
	{
		fp_record	other = s.recs[0];

		other.worker = 2;
		other.seq = q;
		assert_int_equal(fpv_recon_first(&r, &other, 1, err, sizeof(err)), 0);
	}
	r.truncated = true;
	r.ledger_truncated[0] = true;
	assert_int_equal(fpv_expected_digest8(&r, 0, 1, 9, d8), 0);
	assert_int_equal(fpv_recon_row(&r, 1, 9, d8, true), 0);
	assert_int_equal(fpv_recon_row(&r, 9, 1, d8, true), 0);
	assert_int_equal(r.c.beyond_ledger, 2);
	assert_int_equal(r.c.unexpected, 0);
	assert_int_equal(fpv_expected_digest8(&r, 0, 2, 4, d8), 0);
	assert_int_equal(fpv_recon_row(&r, 2, 4, d8, true), 0);
	assert_int_equal(r.c.beyond_ledger, 2);
	assert_int_equal(r.c.unexpected, 1);
	fpv_recon_free(&r);
}

/* Past FPV_MAX_LISTED unexpected rows the list is cut, and says so. */
static void
test_unexpected_cap(void **state)
{
	fpv_recon	r;
	char		err[256];
	unsigned char d8[8] = {0};

	(void) state;
	assert_int_equal(fpv_recon_init(&r, RUN_ID, err, sizeof(err)), 0);
	for (int64_t q = 1; q <= FPV_MAX_LISTED + 5; q++)
		assert_int_equal(fpv_recon_row(&r, 7, q, d8, true), 0);
	assert_int_equal(fpv_recon_ranges(&r), 0);
	assert_int_equal(r.c.unexpected, FPV_MAX_LISTED + 5);
	assert_int_equal(r.unexpected.writes, FPV_MAX_LISTED);
	assert_int_equal(r.unexpected.unlisted, 5);
	fpv_recon_free(&r);
}

static void
test_split_brain_and_old(void **state)
{
	synth		s;
	fpv_recon	r;
	char		err[256];

	(void) state;
	build(&s);
	/* the old timeline acknowledges after the new one began: split brain */
	rec(&s, 0, 14, FP_OUT_ACKED, 1, T0 + 3 * SEC, 0x1000 * 14);
	assert_int_equal(fpv_recon_init(&r, RUN_ID, err, sizeof(err)), 0);
	for (int i = 0; i < s.n; i++)
		assert_int_equal(fpv_recon_first(&r, &s.recs[i], 0, err, sizeof(err)), 0);
	fpv_recon_timelines(&r);
	for (int64_t q = 1; q <= 8; q++)
		good_row(&r, 1, q);
	/* the old primary has worker 0's 1-10 and 14, and one row of no record */
	for (int64_t q = 1; q <= 10; q++)
		fpv_recon_old_row(&r, 0, q);
	fpv_recon_old_row(&r, 0, 14);
	fpv_recon_old_row(&r, 0, 99);
	assert_int_equal(fpv_recon_ranges(&r), 0);
	for (int i = 0; i < s.n; i++)
		fpv_recon_second(&r, &s.recs[i]);
	assert_int_equal(r.split.acks, 1);
	assert_int_equal(r.split.tli, 1);
	assert_int_equal(r.c.old_rows, 12);
	assert_int_equal(r.c.old_unknown, 1);
	assert_int_equal(r.c.lost_tail, 11);
	assert_int_equal(r.c.lost_tail_acked, 11);
	assert_int_equal(r.c.lost_nowhere, 0);
	assert_int_equal(r.tail.n, 2);	/* 0:1-10, 0:14 */
	fpv_recon_free(&r);
}

/* Two servers acknowledging on one timeline at once: split brain; one after
 * the other (a name that moved): not. */
static void
test_split_brain_same_timeline(void **state)
{
	synth		s;
	fpv_recon	r;
	char		err[256];

	(void) state;
	build(&s);
	/* worker 0 on a second server of timeline 2, while worker 1 is on the first */
	rec(&s, 0, 14, FP_OUT_ACKED, 2, T0 + 2 * SEC + 7000, 0x100000 + 20);
	s.recs[s.n - 1].server = 7;
	assert_int_equal(fpv_recon_init(&r, RUN_ID, err, sizeof(err)), 0);
	for (int i = 0; i < s.n; i++)
		assert_int_equal(fpv_recon_first(&r, &s.recs[i], 0, err, sizeof(err)), 0);
	fpv_recon_timelines(&r);
	assert_int_equal(r.split.same_tli, 2);
	assert_int_equal(r.split.same_servers[0], 2);
	assert_int_equal(r.split.same_servers[1], 7);
	assert_true(r.split.same_from_us == T0 + 2 * SEC + 7000 && r.split.same_to_us == T0 + 2 * SEC + 7000);
	fpv_recon_free(&r);

	/* the same second server, but only after the first stopped acknowledging */
	s.recs[s.n - 1].done_us = T0 + 5 * SEC;
	assert_int_equal(fpv_recon_init(&r, RUN_ID, err, sizeof(err)), 0);
	for (int i = 0; i < s.n; i++)
		assert_int_equal(fpv_recon_first(&r, &s.recs[i], 0, err, sizeof(err)), 0);
	fpv_recon_timelines(&r);
	assert_int_equal(r.split.same_tli, 0);
	fpv_recon_free(&r);

	/* overlapping, but in two ledgers, whose server ids do not compare
	 * (another client, its own workers) */
	s.recs[s.n - 1].done_us = T0 + 2 * SEC + 7000;
	s.recs[s.n - 1].worker = 5;
	s.recs[s.n - 1].seq = 1;
	assert_int_equal(fpv_recon_init(&r, RUN_ID, err, sizeof(err)), 0);
	for (int i = 0; i < s.n; i++)
		assert_int_equal(fpv_recon_first(&r, &s.recs[i], i == s.n - 1, err, sizeof(err)), 0);
	fpv_recon_timelines(&r);
	assert_int_equal(r.split.same_tli, 0);
	fpv_recon_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges_compact),
		cmocka_unit_test(test_ranges_from_pairs),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_reconcile_classes),
		cmocka_unit_test(test_reconcile_contradictions),
		cmocka_unit_test(test_reconcile_no_rows_truncated),
		cmocka_unit_test(test_unexpected_cap),
		cmocka_unit_test(test_split_brain_and_old),
		cmocka_unit_test(test_split_brain_same_timeline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
