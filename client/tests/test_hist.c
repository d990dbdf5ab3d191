/*
 * test_hist.c - cmocka unit tests for the latency histogram (hist.c).
 *
 * The percentile tests compare the histogram against exact order statistics
 * of the same data, sorted, on reproducible pseudo-random inputs (a fixed
 * seed xorshift, so a failure can be replayed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "hist.h"

#define N_VALUES 100000

/* Percentiles under test, in per-mille so exact ranks need no floats. */
static const unsigned pcts_pm[] = {500, 900, 990, 999, 1000};
#define N_PCTS (sizeof(pcts_pm) / sizeof(pcts_pm[0]))

/* ---- fixed-seed PRNG: rand() differs between libcs ---- */

static uint64_t rng_state;

static void
rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9E3779B97F4A7C15ull;
}

static uint64_t
rng_next(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [lo, hi]; the modulo bias is irrelevant for these tests. */
static uint64_t
rng_range(uint64_t lo, uint64_t hi)
{
	return lo + rng_next() % (hi - lo + 1);
}

/*
 * Log-uniform in [lo, hi]: pick an exponent, then a uniform value within
 * that power of two, so every decade gets its share without using libm.
 */
static uint64_t
rng_log_uniform(uint64_t lo, uint64_t hi)
{
	for (;;)
	{
		int			k = (int) rng_range(0, 63 - __builtin_clzll(hi));
		uint64_t	v = rng_range((uint64_t) 1 << k, ((uint64_t) 2 << k) - 1);

		if (v >= lo && v <= hi)
			return v;
	}
}

/* ---- distributions ---- */

static uint64_t
gen_uniform(void)
{
	return rng_range(1, 1000000);
}

static uint64_t
gen_log_uniform(void)
{
	return rng_log_uniform(1, 3600ull * 1000000);	/* 1 us .. 1 h */
}

static uint64_t
gen_bimodal(void)
{
	/* fast path around 1 ms, slow tail around 200 ms */
	if (rng_range(0, 9) < 9)
		return rng_range(900, 1100);
	return rng_range(180000, 220000);
}

static uint64_t
gen_beyond_max(void)
{
	/* about a fifth of the values lie above FP_HIST_MAX_US (2^32) */
	return rng_log_uniform(1000, (uint64_t) 1 << 40);
}

/* ---- helpers ---- */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a;
	uint64_t	y = *(const uint64_t *) b;

	return (x > y) - (x < y);
}

/* sorted[ceil(pm/1000 * n) - 1], in integers */
static uint64_t
exact_percentile(const uint64_t *sorted, size_t n, unsigned pm)
{
	size_t		rank = (pm * n + 999) / 1000;

	return sorted[(rank ? rank : 1) - 1];
}

static uint64_t *
make_values(uint64_t (*gen) (void), uint64_t seed, size_t n)
{
	uint64_t   *v = malloc(n * sizeof(*v));

	assert_non_null(v);
	rng_seed(seed);
	for (size_t i = 0; i < n; i++)
		v[i] = gen();
	return v;
}

/*
 * Feed values to a fresh histogram and check every percentile against the
 * sorted data: never below the exact value (the answer is a bucket's upper
 * edge) and at most 1 % above it.
 */
static void
check_against_exact(uint64_t (*gen) (void), uint64_t seed)
{
	uint64_t   *v = make_values(gen, seed, N_VALUES);
	fp_hist		h;
	double		sum = 0.0;

	assert_int_equal(fp_hist_init(&h), 0);
	for (size_t i = 0; i < N_VALUES; i++)
	{
		fp_hist_record(&h, v[i]);
		sum += (double) v[i];
	}
	qsort(v, N_VALUES, sizeof(*v), cmp_u64);

	assert_int_equal(h.total, N_VALUES);
	assert_int_equal(h.min, v[0]);
	assert_int_equal(h.max, v[N_VALUES - 1]);
	assert_float_equal(fp_hist_mean(&h), sum / N_VALUES, sum / N_VALUES * 1e-9);

	for (size_t j = 0; j < N_PCTS; j++)
	{
		uint64_t	exact = exact_percentile(v, N_VALUES, pcts_pm[j]);
		uint64_t	got = fp_hist_percentile(&h, pcts_pm[j] / 10.0);

		if (pcts_pm[j] == 1000)
			assert_int_equal(got, v[N_VALUES - 1]);
		if (exact > FP_HIST_MAX_US)
			continue;			/* clamped: only the true max is kept */
		assert_true(got >= exact);
		assert_true(got - exact <= exact / 100);
	}
	fp_hist_free(&h);
	free(v);
}

/* ---- tests ---- */

