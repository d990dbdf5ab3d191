/*
 * hist.h - a log-linear latency histogram (HDR style).
 *
 * Records values in microseconds from 0 up to FP_HIST_MAX_US (about 71
 * minutes; larger values are clamped to it and still counted) with at most
 * 1 % relative error: each power-of-two range is split into 128 linear
 * sub-buckets.  Each load thread owns its own histograms, so recording takes
 * no lock; histograms are merged after the threads join.
 */
#ifndef FP_HIST_H
#define FP_HIST_H

#include <stdint.h>

#define FP_HIST_MAX_US ((uint64_t) 1 << 32)

typedef struct fp_hist
{
	uint64_t   *counts;			/* one counter per bucket */
	int			nbuckets;
	uint64_t	total;			/* values recorded */
	uint64_t	min;			/* smallest value recorded (exact); 0 if none */
	uint64_t	max;			/* largest value recorded (exact, unclamped) */
	double		sum;			/* for the mean */
} fp_hist;

/* Set up an empty histogram.  Returns 0, or -1 when out of memory. */
int			fp_hist_init(fp_hist *h);

/* Release the memory of h (h may be zeroed or initialised). */
void		fp_hist_free(fp_hist *h);

/* Forget every value; keeps the memory. */
void		fp_hist_reset(fp_hist *h);

/* Count one value, in microseconds. */
void		fp_hist_record(fp_hist *h, uint64_t us);

/* Add every value of src to dst (both initialised). */
void		fp_hist_merge(fp_hist *dst, const fp_hist *src);

/*
 * The value at percentile pct (0 < pct <= 100): the smallest recorded value
 * v such that at least pct % of the values are <= v, within 1 % (the upper
 * edge of v's bucket, never above max).  0 when the histogram is empty.
 */
uint64_t	fp_hist_percentile(const fp_hist *h, double pct);

/* Mean of the values recorded; 0 when empty. */
double		fp_hist_mean(const fp_hist *h);

#endif
