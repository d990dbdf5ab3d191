/*
 * test_schedule.c - the open-loop schedule: the run's rate is kept in all,
 * connections interleave evenly, and due times do not drift.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "schedule.h"

/* Due time under a steady rate, as a one-stage schedule (cached). */
static int64_t
fp_due_offset_us(double rate, int clients, int burst, int index, uint64_t seq)
{
	static fp_schedule s;
	static double last_rate;
	static int	last_clients, last_burst;
	char		err[128];

	if (rate != last_rate || clients != last_clients || burst != last_burst)
	{
		fp_stage	st = {1e7, rate, rate};

		assert_int_equal(fp_schedule_init(&s, &st, 1, clients, burst, err, sizeof(err)), 0);
		last_rate = rate;
		last_clients = clients;
		last_burst = burst;
	}
	return fp_schedule_due_us(&s, index, seq);
}

static int64_t
count_due_before(const fp_schedule *s, int64_t t_us)
{
	int64_t		n = 0;

	for (int i = 0; i < s->clients; i++)
		for (uint64_t seq = 1; fp_schedule_due_us(s, i, seq) < t_us; seq++)
			n++;
	return n;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a, y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

/* Writes due in [0, span) over all connections equal rate * span. */
static void
test_total_rate(void **state)
{
	const double rates[] = {1, 999, 2000, 8000, 123457};
	const int	clients[] = {1, 3, 8, 64};

	(void) state;
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++)
		for (size_t c = 0; c < sizeof(clients) / sizeof(clients[0]); c++)
		{
			const int64_t span = 2 * 1000000;
			int64_t		n = 0;

			for (int i = 0; i < clients[c]; i++)
				for (uint64_t seq = 1; fp_due_offset_us(rates[r], clients[c], 1, i, seq) < span; seq++)
					n++;
			/* each connection may round its last slot either way */
			assert_true(llabs(n - (int64_t) (rates[r] * 2)) <= clients[c]);
		}
}

/* Merged over connections, consecutive due times are 1/rate apart. */
static void
test_interleaved(void **state)
{
	const double rate = 8000;
	const int	n = 8;
	const int	per = 1000;
	int64_t    *due = malloc(sizeof(int64_t) * n * per);

	(void) state;
	for (int i = 0; i < n; i++)
		for (int s = 0; s < per; s++)
			due[i * per + s] = fp_due_offset_us(rate, n, 1, i, (uint64_t) s + 1);
	qsort(due, (size_t) n * per, sizeof(int64_t), cmp_i64);
	assert_int_equal(due[0], 0);
	for (int k = 1; k < n * per; k++)
	{
		int64_t		gap = due[k] - due[k - 1];

		/* 125 us apart, give or take the truncation to whole microseconds */
		assert_true(gap >= 124 && gap <= 126);
	}
	free(due);
}

/* A week into a run the schedule is still exact to the microsecond. */
static void
test_no_drift(void **state)
{
	const double rate = 3000;	/* 1/3000 s is not a whole microsecond */
	const int	clients = 7;
	uint64_t	seq = (uint64_t) (7 * 86400.0 * rate / clients);
	int64_t		due = fp_due_offset_us(rate, clients, 1, 5, seq);
	double		exact = 1e6 * 5 / rate + 1e6 * clients / rate * (double) (seq - 1);

	(void) state;
	assert_true(llabs(due - (int64_t) exact) <= 1);
	/* and monotonic: a later write is never due earlier */
	assert_true(fp_due_offset_us(rate, clients, 1, 5, seq + 1) > due);
}

/* Bursts keep the rate: groups of B due together, groups evenly spaced. */
static void
test_burst(void **state)
{
	const double rate = 8000;
	const int	n = 16;
	const int	b = 4;
	const int	groups = 200;
	int64_t    *first = malloc(sizeof(int64_t) * n * groups);

	(void) state;
	for (int i = 0; i < n; i++)
		for (int g = 0; g < groups; g++)
		{
			uint64_t	s1 = (uint64_t) g * b + 1;

			first[i * groups + g] = fp_due_offset_us(rate, n, b, i, s1);
			for (int k = 1; k < b; k++)
				assert_int_equal(fp_due_offset_us(rate, n, b, i, s1 + (uint64_t) k),
								 first[i * groups + g]);
		}
	qsort(first, (size_t) n * groups, sizeof(int64_t), cmp_i64);
	/* one group of 4 every 500 us in all: 8000 writes per second */
	for (int k = 1; k < n * groups; k++)
		assert_true(first[k] - first[k - 1] >= 499 && first[k] - first[k - 1] <= 501);
	assert_true(llabs(first[n * groups - 1] - (int64_t) ((n * groups - 1) * 500.0)) <= 1);
	free(first);
}