static void
test_empty(void **state)
{
	fp_hist		h;
	fp_hist		zeroed = {0};

	(void) state;
	assert_int_equal(fp_hist_init(&h), 0);
	assert_non_null(h.counts);
	assert_true(h.nbuckets > 0);
	assert_int_equal(h.total, 0);
	assert_int_equal(h.min, 0);
	assert_int_equal(h.max, 0);
	for (size_t j = 0; j < N_PCTS; j++)
		assert_int_equal(fp_hist_percentile(&h, pcts_pm[j] / 10.0), 0);
	assert_int_equal(fp_hist_percentile(&h, 0.0), 0);
	assert_int_equal(fp_hist_percentile(&h, 150.0), 0);
	assert_float_equal(fp_hist_mean(&h), 0.0, 0.0);
	fp_hist_free(&h);
	assert_null(h.counts);
	fp_hist_free(&zeroed);		/* must be harmless */
}

static void
test_uniform(void **state)
{
	(void) state;
	check_against_exact(gen_uniform, 1);
}

static void
test_log_uniform(void **state)
{
	(void) state;
	check_against_exact(gen_log_uniform, 2);
}

static void
test_bimodal(void **state)
{
	(void) state;
	check_against_exact(gen_bimodal, 3);
}

static void
test_beyond_max(void **state)
{
	uint64_t   *v = make_values(gen_beyond_max, 4, N_VALUES);
	size_t		above = 0;

	(void) state;
	/* the data must really exercise clamping, or the test proves nothing */
	for (size_t i = 0; i < N_VALUES; i++)
		above += v[i] > FP_HIST_MAX_US;
	assert_true(above > N_VALUES / 100);
	free(v);
	check_against_exact(gen_beyond_max, 4);
}

/*
 * Around every power of two the bucket width changes; put one value just
 * below, at and above each, with a larger value recorded too so that the
 * cap at max does not hide the bucket's upper edge.
 */
static void
test_bucket_edges(void **state)
{
	fp_hist		h;

	(void) state;
	assert_int_equal(fp_hist_init(&h), 0);
	for (int k = 1; k <= 32; k++)
	{
		for (int64_t d = -2; d <= 2; d++)
		{
			uint64_t	v = ((uint64_t) 1 << k) + (uint64_t) d;
			uint64_t	got;

			if (v >= FP_HIST_MAX_US)
				continue;
			fp_hist_reset(&h);
			fp_hist_record(&h, v);
			fp_hist_record(&h, UINT64_MAX);
			got = fp_hist_percentile(&h, 50.0);
			assert_true(got >= v);
			assert_true(got - v <= v / 128);
		}
	}
	fp_hist_free(&h);
}

static void
test_small_exact(void **state)
{
	fp_hist		h;
	const uint64_t reps = 10;

	(void) state;
	assert_int_equal(fp_hist_init(&h), 0);
	for (uint64_t v = 0; v < 128; v++)
		for (uint64_t r = 0; r < reps; r++)
			fp_hist_record(&h, v);

	/* aim at the middle of each value's run of ranks, away from rounding */
	for (uint64_t v = 0; v < 128; v++)
	{
		double		pct = (double) (v * reps + reps / 2) * 100.0 / (double) h.total;

		assert_int_equal(fp_hist_percentile(&h, pct), v);
	}
	assert_int_equal(h.min, 0);
	assert_int_equal(h.max, 127);
	assert_float_equal(fp_hist_mean(&h), 63.5, 1e-9);
	fp_hist_free(&h);
}

static void
test_pct_clamped(void **state)
{
	fp_hist		h;

	(void) state;
	assert_int_equal(fp_hist_init(&h), 0);
	fp_hist_record(&h, 7);
	fp_hist_record(&h, 50);
	fp_hist_record(&h, 1000000);
	assert_int_equal(fp_hist_percentile(&h, 0.0), 7);
	assert_int_equal(fp_hist_percentile(&h, -3.0), 7);
	assert_int_equal(fp_hist_percentile(&h, 100.0), 1000000);
	assert_int_equal(fp_hist_percentile(&h, 250.0), 1000000);
	fp_hist_free(&h);
}

/*
 * The rank is ceil(pct/100 * n): a fractional rank rounds up, and a product
 * that float arithmetic nudges just above an integer must not.  Values below
 * 128 are exact, so a rank off by one shows as a different value.
 */
