/*
 * test_outage.c - cmocka unit tests for the outage (outage.c), the one
 * definition of detection time and RTO that run, verify and report share.
 *
 * Records are made up with known times, so every expected figure is worked
 * out by hand: a failover, a pooled failover (no write fails), an outage
 * without a timeline change (the two-pass case, records out of order), no
 * outage, the lowest timeline turning up last, and the tie rule (the record
 * read first wins).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "outage.h"

#define T0 INT64_C(1700000000000000)	/* the run's start, Unix us */
#define MS INT64_C(1000)

/* A record: due at T0 + due, done at T0 + done (both us). */
static fp_record
rec(int64_t due, int64_t done, fp_outcome out, uint32_t tli, uint32_t server)
{
	fp_record	r;

	memset(&r, 0, sizeof(r));
	r.scheduled_us = T0 + due;
	r.sent_us = out == FP_OUT_MISSED ? 0 : T0 + due;
	r.done_us = out == FP_OUT_MISSED ? 0 : T0 + done;
	r.outcome = (uint8_t) out;
	r.tli = tli;
	r.server = server;
	return r;
}

/* Both passes, as run, verify and report drive it. */
static void
scan(fp_outage_scan *sc, const fp_record *recs, int n)
{
	fp_outage_init(sc);
	for (int i = 0; i < n; i++)
		fp_outage_add(sc, &recs[i]);
	if (fp_outage_finish(sc))
		for (int i = 0; i < n; i++)
			fp_outage_add_second(sc, &recs[i]);
}

/* Acks on timeline 1 until 2.0 s, errors, acks on timeline 2 from 4.5 s. */
static void
test_failover(void **state)
{
	fp_record	recs[] = {
		rec(1900 * MS, 1900 * MS + 500, FP_OUT_ACKED, 1, 1),
		rec(1990 * MS, 2000 * MS, FP_OUT_ACKED, 1, 1),
		rec(2050 * MS, 2100 * MS, FP_OUT_IN_DOUBT, 1, 1),
		rec(2200 * MS, 0, FP_OUT_MISSED, 0, 0),
		rec(4400 * MS, 4500 * MS, FP_OUT_ACKED, 2, 2),
		rec(4600 * MS, 4700 * MS, FP_OUT_ACKED, 2, 2),
	};
	fp_outage_scan sc;
	const fp_outage *o = &sc.outage;

	(void) state;
	fp_outage_init(&sc);
	for (int i = 0; i < 6; i++)
		fp_outage_add(&sc, &recs[i]);
	assert_false(fp_outage_finish(&sc));	/* a failover needs no second pass */
	assert_true(fp_outage_failover(&sc));
	assert_int_equal(o->last_ack_before, T0 + 2000 * MS);
	assert_int_equal(o->first_problem, T0 + 2100 * MS);
	assert_int_equal(o->first_ack_after, T0 + 4500 * MS);
	assert_int_equal(o->tli_before, 1);
	assert_int_equal(o->tli_after, 2);
	assert_int_equal(o->server_after, 2);
	assert_true(fp_outage_rto_ms(o) == 2500.0);
	assert_true(fp_outage_detection_ms(o) == 100.0);
}

/* Through a pooler nothing fails: the outage starts when the first write
 * that the new timeline acknowledged was sent. */
static void
test_pooled_failover(void **state)
{
	fp_record	recs[] = {
		rec(1000 * MS, 1001 * MS, FP_OUT_ACKED, 1, 1),
		rec(2000 * MS, 2001 * MS, FP_OUT_ACKED, 1, 1),
		rec(2200 * MS, 3200 * MS, FP_OUT_ACKED, 2, 1),	/* held in the pooler */
	};
	fp_outage_scan sc;

	(void) state;
	scan(&sc, recs, 3);
	assert_int_equal(sc.outage.first_problem, T0 + 2200 * MS);
	assert_int_equal(sc.outage.last_ack_before, T0 + 2001 * MS);
	assert_int_equal(sc.outage.first_ack_after, T0 + 3200 * MS);
	assert_true(fp_outage_rto_ms(&sc.outage) == 1199.0);
}

