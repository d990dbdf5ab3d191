/*
 * test_export.c - cmocka unit tests for `failprobe export`'s pure parts:
 * CSV quoting and number/time fields (export_csv.c), the per-second
 * bucketing of ledger records (export_seconds.c) and a writes.csv row
 * (export_writes.c).  Output is written to memory streams and compared
 * with the exact text expected.
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

#include "export_csv.h"
#include "export_seconds.h"
#include "export_server.h"
#include "export_writes.h"

#define ORIGIN 1700000000000000LL	/* 2023-11-14T22:13:20Z */

/* Run fn on a CSV writer over a memory stream; returns the text (free it). */
static char *
capture(void (*fn) (fp_csv *))
{
	char	   *buf = NULL;
	size_t		len = 0;
	FILE	   *f = open_memstream(&buf, &len);
	fp_csv		c;

	fp_csv_init(&c, f);
	fn(&c);
	fclose(f);
	return buf;
}

static void
quoting_row(fp_csv *c)
{
	fp_csv_text(c, "plain");
	fp_csv_text(c, "a,b");
	fp_csv_text(c, "say \"hi\"");
	fp_csv_text(c, "two\nlines");
	fp_csv_text(c, NULL);
	fp_csv_text(c, "");
	fp_csv_text(c, "cr\r");
	fp_csv_end(c);
}

static void
test_quoting(void **state)
{
	char	   *out = capture(quoting_row);

	(void) state;
	assert_string_equal(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,,\"cr\r\"\n");
	free(out);
}

static void
number_row(fp_csv *c)
{
	fp_csv_num(c, 12.5, 3);
	fp_csv_num(c, 3.0, 3);
	fp_csv_num(c, 0.0014, 3);
	fp_csv_num(c, -0.0001, 3);
	fp_csv_num(c, 1.0 / 0.0, 3);
	fp_csv_int(c, -42);
	fp_csv_null(c);
	fp_csv_end(c);
	fp_csv_int(c, 7);
	fp_csv_end(c);
}

static void
test_numbers(void **state)
{
	char	   *out = capture(number_row);

	(void) state;
	assert_string_equal(out, "12.5,3,0.001,0,,-42,\n7\n");
	free(out);
}

static void
test_time_and_lsn(void **state)
{
	char		buf[32];

	(void) state;
	fp_csv_time(buf, ORIGIN + 123456);
	assert_string_equal(buf, "2023-11-14T22:13:20.123456Z");
	fp_csv_time(buf, ORIGIN + 999999);	/* same second: the cached date part */
	assert_string_equal(buf, "2023-11-14T22:13:20.999999Z");
	fp_csv_time(buf, ORIGIN + 86400LL * 1000000 + 5);
	assert_string_equal(buf, "2023-11-15T22:13:20.000005Z");
	fp_csv_lsn(buf, sizeof(buf), ((uint64_t) 0x1A << 32) | 0x3000148);
	assert_string_equal(buf, "1A/3000148");
}

static fp_record
rec(int outcome, int64_t sched, int64_t sent, int64_t done)
{
	fp_record	r;

	memset(&r, 0, sizeof(r));
	r.outcome = (uint8_t) outcome;
	r.scheduled_us = sched ? ORIGIN + sched : 0;
	r.sent_us = sent ? ORIGIN + sent : 0;
	r.done_us = done ? ORIGIN + done : 0;
	r.seq = 1;
	return r;
}

/* Each count lands in the second of its own event; totals add up. */
static void
test_bucketing(void **state)
{
	fp_secs		s;
	fp_record	r[] = {
		rec(FP_OUT_ACKED, 100000, 100100, 300000),	/* sent s0, acked s0, 200 ms */
		rec(FP_OUT_ACKED, 900000, 950000, 1100000),	/* sent s0, acked s1, 200 ms */
		rec(FP_OUT_FAILED, 1200000, 1200100, 1300000),	/* s1 */
		rec(FP_OUT_IN_DOUBT, 1900000, 1950000, 4500000),	/* sent s1, in doubt s4 */
		rec(FP_OUT_MISSED, 3500000, 0, 3500000),	/* missed s3, never sent */
	};
	uint64_t	sent = 0, acked = 0, failed = 0, in_doubt = 0, missed = 0;

	(void) state;
	assert_int_equal(fp_secs_init(&s, ORIGIN), 0);
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		assert_int_equal(fp_secs_add(&s, &r[i]), 0);
	fp_secs_finish(&s);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.rows[0].sent, 2);
	assert_int_equal(s.rows[0].acked, 1);
	assert_int_equal(s.rows[1].sent, 2);
	assert_int_equal(s.rows[1].acked, 1);
	assert_int_equal(s.rows[1].failed, 1);
	assert_int_equal(s.rows[2].sent + s.rows[2].acked, 0);
	assert_int_equal(s.rows[3].missed, 1);
	assert_int_equal(s.rows[3].sent, 0);
	assert_int_equal(s.rows[4].in_doubt, 1);
	for (int64_t k = 0; k < s.n; k++)
	{
		sent += s.rows[k].sent;
		acked += s.rows[k].acked;
		failed += s.rows[k].failed;
		in_doubt += s.rows[k].in_doubt;
		missed += s.rows[k].missed;
	}
	assert_int_equal(sent, 4);
	assert_int_equal(acked + failed + in_doubt, sent);
	assert_int_equal(missed, 1);
	/* latency from the schedule, not from the send */
	assert_int_equal(s.rows[0].max_us, 200000);
	assert_int_equal(s.rows[1].max_us, 200000);
	assert_true(s.rows[1].p50_us >= 198000 && s.rows[1].p50_us <= 200000);
	fp_secs_free(&s);
}

