/*
 * report_series.h - per-second figures of a run, read from its ledger.
 *
 * The page's timeline is drawn from these: for every second since the run
 * started, the acknowledgements (throughput), the failed, in-doubt and
 * missed writes, and the latency percentiles of the writes acknowledged in
 * that second (from each write's scheduled time to its acknowledgement,
 * like `failprobe run`).  Plus the whole run's latency histogram, the
 * outage (outage.h), the promotion (report_promotion.h) and the SQLSTATEs
 * of the errors.
 *
 * The ledger is streamed once.  A latency histogram is kept per second only
 * while records of that second can still arrive: records reach the ledger
 * nearly in completion order (each thread hands over batches), so a window
 * of FP_RS_WINDOW seconds behind the newest one seen holds them all in
 * practice; a record older than that still counts everywhere except in its
 * second's percentiles, and is counted in `late`.
 */
#ifndef FP_REPORT_SERIES_H
#define FP_REPORT_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "ledger.h"
#include "outage.h"
#include "report_promotion.h"

#define FP_RS_WINDOW 64
#define FP_RS_MAX_SECONDS (32 * 86400)	/* a record further out is out of range */
#define FP_RS_MAX_STATES 64

/* One second of the run: writes whose fate became known in it (missed
 * writes: that came due in it). */
typedef struct fp_rsec
{
	uint64_t	acked;
	uint64_t	failed;
	uint64_t	in_doubt;
	uint64_t	missed;
	uint64_t	p50_us;			/* latency of this second's acks; 0 if none */
	uint64_t	p99_us;
	uint64_t	max_us;
} fp_rsec;

/* How often one SQLSTATE ended a failed or in-doubt write. */
typedef struct fp_rs_state
{
	char		code[6];		/* "" = no SQLSTATE (connection lost) */
	uint64_t	failed;
	uint64_t	in_doubt;
} fp_rs_state;

typedef struct fp_rseries
{
	int64_t		origin_us;		/* second 0 starts here (the run's start) */
	fp_rsec    *sec;
	int			n;				/* seconds 0 .. n-1 */
	int			cap;

	/* latency histograms of the open seconds, slot = second % WINDOW */
	fp_hist		live[FP_RS_WINDOW];
	int			live_sec[FP_RS_WINDOW];	/* the second in the slot; -1 none */

	fp_hist		all;			/* latency of every acknowledged write */
	uint64_t	records;
	uint64_t	acked, failed, in_doubt, missed;
	uint64_t	late;			/* acks left out of their second's percentiles */
	uint64_t	out_of_range;	/* records with times outside the run */
	int64_t		first_due_us;	/* earliest scheduled time */
	int64_t		last_done_us;	/* latest completion */
	fp_rs_state states[FP_RS_MAX_STATES];
	int			nstates;
	fp_outage_scan outage;
	fp_rpromo	promotion;
} fp_rseries;

/* Set up an empty series starting at origin_us; 0, or -1 out of memory. */
int			fp_rs_init(fp_rseries *s, int64_t origin_us);
void		fp_rs_free(fp_rseries *s);

/* Count one record (first pass).  Returns 0, or -1 out of memory. */
int			fp_rs_add(fp_rseries *s, const fp_record *rec);

/* Close the open seconds and work out the outage; true when a second pass
 * (fp_outage_add_second on s->outage) is needed. */
bool		fp_rs_finish(fp_rseries *s);

/* The whole ledger: header into *hdr, every record through the series, the
 * second pass if needed.  A truncated tail is no error: *truncated is set,
 * end_note says what was cut, and the records before it are used.  Returns
 * 0, or -1 with a one-line message in err (missing, not a ledger, damaged
 * in the middle, out of memory). */
int			fp_rs_scan(fp_rseries *s, const char *path, fp_ledger_header *hdr,
					   bool *truncated, char *end_note, size_t notelen,
					   char *err, size_t errlen);

/* Median of the per-second acknowledgements, first and last second left
 * out (partial); over all seconds when there are fewer than 3. */
double		fp_rs_sustained_tps(const fp_rseries *s);
uint64_t	fp_rs_peak_tps(const fp_rseries *s);

#endif