static void
test_rank_rounding(void **state)
{
	fp_hist		h;

	(void) state;
	assert_int_equal(fp_hist_init(&h), 0);
	fp_hist_record(&h, 10);
	fp_hist_record(&h, 20);
	fp_hist_record(&h, 30);
	assert_int_equal(fp_hist_percentile(&h, 50.0), 20);	/* rank 1.5 -> 2 */
	assert_int_equal(fp_hist_percentile(&h, 33.0), 10);	/* 0.99 -> 1 */
	assert_int_equal(fp_hist_percentile(&h, 34.0), 20);	/* 1.02 -> 2 */

	/* 99.9 % of 1000 is rank 999 exactly, though 99.9 / 100 * 1000 is not */
	fp_hist_reset(&h);
	for (int i = 0; i < 999; i++)
		fp_hist_record(&h, 10);
	fp_hist_record(&h, 20);
	assert_int_equal(fp_hist_percentile(&h, 99.9), 10);
	assert_int_equal(fp_hist_percentile(&h, 99.95), 20);

	/* 8.8 % of 375 is rank 33, yet 8.8 * 375 / 100 is 33.00000000000001 */
	fp_hist_reset(&h);
	for (int i = 0; i < 375; i++)
		fp_hist_record(&h, i < 33 ? 10 : 20);
	assert_int_equal(fp_hist_percentile(&h, 8.8), 10);
	fp_hist_free(&h);
}

static void
test_merge(void **state)
{
	uint64_t   *a = make_values(gen_log_uniform, 5, N_VALUES);
	uint64_t   *b = make_values(gen_bimodal, 6, N_VALUES);
	fp_hist		ha, hb, both, empty;

	(void) state;
	assert_int_equal(fp_hist_init(&ha), 0);
	assert_int_equal(fp_hist_init(&hb), 0);
	assert_int_equal(fp_hist_init(&both), 0);
	assert_int_equal(fp_hist_init(&empty), 0);
	for (size_t i = 0; i < N_VALUES; i++)
	{
		fp_hist_record(&ha, a[i]);
		fp_hist_record(&hb, b[i]);
		fp_hist_record(&both, a[i]);
		fp_hist_record(&both, b[i]);
	}

	fp_hist_merge(&ha, &hb);
	assert_int_equal(ha.total, both.total);
	assert_int_equal(ha.min, both.min);
	assert_int_equal(ha.max, both.max);
	assert_float_equal(ha.sum, both.sum, both.sum * 1e-12);
	assert_memory_equal(ha.counts, both.counts,
						(size_t) both.nbuckets * sizeof(uint64_t));
	for (size_t j = 0; j < N_PCTS; j++)
		assert_int_equal(fp_hist_percentile(&ha, pcts_pm[j] / 10.0),
						 fp_hist_percentile(&both, pcts_pm[j] / 10.0));

	/* an empty src changes nothing, not even min (whose 0 means "none") */
	fp_hist_merge(&ha, &empty);
	assert_int_equal(ha.total, both.total);
	assert_int_equal(ha.min, both.min);
	assert_int_equal(ha.max, both.max);

	/* into an empty dst, src's min must win over dst's placeholder 0 */
	fp_hist_merge(&empty, &hb);
	assert_int_equal(empty.total, hb.total);
	assert_int_equal(empty.min, hb.min);
	assert_true(empty.min > 0);
	assert_int_equal(empty.max, hb.max);
	assert_int_equal(fp_hist_percentile(&empty, 50.0),
					 fp_hist_percentile(&hb, 50.0));

	fp_hist_free(&ha);
	fp_hist_free(&hb);
	fp_hist_free(&both);
	fp_hist_free(&empty);
	free(a);
	free(b);
}

static void
test_reset(void **state)
{
	fp_hist		h;

	(void) state;
	assert_int_equal(fp_hist_init(&h), 0);
	fp_hist_record(&h, 3);
	fp_hist_record(&h, 123456);
	fp_hist_record(&h, FP_HIST_MAX_US * 2);
	fp_hist_reset(&h);

	assert_non_null(h.counts);
	assert_int_equal(h.total, 0);
	assert_int_equal(h.min, 0);
	assert_int_equal(h.max, 0);
	assert_float_equal(fp_hist_mean(&h), 0.0, 0.0);
	assert_int_equal(fp_hist_percentile(&h, 100.0), 0);
	for (int i = 0; i < h.nbuckets; i++)
		assert_int_equal(h.counts[i], 0);

	/* usable again, with no trace of the old min (3) or max */
	fp_hist_record(&h, 500);
	fp_hist_record(&h, 700);
	assert_int_equal(h.total, 2);
	assert_int_equal(h.min, 500);
	assert_int_equal(h.max, 700);
	assert_int_equal(fp_hist_percentile(&h, 100.0), 700);
	assert_float_equal(fp_hist_mean(&h), 600.0, 1e-9);
	fp_hist_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_log_uniform),
		cmocka_unit_test(test_bimodal),
		cmocka_unit_test(test_beyond_max),
		cmocka_unit_test(test_bucket_edges),
		cmocka_unit_test(test_small_exact),
		cmocka_unit_test(test_pct_clamped),
		cmocka_unit_test(test_rank_rounding),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