/* Errors and the same primary again: two passes, records out of order. */
static void
test_without_failover(void **state)
{
	fp_record	recs[] = {
		rec(900 * MS, 1000 * MS, FP_OUT_ACKED, 1, 1),
		rec(1550 * MS, 1600 * MS, FP_OUT_FAILED, 1, 1),
		rec(1500 * MS, 1550 * MS, FP_OUT_ACKED, 1, 1),	/* reached the ledger late */
		rec(1590 * MS, 1700 * MS, FP_OUT_ACKED, 1, 1),
		rec(2900 * MS, 3000 * MS, FP_OUT_ACKED, 1, 1),
		rec(1580 * MS, 0, FP_OUT_MISSED, 0, 0),	/* the first problem */
	};
	fp_outage_scan sc;

	(void) state;
	fp_outage_init(&sc);
	for (int i = 0; i < 6; i++)
		fp_outage_add(&sc, &recs[i]);
	assert_true(fp_outage_finish(&sc));
	for (int i = 0; i < 6; i++)
		fp_outage_add_second(&sc, &recs[i]);
	assert_false(fp_outage_failover(&sc));
	assert_int_equal(sc.outage.first_problem, T0 + 1580 * MS);
	assert_int_equal(sc.outage.last_ack_before, T0 + 1550 * MS);
	assert_int_equal(sc.outage.first_ack_after, T0 + 1700 * MS);
	assert_true(fp_outage_rto_ms(&sc.outage) == 150.0);
	assert_true(fp_outage_detection_ms(&sc.outage) == 30.0);
}

/* A primary turned read-only: the connections fail one after another, one
 * still acknowledges a write 6 ms after the first problem, then every write
 * is missed for a second.  The outage runs to the first ack after that
 * burst, not to the straggler; a lone problem 3 s later is another outage. */
static void
test_partial_then_down(void **state)
{
	fp_record	recs[] = {
		rec(990 * MS, 1000 * MS, FP_OUT_ACKED, 1, 1),
		rec(1001 * MS, 1002 * MS, FP_OUT_FAILED, 1, 1),	/* the first problem */
		rec(1005 * MS, 1008 * MS, FP_OUT_ACKED, 1, 1),	/* a connection not yet told */
		rec(1010 * MS, 1011 * MS, FP_OUT_FAILED, 1, 1),
		rec(1500 * MS, 0, FP_OUT_MISSED, 0, 0),
		rec(2100 * MS, 0, FP_OUT_MISSED, 0, 0),	/* the burst's last */
		rec(2150 * MS, 2151 * MS, FP_OUT_ACKED, 1, 1),	/* back */
		rec(2200 * MS, 2201 * MS, FP_OUT_ACKED, 1, 1),
		rec(5200 * MS, 5210 * MS, FP_OUT_IN_DOUBT, 1, 1),	/* a later, separate one */
		rec(5300 * MS, 5301 * MS, FP_OUT_ACKED, 1, 1),
	};
	fp_outage_scan sc;

	(void) state;
	scan(&sc, recs, 10);
	assert_false(fp_outage_failover(&sc));
	assert_int_equal(sc.outage.first_problem, T0 + 1002 * MS);
	assert_int_equal(sc.outage.last_ack_before, T0 + 1000 * MS);
	assert_int_equal(sc.outage.first_ack_after, T0 + 2151 * MS);
	assert_true(fp_outage_rto_ms(&sc.outage) == 1151.0);
	assert_true(fp_outage_detection_ms(&sc.outage) == 2.0);
	fp_outage_free(&sc);
}

static void
test_no_outage(void **state)
{
	fp_record	recs[] = {
		rec(0, MS, FP_OUT_ACKED, 0, 3),	/* timeline unknown (plain mode) */
		rec(1000 * MS, 1001 * MS, FP_OUT_ACKED, 0, 5),
	};
	fp_outage_scan sc;

	(void) state;
	fp_outage_init(&sc);
	for (int i = 0; i < 2; i++)
		fp_outage_add(&sc, &recs[i]);
	assert_false(fp_outage_finish(&sc));
	assert_int_equal(sc.outage.first_problem, 0);
	assert_true(fp_outage_rto_ms(&sc.outage) < 0);
	assert_true(fp_outage_detection_ms(&sc.outage) < 0);
}