/* Percentiles per second match exact ranks within the histogram's 1 %. */
static void
test_percentiles(void **state)
{
	fp_secs		s;

	(void) state;
	fp_secs_init(&s, ORIGIN);
	for (int i = 1; i <= 1000; i++)
	{
		/* second 2: latencies 1..1000 ms, acked within that second */
		fp_record	r = rec(FP_OUT_ACKED, 1000000, 1000000, 2000000 + i * 997);

		r.scheduled_us = r.done_us - i * 1000;
		fp_secs_add(&s, &r);
	}
	fp_secs_finish(&s);
	assert_int_equal(s.rows[2].acked, 1000);
	assert_true(s.rows[2].p50_us >= 495000 && s.rows[2].p50_us <= 505000);
	assert_true(s.rows[2].p99_us >= 985000 && s.rows[2].p99_us <= 995000);
	assert_int_equal(s.rows[2].max_us, 1000000);
	fp_secs_free(&s);
}

/* A run longer than the window: every second closed with its own values;
 * a latency far behind the window is counted late, not misfiled. */
static void
test_window(void **state)
{
	fp_secs		s;
	fp_record	r;

	(void) state;
	fp_secs_init(&s, ORIGIN);
	for (int k = 0; k < 3 * FP_SECS_WINDOW; k++)
	{
		r = rec(FP_OUT_ACKED, 0, 0, 0);
		r.done_us = ORIGIN + k * 1000000LL + 500000;
		r.scheduled_us = r.done_us - (k + 1) * 1000;	/* k+1 ms */
		r.sent_us = r.scheduled_us;
		assert_int_equal(fp_secs_add(&s, &r), 0);
	}
	r.done_us = ORIGIN + 500000;	/* second 0, long closed */
	r.scheduled_us = r.done_us - 777000;
	r.sent_us = r.scheduled_us;
	fp_secs_add(&s, &r);
	fp_secs_finish(&s);
	assert_int_equal(s.late, 1);
	for (int k = 0; k < 3 * FP_SECS_WINDOW; k++)
	{
		uint64_t	want = (uint64_t) (k + 1) * 1000;

		assert_true(s.rows[k].p50_us >= want * 99 / 100 && s.rows[k].p50_us <= want);
	}
	assert_int_equal(s.rows[0].max_us, 777000);	/* max stays exact */
	assert_int_equal(s.rows[0].acked, 2);
	fp_secs_free(&s);
}

static void
writes_rows(fp_csv *c)
{
	fp_record	a = rec(FP_OUT_ACKED, 1000, 1500, 3500);
	fp_record	m = rec(FP_OUT_MISSED, 2000, 0, 0);
	fp_record	f = rec(FP_OUT_FAILED, 1000, 1000, 2000);

	a.worker = 3;
	a.seq = 17;
	a.commit_lsn = ((uint64_t) 0 << 32) | 0x3000148;
	a.tli = 2;
	a.server = 1;
	fp_record_set_commit_us(&a, a.done_us - 250);
	memcpy(f.sqlstate, "25006", 5);
	fp_writes_header(c);
	fp_writes_row(c, &a);
	fp_writes_row(c, &m);
	fp_writes_row(c, &f);
}

static void
test_writes(void **state)
{
	char	   *out = capture(writes_rows);

	(void) state;
	assert_string_equal(out,
		"worker,seq,outcome,scheduled_at,scheduled_us,sent_at,sent_us,done_at,done_us,"
		"latency_ms,commit_lsn,tli,server,sqlstate,commit_at,commit_us\n"
		"3,17,acked,2023-11-14T22:13:20.001000Z,1700000000001000,2023-11-14T22:13:20.001500Z,"
		"1700000000001500,2023-11-14T22:13:20.003500Z,1700000000003500,2.5,0/3000148,2,1,,"
		"2023-11-14T22:13:20.003250Z,1700000000003250\n"
		"0,1,missed,2023-11-14T22:13:20.002000Z,1700000000002000,,,,,,,,,,,\n"
		"0,1,failed,2023-11-14T22:13:20.001000Z,1700000000001000,2023-11-14T22:13:20.001000Z,"
		"1700000000001000,2023-11-14T22:13:20.002000Z,1700000000002000,1,,,,25006,,\n");
	free(out);
}

/* Standbys become columns per name, write, flush and replay lag first. */
static void
test_server_standbys(void **state)
{
	json_t	   *samples = json_loads(
		"[{\"t_us\":1700000000000000,\"ok\":true,\"host\":\"a\",\"port\":5432,\"replication\":"
		"  [{\"application_name\":\"s1\",\"write_lag_ms\":0.5,\"flush_lag_ms\":1.25,"
		"    \"replay_lag_ms\":2,\"lag_bytes\":300}]},"
		" {\"t_us\":1700000001000000,\"ok\":false,\"error\":\"gone\"}]", 0, NULL);
	char	   *out = NULL;
	size_t		len = 0;
	FILE	   *f = open_memstream(&out, &len);

	(void) state;
	assert_non_null(samples);
	assert_int_equal(fp_server_csv(samples, f), 0);
	fclose(f);
	assert_non_null(strstr(out, "wal_bytes_per_s,s1.write_lag_ms,s1.flush_lag_ms,s1.replay_lag_ms,"
						   "s1.lag_bytes,error\n"));
	assert_non_null(strstr(out, ",0.5,1.25,2,300,\n"));
	assert_non_null(strstr(out, "false,,,,,,,,,,,,,,gone\n"));
	free(out);
	json_decref(samples);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_time_and_lsn),
		cmocka_unit_test(test_bucketing),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_writes),
		cmocka_unit_test(test_server_standbys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
