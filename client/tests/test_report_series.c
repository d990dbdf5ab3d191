/*
 * test_report_series.c - cmocka unit tests for the report's per-second
 * series (report_series.c) and its promotion mark (report_promotion.c).
 *
 * Records are made up with known times, so every expected figure is worked
 * out by hand in the test: counts per second, percentiles per second, the
 * outage and promotion of a failover as the series finds them (the outage's
 * own cases are in test_outage.c), the promotion by server, and reading a
 * real ledger file, whole, truncated and damaged.
 */
#define _GNU_SOURCE

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "report_series.h"

#define T0 INT64_C(1700000000000000)	/* the run's start, Unix us */
#define MS INT64_C(1000)
#define SEC INT64_C(1000000)

/* A record: due at T0 + due, done at T0 + done (both us). */
static fp_record
rec(uint32_t worker, uint64_t seq, int64_t due, int64_t done, fp_outcome out,
	uint32_t tli, uint32_t server)
{
	fp_record	r;

	memset(&r, 0, sizeof(r));
	r.worker = worker;
	r.seq = seq;
	r.scheduled_us = T0 + due;
	r.sent_us = out == FP_OUT_MISSED ? 0 : T0 + due;
	r.done_us = out == FP_OUT_MISSED ? 0 : T0 + done;
	r.outcome = (uint8_t) out;
	r.tli = tli;
	r.server = server;
	if (out == FP_OUT_FAILED)
		memcpy(r.sqlstate, "57P01", 5);
	return r;
}

static void
test_per_second_counts_and_percentiles(void **state)
{
	fp_rseries	s;
	fp_record	r;

	(void) state;
	assert_int_equal(fp_rs_init(&s, T0), 0);
	/* second 0: 100 acks with latencies 1..100 ms */
	for (int i = 1; i <= 100; i++)
	{
		r = rec(0, (uint64_t) i, 100 * MS, 100 * MS + i * MS, FP_OUT_ACKED, 1, 1);
		assert_int_equal(fp_rs_add(&s, &r), 0);
	}
	/* second 2: two failed, one in doubt; second 3: a missed write (by its due time) */
	r = rec(1, 1, 2 * SEC, 2 * SEC + 5 * MS, FP_OUT_FAILED, 1, 1);
	fp_rs_add(&s, &r);
	fp_rs_add(&s, &r);
	r = rec(1, 2, 2 * SEC, 2 * SEC + 9 * MS, FP_OUT_IN_DOUBT, 1, 1);
	fp_rs_add(&s, &r);
	r = rec(2, 1, 3 * SEC + 10, 0, FP_OUT_MISSED, 0, 0);
	fp_rs_add(&s, &r);
	/* second 4: one ack of 2 s latency, due in second 2 */
	r = rec(3, 1, 2 * SEC + 500 * MS, 4 * SEC + 500 * MS, FP_OUT_ACKED, 1, 1);
	fp_rs_add(&s, &r);
	fp_rs_finish(&s);

	assert_int_equal(s.n, 5);
	assert_int_equal(s.sec[0].acked, 100);
	assert_int_equal(s.sec[1].acked + s.sec[1].failed + s.sec[1].missed, 0);
	assert_int_equal(s.sec[2].failed, 2);
	assert_int_equal(s.sec[2].in_doubt, 1);
	assert_int_equal(s.sec[3].missed, 1);
	assert_int_equal(s.sec[4].acked, 1);
	/* exact values 1..100 ms: p50 = 50 ms, p99 = 99 ms within 1 % */
	assert_in_range(s.sec[0].p50_us, 50000, 50500);
	assert_in_range(s.sec[0].p99_us, 99000, 99800);
	assert_int_equal(s.sec[0].max_us, 100000);
	assert_int_equal(s.sec[2].p99_us, 0);	/* no ack: no latency */
	assert_int_equal(s.sec[4].max_us, 2000000);
	assert_int_equal(s.acked, 101);
	assert_int_equal(s.failed, 2);
	assert_int_equal(s.in_doubt, 1);
	assert_int_equal(s.missed, 1);
	assert_int_equal(s.all.total, 101);
	assert_int_equal(s.all.max, 2000000);
	/* the errors by SQLSTATE: 57P01 twice, "" (connection lost) once */
	assert_int_equal(s.nstates, 2);
	assert_string_equal(s.states[0].code, "57P01");
	assert_int_equal(s.states[0].failed, 2);
	assert_string_equal(s.states[1].code, "");
	assert_int_equal(s.states[1].in_doubt, 1);
	assert_int_equal(fp_rs_peak_tps(&s), 100);
	fp_rs_free(&s);
}