/* The run began in the outage: no ack before it, yet writes came back. */
static void
test_started_down(void **state)
{
	fp_record	recs[] = {
		rec(0, 30 * MS, FP_OUT_FAILED, 0, 1),
		rec(100 * MS, 0, FP_OUT_MISSED, 0, 0),
		rec(1000 * MS, 1001 * MS, FP_OUT_ACKED, 0, 1),
		rec(1100 * MS, 1101 * MS, FP_OUT_ACKED, 0, 1),
	};
	fp_outage_scan sc;

	(void) state;
	scan(&sc, recs, 4);
	assert_int_equal(sc.outage.last_ack_before, 0);
	assert_int_equal(sc.outage.first_ack_after, T0 + 1001 * MS);
	assert_true(fp_outage_rto_ms(&sc.outage) == (T0 + 1001 * MS - sc.outage.first_problem) / 1000.0);
	assert_true(fp_outage_rto_ms(&sc.outage) >= 971.0);
	assert_true(fp_outage_detection_ms(&sc.outage) < 0);
	fp_outage_free(&sc);
}

/* The old timeline still acknowledged after the new one's first ack. */
static void
test_split_brain_rto(void **state)
{
	fp_record	recs[] = {
		rec(1000 * MS, 1001 * MS, FP_OUT_ACKED, 1, 1),
		rec(1500 * MS, 1600 * MS, FP_OUT_IN_DOUBT, 1, 1),
		rec(1700 * MS, 1701 * MS, FP_OUT_ACKED, 2, 2),
		rec(1800 * MS, 1801 * MS, FP_OUT_ACKED, 1, 1),
	};
	fp_outage_scan sc;

	(void) state;
	scan(&sc, recs, 4);
	assert_int_equal(sc.outage.last_ack_before, T0 + 1801 * MS);
	assert_int_equal(sc.outage.first_ack_after, T0 + 1701 * MS);
	assert_true(fp_outage_rto_ms(&sc.outage) == 0.0);
	fp_outage_free(&sc);
}

/* Ledgers of several clients are read one after the other: the old
 * timeline can turn up last, and the first ack on a later timeline must
 * still be found among those read before it. */
static void
test_lowest_timeline_last(void **state)
{
	fp_record	recs[] = {
		rec(5000 * MS, 5100 * MS, FP_OUT_ACKED, 3, 7),
		rec(4000 * MS, 4200 * MS, FP_OUT_ACKED, 2, 6),
		rec(900 * MS, 1000 * MS, FP_OUT_ACKED, 1, 5),
		rec(1500 * MS, 1600 * MS, FP_OUT_FAILED, 1, 5),
	};
	fp_outage_scan sc;

	(void) state;
	scan(&sc, recs, 4);
	assert_int_equal(sc.outage.tli_before, 1);
	assert_int_equal(sc.outage.server_before, 5);
	assert_int_equal(sc.outage.first_ack_after, T0 + 4200 * MS);
	assert_int_equal(sc.outage.tli_after, 2);
	assert_int_equal(sc.outage.server_after, 6);
	assert_int_equal(sc.outage.first_problem, T0 + 1600 * MS);
}

/* Two later timelines acknowledge in the same microsecond: the record read
 * first is the first ack after, even when its timeline was seen later. */
static void
test_tie_read_order(void **state)
{
	fp_record	recs[] = {
		rec(3000 * MS, 3500 * MS, FP_OUT_ACKED, 3, 9),
		rec(2000 * MS, 2500 * MS, FP_OUT_ACKED, 2, 8),	/* timeline 2 seen first */
		rec(2100 * MS, 2200 * MS, FP_OUT_ACKED, 3, 7),
		rec(2000 * MS, 2200 * MS, FP_OUT_ACKED, 2, 6),	/* same time, read later */
		rec(900 * MS, 1000 * MS, FP_OUT_ACKED, 1, 5),
	};
	fp_outage_scan sc;

	(void) state;
	scan(&sc, recs, 5);
	assert_int_equal(sc.outage.first_ack_after, T0 + 2200 * MS);
	assert_int_equal(sc.outage.tli_after, 3);
	assert_int_equal(sc.outage.server_after, 7);
	assert_int_equal(sc.outage.first_problem, T0 + 2000 * MS);	/* sent first */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failover),
		cmocka_unit_test(test_pooled_failover),
		cmocka_unit_test(test_without_failover),
		cmocka_unit_test(test_partial_then_down),
		cmocka_unit_test(test_no_outage),
		cmocka_unit_test(test_started_down),
		cmocka_unit_test(test_split_brain_rto),
		cmocka_unit_test(test_lowest_timeline_last),
		cmocka_unit_test(test_tie_read_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
