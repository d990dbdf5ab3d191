/*
 * progress.c - the progress line and the per-second series.
 *
 * The line says what an operator watching a failover wants at a glance:
 *   progress: 12.0 s, 7998.0 tps, p50 0.61 ms, p99 2.10 ms, failed 0, in doubt 0, missed 0, ok
 * and the state: "ok"; "OUTAGE" (nothing acknowledged in the interval while
 * connections are down or writes fail); "disrupted" (writes failed, were in
 * doubt or missed, but others were acknowledged); or, while a connection is
 * down at the end of the interval, what it is doing ("reconnecting to
 * 127.0.0.1:5433").
 */
#define _POSIX_C_SOURCE 200809L

#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker.h"

static fp_second *
series_push(fp_series *series)
{
	if (series->n == series->cap)
	{
		int			cap = series->cap ? series->cap * 2 : 256;
		fp_second  *s = realloc(series->s, cap * sizeof(fp_second));

		if (s == NULL)
			return NULL;
		series->s = s;
		series->cap = cap;
	}
	memset(&series->s[series->n], 0, sizeof(fp_second));
	return &series->s[series->n++];
}

int
fp_progress_line_init(fp_progress_line *line, int64_t start)
{
	memset(line, 0, sizeof(*line));
	line->since = start;
	return fp_hist_init(&line->hist);
}

void
fp_progress_line_free(fp_progress_line *line)
{
	fp_hist_free(&line->hist);
}

/* The state word of a line: what an operator needs to see first. */
static const char *
line_state(const fp_counts *c, int down, const char *note)
{
	if (down > 0 && note[0])
		return note;
	if (c->acked == 0 && (down > 0 || c->failed || c->in_doubt || c->missed))
		return "OUTAGE";
	if (c->failed || c->in_doubt || c->missed)
		return "disrupted";
	return "ok";
}

/* Print the line for the seconds gathered in line, then start a new one. */
static void
print_line(fp_run *run, fp_progress_line *line, int64_t now, int down, const char *note)
{
	const fp_counts *c = &line->counts;
	double		span = (now - line->since) / 1e6;

	fprintf(stderr, "progress: %.1f s, %.1f tps, p50 %.2f ms, p99 %.2f ms, failed %llu, in doubt %llu, missed %llu, %s\n",
			(now - run->start_mono) / 1e6, span > 0 ? c->acked / span : 0.0,
			fp_hist_percentile(&line->hist, 50) / 1000.0, fp_hist_percentile(&line->hist, 99) / 1000.0,
			(unsigned long long) c->failed, (unsigned long long) c->in_doubt,
			(unsigned long long) c->missed, line_state(c, down, note));
	fp_hist_reset(&line->hist);
	memset(&line->counts, 0, sizeof(line->counts));
	line->since = now;
}

void
fp_progress_tick(fp_run *run, fp_series *series, fp_hist *scratch,
				 fp_progress_line *line, int64_t now, bool print)
{
	fp_second	sec;
	char		note[160] = "";

	memset(&sec, 0, sizeof(sec));
	fp_hist_reset(scratch);
	for (int i = 0; i < run->nthreads; i++)
	{
		fp_thread  *t = &run->threads[i];

		pthread_mutex_lock(&t->lock);
		fp_hist_merge(scratch, &t->interval);
		fp_hist_reset(&t->interval);
		fp_counts_add(&sec.counts, &t->interval_counts);
		memset(&t->interval_counts, 0, sizeof(t->interval_counts));
		sec.down += t->down;
		if (note[0] == '\0' && t->note[0] != '\0')
			snprintf(note, sizeof(note), "%s", t->note);
		pthread_mutex_unlock(&t->lock);
	}
	sec.t = (now - run->start_mono) / 1e6;
	sec.p50_ms = fp_hist_percentile(scratch, 50) / 1000.0;
	sec.p99_ms = fp_hist_percentile(scratch, 99) / 1000.0;
	sec.max_ms = scratch->max / 1000.0;

	{
		fp_second  *slot = series_push(series);

		if (slot)
			*slot = sec;
	}
	fp_hist_merge(&line->hist, scratch);
	fp_counts_add(&line->counts, &sec.counts);
	if (print)
		print_line(run, line, now, sec.down, note);
}

void
fp_series_free(fp_series *series)
{
	free(series->s);
	memset(series, 0, sizeof(*series));
}
