/*
 * progress.h - once a second: collect the threads' interval figures, keep
 * the per-second series for the reports; every -P seconds a line on stderr.
 */
#ifndef FP_PROGRESS_H
#define FP_PROGRESS_H

#include "run.h"

/* One second of the run, as the client saw it. */
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

/* What the next progress line covers: the seconds since the last one. */
typedef struct fp_progress_line
{
	fp_hist		hist;
	fp_counts	counts;
	int64_t		since;			/* monotonic µs of the last line (or start) */
} fp_progress_line;

int			fp_progress_line_init(fp_progress_line *line, int64_t start);
void		fp_progress_line_free(fp_progress_line *line);

/*
 * Once a second: take every thread's interval figures (resetting them) into
 * scratch, append one entry to the series, add them to line and, if print,
 * print the progress line for the seconds since the last one (-P).
 */
void		fp_progress_tick(fp_run *run, fp_series *series, fp_hist *scratch,
							 fp_progress_line *line, int64_t now, bool print);

void		fp_series_free(fp_series *series);

#endif