static void
test_late_record_counted_outside_percentiles(void **state)
{
	fp_rseries	s;
	fp_record	r;

	(void) state;
	fp_rs_init(&s, T0);
	r = rec(0, 1, 0, 10 * MS, FP_OUT_ACKED, 1, 1);
	fp_rs_add(&s, &r);
	/* FP_RS_WINDOW seconds later (second 0's histogram is closed for
	 * it), then a straggler for second 0 */
	r = rec(0, 2, FP_RS_WINDOW * SEC, FP_RS_WINDOW * SEC + MS, FP_OUT_ACKED, 1, 1);
	fp_rs_add(&s, &r);
	r = rec(1, 1, 0, 900 * MS, FP_OUT_ACKED, 1, 1);
	fp_rs_add(&s, &r);
	fp_rs_finish(&s);
	assert_int_equal(s.late, 1);
	assert_int_equal(s.sec[0].acked, 2);	/* counted */
	assert_int_equal(s.sec[0].max_us, 10000);	/* but not in the percentiles */
	assert_int_equal(s.all.max, 900000);	/* and in the whole run's */
	/* a record days beyond any run is left out, not allocated for */
	r = rec(0, 3, 40LL * 86400 * SEC, 40LL * 86400 * SEC, FP_OUT_ACKED, 1, 1);
	fp_rs_add(&s, &r);
	assert_int_equal(s.out_of_range, 1);
	assert_int_equal(s.n, FP_RS_WINDOW + 1);
	fp_rs_free(&s);
}

/* Failover: acks on timeline 1 until 2.0 s, errors, acks on timeline 2 from 4.5 s. */
static void
test_failover_outage_and_promotion(void **state)
{
	fp_rseries	s;
	fp_record	r;

	(void) state;
	fp_rs_init(&s, T0);
	for (int i = 0; i < 20; i++)
	{
		r = rec(0, (uint64_t) i + 1, i * 100 * MS, i * 100 * MS + 500, FP_OUT_ACKED, 1, 1);
		fp_rs_add(&s, &r);
	}
	/* 1.9 s + 0.5 ms is the last ack on timeline 1; one more at 2.0 s exactly */
	r = rec(1, 1, 1990 * MS, 2000 * MS, FP_OUT_ACKED, 1, 1);
	fp_rs_add(&s, &r);
	r = rec(2, 1, 2050 * MS, 2100 * MS, FP_OUT_IN_DOUBT, 1, 1);
	fp_rs_add(&s, &r);
	r = rec(3, 1, 2200 * MS, 0, FP_OUT_MISSED, 0, 0);
	fp_rs_add(&s, &r);
	r = rec(0, 30, 4400 * MS, 4500 * MS, FP_OUT_ACKED, 2, 2);
	fp_rs_add(&s, &r);
	r = rec(1, 30, 4600 * MS, 4700 * MS, FP_OUT_ACKED, 2, 2);
	fp_rs_add(&s, &r);
	assert_false(fp_rs_finish(&s));	/* a failover needs no second pass */
	/* every record reached the outage (its own cases: test_outage.c) */
	assert_true(fp_outage_rto_ms(&s.outage.outage) == 2500.0);
	assert_true(fp_outage_detection_ms(&s.outage.outage) == 100.0);
	/* and the promotion is the new timeline's first acknowledgement */
	assert_int_equal(s.promotion.at_us, T0 + 4500 * MS);
	assert_int_equal(s.promotion.tli, 2);
	assert_int_equal(s.promotion.server_id, 2);
	fp_rs_free(&s);
}

/* One server, then another: without timelines the promotion is the first
 * acknowledgement from the second. */
static void
test_no_outage_and_promotion_by_server(void **state)
{
	fp_rseries	s;
	fp_record	r;

	(void) state;
	fp_rs_init(&s, T0);
	r = rec(0, 1, 0, MS, FP_OUT_ACKED, 0, 3);	/* timeline unknown (plain mode) */
	fp_rs_add(&s, &r);
	r = rec(0, 2, SEC, SEC + MS, FP_OUT_ACKED, 0, 5);
	fp_rs_add(&s, &r);
	r = rec(0, 3, 2 * SEC, 2 * SEC + MS, FP_OUT_ACKED, 0, 3);
	fp_rs_add(&s, &r);
	assert_false(fp_rs_finish(&s));
	assert_int_equal(s.outage.outage.first_problem, 0);
	assert_true(fp_outage_rto_ms(&s.outage.outage) < 0);
	assert_int_equal(s.promotion.at_us, T0 + SEC + MS);
	assert_int_equal(s.promotion.server_id, 5);
	assert_int_equal(s.promotion.tli, 0);
	fp_rs_free(&s);
}

