/*
 * export_seconds.h - a run's ledger bucketed into seconds, for
 * client_seconds.csv.
 *
 * Second k covers [origin + k s, origin + (k+1) s), origin being the run's
 * start (the ledger header's start time).  Each write is counted once, in
 * the second its event happened:
 *   sent      - when it was sent (every write but a missed one);
 *   acked, failed, in_doubt - when its fate became known (done);
 *   missed    - when it was due (it was never sent).
 * So the columns of all seconds add up to the run's totals exactly.  The
 * latency of an acknowledged write (from the moment it was scheduled to its
 * acknowledgement, as the run measures it) goes to the second it was
 * acknowledged.
 *
 * Memory stays small for any length of run: counts are kept for every
 * second, histograms only for a sliding window of FP_SECS_WINDOW seconds
 * behind the newest acknowledgement seen.  The ledger is written in the
 * order writes end, give or take a flush interval, so nothing falls behind
 * the window in practice; a latency that does is counted in `late` and left
 * out of its second's percentiles (not of its max, which is exact).
 */
#ifndef FP_EXPORT_SECONDS_H
#define FP_EXPORT_SECONDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hist.h"
#include "ledger.h"

#define FP_SECS_WINDOW 64

/* One second of the run. */
typedef struct fp_sec_row
{
	uint64_t	sent;
	uint64_t	acked;
	uint64_t	failed;
	uint64_t	in_doubt;
	uint64_t	missed;
	uint64_t	latencies;		/* latencies recorded (acked writes) */
	uint64_t	p50_us;			/* percentiles of those latencies; */
	uint64_t	p90_us;			/* valid when latencies > 0 */
	uint64_t	p99_us;
	uint64_t	p999_us;
	uint64_t	max_us;
} fp_sec_row;

typedef struct fp_secs
{
	int64_t		origin_us;		/* second 0 starts here (wall clock) */
	fp_sec_row *rows;			/* rows[0 .. n-1] */
	int64_t		n;
	int64_t		cap;
	fp_hist		ring[FP_SECS_WINDOW];	/* histogram of second ring_sec[i] */
	int64_t		ring_sec[FP_SECS_WINDOW];	/* -1: slot unused */
	int64_t		newest;			/* latest second with a latency; -1 none */
	uint64_t	late;			/* latencies left out of the percentiles */
} fp_secs;

/* Start empty; returns 0, or -1 out of memory. */
int			fp_secs_init(fp_secs *s, int64_t origin_us);

/* Count one ledger record.  Returns 0, or -1 out of memory. */
int			fp_secs_add(fp_secs *s, const fp_record *rec);

/* Compute the percentiles still open; call once, after the last add. */
void		fp_secs_finish(fp_secs *s);

void		fp_secs_free(fp_secs *s);

/* client_seconds.csv: a header, then one row per second from 0 to the last
 * (seconds without events included, as zeros).  Returns 0 or -1 (I/O). */
int			fp_secs_write_csv(const fp_secs *s, FILE *f);

#endif
