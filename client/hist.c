/*
 * hist.c - the log-linear latency histogram declared in hist.h.
 *
 * Load threads record one value per request, 100k+ times a second, so
 * fp_hist_record() must be a handful of instructions: the bucket index comes
 * from the position of the top set bit (one clz), never from a loop or a
 * logarithm.  All the work of turning counts back into values is left to
 * fp_hist_percentile(), which runs once per report.
 *
 * Layout (SUB = 128 sub-buckets per power of two):
 *   values 0 .. 255           one bucket each, index = value (exact);
 *   values [2^k, 2^(k+1)), k>=8
 *                             128 buckets of width 2^(k-7) each.
 * A bucket starting at v is at most v/128 wide, so any value in it is within
 * 1/128 (< 1 %) of the bucket's upper edge.  FP_HIST_MAX_US (2^32) opens the
 * last bucket; everything above it is clamped there.
 */
#include "hist.h"

#include <stdlib.h>
#include <string.h>

#define SUB_BITS 7
#define SUB ((uint64_t) 1 << SUB_BITS)

/*
 * Bucket of us, for us <= FP_HIST_MAX_US.  With k the top set bit of us
 * (k >= SUB_BITS) and shift = k - SUB_BITS, us >> shift lies in [SUB, 2*SUB),
 * so consecutive powers of two occupy consecutive runs of SUB indexes, and
 * below 2*SUB the formula degenerates to index == us without a branch of
 * its own.  Values below SUB have no top bit at or above SUB_BITS, hence the
 * single test.
 */
static inline int
bucket_of(uint64_t us)
{
	int			shift;

	if (us < SUB)
		return (int) us;
	shift = 63 - __builtin_clzll(us) - SUB_BITS;
	return (int) (((uint64_t) shift << SUB_BITS) + (us >> shift));
}

#define NBUCKETS (bucket_of(FP_HIST_MAX_US) + 1)

/*
 * Largest value that maps to bucket i: the inverse of bucket_of().  The last
 * bucket also holds every clamped value, so it has no upper edge of its own;
 * the caller's cap at max then yields the true maximum.
 */
static uint64_t
bucket_high(int i)
{
	int			shift;
	uint64_t	low;

	if (i >= NBUCKETS - 1)
		return UINT64_MAX;
	if ((uint64_t) i < 2 * SUB)
		return (uint64_t) i;
	shift = (i >> SUB_BITS) - 1;
	low = (SUB + ((uint64_t) i & (SUB - 1))) << shift;
	return low + ((uint64_t) 1 << shift) - 1;
}

int
fp_hist_init(fp_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->counts = calloc(NBUCKETS, sizeof(uint64_t));
	if (h->counts == NULL)
		return -1;
	h->nbuckets = NBUCKETS;
	return 0;
}

void
fp_hist_free(fp_hist *h)
{
	free(h->counts);
	memset(h, 0, sizeof(*h));
}

void
fp_hist_reset(fp_hist *h)
{
	if (h->counts != NULL)
		memset(h->counts, 0, (size_t) h->nbuckets * sizeof(uint64_t));
	h->total = 0;
	h->min = 0;
	h->max = 0;
	h->sum = 0.0;
}

void
fp_hist_record(fp_hist *h, uint64_t us)
{
	uint64_t	clamped = us < FP_HIST_MAX_US ? us : FP_HIST_MAX_US;

	h->counts[bucket_of(clamped)]++;
	/* min/max and sum keep the true value: only the bucket is approximate */
	if (h->total == 0 || us < h->min)
		h->min = us;
	if (us > h->max)
		h->max = us;
	h->total++;
	h->sum += (double) us;
}

void
fp_hist_merge(fp_hist *dst, const fp_hist *src)
{
	if (src->total == 0)
		return;				/* an empty src's min of 0 is no value */
	for (int i = 0; i < dst->nbuckets; i++)
		dst->counts[i] += src->counts[i];
	if (dst->total == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->total += src->total;
	dst->sum += src->sum;
}

/*
 * Rank (1-based) of the value at percentile pct: ceil(pct/100 * total),
 * clamped to [1, total].  pct * total / 100 is used because it lands exactly
 * on integers more often than pct / 100 * total (99.9 % of 100000 would
 * otherwise become 99900.00000000001 and round up to the next rank); a
 * relative slack of 1e-12 absorbs what rounding noise remains.
 */
static uint64_t
rank_of(double pct, uint64_t total)
{
	double		x;
	uint64_t	rank;

	if (!(pct > 0.0))			/* also catches NaN */
		return 1;
	if (pct >= 100.0)
		return total;
	x = pct * (double) total / 100.0;
	rank = (uint64_t) x;
	if ((double) rank < x - x * 1e-12)
		rank++;
	if (rank < 1)
		rank = 1;
	return rank < total ? rank : total;
}

uint64_t
fp_hist_percentile(const fp_hist *h, double pct)
{
	uint64_t	rank;
	uint64_t	seen = 0;
	uint64_t	high;
	int			i;

	if (h->total == 0)
		return 0;
	rank = rank_of(pct, h->total);
	for (i = 0; i < h->nbuckets - 1; i++)
	{
		seen += h->counts[i];
		if (seen >= rank)
			break;
	}

	/*
	 * The bucket's upper edge keeps the answer within 1 % of the true order
	 * statistic and never below it.  Capping at max makes p100 exact; no
	 * lower cap at min is needed, as the upper edge of min's bucket is >= min.
	 */
	high = bucket_high(i);
	return high < h->max ? high : h->max;
}

double
fp_hist_mean(const fp_hist *h)
{
	if (h->total == 0)
		return 0.0;
	return h->sum / (double) h->total;
}