static void
test_sustained_is_median_of_inner_seconds(void **state)
{
	fp_rseries	s;
	static const int per_sec[] = {3, 100, 90, 0, 110, 7};	/* first and last partial */

	(void) state;
	fp_rs_init(&s, T0);
	for (int t = 0; t < 6; t++)
		for (int i = 0; i < per_sec[t]; i++)
		{
			fp_record	r = rec(0, 1, t * SEC + i, t * SEC + i + 10, FP_OUT_ACKED, 1, 1);

			fp_rs_add(&s, &r);
		}
	fp_rs_finish(&s);
	assert_true(fp_rs_sustained_tps(&s) == 95.0);	/* median of 100, 90, 0, 110 */
	assert_int_equal(fp_rs_peak_tps(&s), 110);
	fp_rs_free(&s);
}

/* ---- a real ledger file ---- */

static char dir[64];

static void
write_ledger(const char *path, int n)
{
	fp_ledger_header hdr = {.version = FP_LEDGER_VERSION, .run_id = 42, .start_us = T0};
	char		err[256];
	fp_ledger_writer *w;

	snprintf(hdr.meta, sizeof(hdr.meta), "{\"mode\":\"extension\"}");
	w = fp_ledger_create(path, &hdr, true, 0, err, sizeof(err));
	assert_non_null(w);
	for (int i = 0; i < n; i++)
	{
		fp_record	r = rec(0, (uint64_t) i + 1, i * MS, i * MS + 300, FP_OUT_ACKED, 1, 1);

		assert_int_equal(fp_ledger_append(w, &r, 1), 0);
	}
	assert_int_equal(fp_ledger_close(w, err, sizeof(err)), 0);
}

static void
test_scan_whole_truncated_damaged(void **state)
{
	char		path[128], note[256], err[512];
	fp_ledger_header hdr;
	fp_rseries	s;
	bool		truncated;
	FILE	   *f;

	(void) state;
	snprintf(dir, sizeof(dir), "/tmp/test_report.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/run.ledger", dir);
	write_ledger(path, 10000);

	assert_int_equal(fp_rs_scan(&s, path, &hdr, &truncated, note, sizeof(note), err, sizeof(err)), 0);
	assert_false(truncated);
	assert_int_equal(hdr.run_id, 42);
	assert_int_equal(s.records, 10000);
	assert_int_equal(s.n, 10);
	assert_int_equal(s.sec[3].acked, 1000);
	fp_rs_free(&s);

	/* a torn tail: the records before it are used */
	assert_int_equal(truncate(path, FP_LEDGER_HEADER_SIZE + 10000 * 64 - 64), 0);
	assert_int_equal(fp_rs_scan(&s, path, &hdr, &truncated, note, sizeof(note), err, sizeof(err)), 0);
	assert_true(truncated);
	assert_true(note[0] != '\0');
	assert_true(s.records > 0 && s.records < 10000);
	fp_rs_free(&s);

	/* damage in the first block is an error */
	write_ledger(path, 10000);
	f = fopen(path, "r+");
	assert_non_null(f);
	fseek(f, FP_LEDGER_HEADER_SIZE + 1000, SEEK_SET);
	fputc(0x5a, f);
	fclose(f);
	assert_int_equal(fp_rs_scan(&s, path, &hdr, &truncated, note, sizeof(note), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "damaged"));
	fp_rs_free(&s);

	/* not there */
	unlink(path);
	assert_int_equal(fp_rs_scan(&s, path, &hdr, &truncated, note, sizeof(note), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "run.ledger"));
	fp_rs_free(&s);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_second_counts_and_percentiles),
		cmocka_unit_test(test_late_record_counted_outside_percentiles),
		cmocka_unit_test(test_failover_outage_and_promotion),
		cmocka_unit_test(test_no_outage_and_promotion_by_server),
		cmocka_unit_test(test_sustained_is_median_of_inner_seconds),
		cmocka_unit_test(test_scan_whole_truncated_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