/* A ramp from 1000/s to 9000/s over 4 s, then 2 s steady at 9000/s. */
static void
test_ramp_and_stages(void **state)
{
	fp_stage	st[2];
	fp_schedule s;
	char		err[128];
	int64_t		prev = -1;

	(void) state;
	assert_int_equal(fp_stages_parse("4s@1000-9000,2000ms@9000", st, 8, err, sizeof(err)), 2);
	assert_int_equal(fp_schedule_init(&s, st, 2, 8, 1, err, sizeof(err)), 0);
	assert_true(fp_schedule_seconds(&s) == 6.0);
	/* writes due by t: 1000 t + 1000 t^2 within the ramp */
	assert_true(llabs(count_due_before(&s, 1000000) - 2000) <= 8);
	assert_true(llabs(count_due_before(&s, 2000000) - 6000) <= 8);
	assert_true(llabs(count_due_before(&s, 4000000) - 20000) <= 8);
	assert_true(llabs(count_due_before(&s, 5000000) - 29000) <= 8);
	/* the last write is due before the end, and nothing after it */
	assert_true(llabs(count_due_before(&s, INT64_MAX - 1) - 38000) <= 8);
	/* one connection's due times never go back, across the stage change */
	for (uint64_t seq = 1; seq < 5000; seq++)
	{
		int64_t		d = fp_schedule_due_us(&s, 3, seq);

		if (d == INT64_MAX)
			break;
		assert_true(d > prev);
		prev = d;
	}
	assert_int_equal(fp_schedule_stage_at(&s, 3999999), 0);
	assert_int_equal(fp_schedule_stage_at(&s, 4000000), 1);
	/* the integral the due times come from, read directly */
	assert_true(fp_schedule_writes_by(&s, -1) == 0);
	assert_true(fabs(fp_schedule_writes_by(&s, 1000000) - 2000) < 1e-6);
	assert_true(fabs(fp_schedule_writes_by(&s, 4000000) - 20000) < 1e-6);
	assert_true(fabs(fp_schedule_writes_by(&s, 5000000) - 29000) < 1e-6);
	assert_true(fabs(fp_schedule_writes_by(&s, 1e12) - 38000) < 1e-6);
	assert_true(llabs(count_due_before(&s, 2500000) - (int64_t) fp_schedule_writes_by(&s, 2500000)) <= 8);
}

static void
test_stage_syntax(void **state)
{
	fp_stage	st[4];
	char		err[256];

	(void) state;
	assert_int_equal(fp_stages_parse("30s@1000,1m@8000,10@16000", st, 4, err, sizeof(err)), 3);
	assert_true(st[1].duration_s == 60 && st[1].from == 8000 && st[1].to == 8000);
	assert_true(st[2].duration_s == 10 && st[2].from == 16000);
	assert_int_equal(fp_stages_parse("30s", st, 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DURATION@RATE"));
	assert_int_equal(fp_stages_parse("30x@100", st, 4, err, sizeof(err)), -1);
	assert_int_equal(fp_stages_parse("30s@0", st, 4, err, sizeof(err)), -1);
	assert_int_equal(fp_stages_parse("30s@100-", st, 4, err, sizeof(err)), -1);
	assert_int_equal(fp_stages_parse("30s@100,", st, 4, err, sizeof(err)), -1);
	assert_int_equal(fp_stages_parse("1s@1,1s@1,1s@1,1s@1,1s@1", st, 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many"));
	/* longer than a run may last: the microsecond clock would overflow */
	assert_int_equal(fp_stages_parse("1e13s@100", st, 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "31 days"));
	assert_int_equal(fp_stages_parse("30000m@100,20000m@100", st, 4, err, sizeof(err)), -1);
	assert_int_equal(fp_stages_parse("20000m@100,20000m@100", st, 4, err, sizeof(err)), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_total_rate),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_no_drift),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_ramp_and_stages),
		cmocka_unit_test(test_stage_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
