/*
 * progress.h - once a second: collect the threads' interval figures, print
 * a line on stderr, keep the per-second series for the reports.
 */
#ifndef FP_PROGRESS_H
#define FP_PROGRESS_H

#include "run.h"

/* One second (one progress interval) of the run, as the client saw it. */
typedef struct fp_second
{
	double		t;				/* seconds since the start, end of the interval */
	fp_counts	counts;
	double		p50_ms;
	double		p99_ms;
	double		max_ms;
	int			down;			/* connections not ready at the end of it */
} fp_second;

typedef struct fp_series
{
	fp_second  *s;
	int			n;
	int			cap;
} fp_series;

/*
 * Take every thread's interval figures (resetting them), append one entry
 * to the series and, unless quiet, print the progress line.
 */
void		fp_progress_tick(fp_run *run, fp_series *series, fp_hist *scratch,
							 int64_t now, bool quiet);

void		fp_series_free(fp_series *series);

#endif
