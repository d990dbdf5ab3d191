/*
 * test_stage_verdict.c - a stage's verdict names what gave way in the order
 * it did, from the once-a-second series, and says when.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stage_verdict.h"

/* 4 s at 1000/s, p99 objective 100 ms, errors 0.1 % */
static fp_config cfg = {.slo_p99_ms = 100, .slo_errors = 0.001};
static fp_schedule sched;
static fp_second sec[4];
static fp_series series = {sec, 4, 4};

/* Second i (1-based) of the run: acks and p99 in it, all due writes sent. */
static void
second(int i, uint64_t acked, uint64_t bad, double p99_ms)
{
	fp_second  *s = &sec[i - 1];

	memset(s, 0, sizeof(*s));
	s->t = i;
	s->counts.sent = 1000;
	s->counts.acked = acked;
	s->counts.failed = bad;
	s->p99_ms = p99_ms;
}

static fp_stage_tally
tally_of_series(double p99_ms)
{
	fp_stage_tally t = {.seconds = 4, .due = 4000, .p99_ms = p99_ms};

	for (int i = 0; i < 4; i++)
	{
		t.acks += sec[i].counts.acked;
		t.bad += sec[i].counts.failed;
	}
	return t;
}

static const fp_stage_span span = {&sched, &series, 0, 4};

/* Throughput fell short in the 2nd second, latency went over in the 3rd. */
static void
test_throughput_first(void **state)
{
	char		reason[320];
	fp_stage_tally t;

	(void) state;
	second(1, 1000, 0, 10);
	second(2, 800, 0, 20);
	second(3, 1000, 0, 150);
	second(4, 1000, 0, 300);
	t = tally_of_series(250);
	assert_false(fp_stage_judge(&cfg, &t, &span, reason, sizeof(reason)));
	assert_string_equal(reason, "throughput: 950/s acknowledged < 97 % of 1000/s due (from 2 s); "
						"latency: p99 250.0 ms > 100.0 ms (from 3 s)");
}

/* Errors first, then latency; the same second for two: latency first. */
static void
test_order_and_ties(void **state)
{
	char		reason[320];
	fp_stage_tally t;

	(void) state;
	second(1, 990, 10, 10);
	second(2, 1000, 0, 120);
	second(3, 990, 10, 20);
	second(4, 1000, 0, 20);
	t = tally_of_series(150);
	assert_false(fp_stage_judge(&cfg, &t, &span, reason, sizeof(reason)));
	assert_non_null(strstr(reason, "errors: 0.50 %"));
	assert_true(strstr(reason, "errors") < strstr(reason, "latency"));
	assert_non_null(strstr(reason, "(from 1 s); latency"));

	second(1, 800, 10, 500);	/* all three in the first second */
	t = tally_of_series(500);
	assert_false(fp_stage_judge(&cfg, &t, &span, reason, sizeof(reason)));
	assert_true(strncmp(reason, "latency", 7) == 0);
	assert_true(strstr(reason, "errors") < strstr(reason, "throughput"));
}

/* While the run goes there is no series: the fixed order, no times. */
static void
test_without_series(void **state)
{
	char		reason[320];
	fp_stage_tally t = {.seconds = 4, .due = 4000, .bad = 100, .acks = 3000, .p99_ms = 500};

	(void) state;
	assert_false(fp_stage_judge(&cfg, &t, NULL, reason, sizeof(reason)));
	assert_true(strncmp(reason, "latency", 7) == 0);
	assert_true(strstr(reason, "errors") < strstr(reason, "throughput"));
	assert_null(strstr(reason, "(from"));
}

/* What the series never showed comes last, without a time; a met stage says nothing. */
static void
test_unseen_and_met(void **state)
{
	char		reason[320];
	fp_stage_tally t;

	(void) state;
	for (int i = 1; i <= 4; i++)
		second(i, 1000, 0, i == 4 ? 150 : 10);
	t = tally_of_series(150);
	t.acks = 3000;				/* the ledger saw a shortfall the series did not */
	assert_false(fp_stage_judge(&cfg, &t, &span, reason, sizeof(reason)));
	assert_string_equal(reason, "latency: p99 150.0 ms > 100.0 ms (from 4 s); "
						"throughput: 750/s acknowledged < 97 % of 1000/s due");
	t = tally_of_series(50);
	assert_true(fp_stage_judge(&cfg, &t, &span, reason, sizeof(reason)));
	assert_string_equal(reason, "");
}

int
main(void)
{
	fp_stage	st = {4, 1000, 1000};
	char		err[128];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_throughput_first),
		cmocka_unit_test(test_order_and_ties),
		cmocka_unit_test(test_without_series),
		cmocka_unit_test(test_unseen_and_met),
	};

	if (fp_schedule_init(&sched, &st, 1, 1, 1, err, sizeof(err)) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
