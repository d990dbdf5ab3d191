/*
 * stage_verdict.c - whether a stage met the objectives, and what gave way
 * in the order it did; see stage_verdict.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "stage_verdict.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum
{
	FP_GAVE_LATENCY,
	FP_GAVE_ERRORS,
	FP_GAVE_THROUGHPUT,
	FP_GAVE_N
};

/* The objectives one stage missed, each said in words. */
typedef struct fp_misses
{
	bool		missed[FP_GAVE_N];
	char		text[FP_GAVE_N][100];
} fp_misses;

/* Which objectives the stage missed; true when it met them all. */
static bool
misses(const fp_config *cfg, const fp_stage_tally *t, fp_misses *m)
{
	double		expected = t->seconds > 0 ? t->due / t->seconds : 0;
	double		achieved = t->seconds > 0 ? t->acks / t->seconds : 0;

	memset(m, 0, sizeof(*m));
	m->missed[FP_GAVE_LATENCY] = t->p99_ms > cfg->slo_p99_ms;
	snprintf(m->text[FP_GAVE_LATENCY], sizeof(m->text[0]), "latency: p99 %.1f ms > %.1f ms",
			 t->p99_ms, cfg->slo_p99_ms);
	m->missed[FP_GAVE_ERRORS] = t->due > 0 && (double) t->bad / t->due > cfg->slo_errors;
	snprintf(m->text[FP_GAVE_ERRORS], sizeof(m->text[0]),
			 "errors: %.2f %% of the writes due failed, were in doubt or missed > %.2f %%",
			 t->due > 0 ? 100.0 * t->bad / t->due : 0, 100 * cfg->slo_errors);
	m->missed[FP_GAVE_THROUGHPUT] = achieved < FP_THROUGHPUT_SHORTFALL * expected;
	snprintf(m->text[FP_GAVE_THROUGHPUT], sizeof(m->text[0]),
			 "throughput: %.0f/s acknowledged < 97 %% of %.0f/s due", achieved, expected);
	return !(m->missed[0] || m->missed[1] || m->missed[2]);
}

/*
 * The missed objectives in the order they gave way: by when[k], the second
 * of the run at whose end objective k was first breached (NULL or equal
 * times: latency, errors, throughput), each followed by that second.
 */
static void
reason_text(const fp_misses *m, const double *when, char *reason, size_t size)
{
	int			order[FP_GAVE_N] = {FP_GAVE_LATENCY, FP_GAVE_ERRORS, FP_GAVE_THROUGHPUT};
	size_t		n = 0;

	for (int i = 1; when && i < FP_GAVE_N; i++)	/* insertion sort: stable */
		for (int j = i; j > 0 && when[order[j]] < when[order[j - 1]]; j--)
		{
			int			k = order[j];

			order[j] = order[j - 1];
			order[j - 1] = k;
		}
	reason[0] = '\0';
	for (int i = 0; i < FP_GAVE_N && n < size; i++)
	{
		int			k = order[i];

		if (!m->missed[k])
			continue;
		n += snprintf(reason + n, size - n, "%s%s", n ? "; " : "", m->text[k]);
		if (when && isfinite(when[k]) && n < size)
			n += snprintf(reason + n, size - n, " (from %.0f s)", when[k]);
	}
}

/*
 * When each objective of the stage (run seconds [start_s, end_s)) first gave
 * way, from the once-a-second figures (INFINITY: not seen there): latency,
 * the first second whose p99 is over the objective; errors and throughput,
 * the first second at whose end the stage's figures so far are over (under)
 * theirs, against the writes the schedule made due by then.
 */
static void
first_breaches(const fp_config *cfg, const fp_stage_span *span, double when[FP_GAVE_N])
{
	const fp_series *series = span->series;
	double		start_s = span->start_s;
	double		end_s = span->end_s;
	uint64_t	bad = 0,
				acks = 0;

	for (int k = 0; k < FP_GAVE_N; k++)
		when[k] = INFINITY;
	for (int i = 0; i < series->n; i++)
	{
		const fp_second *s = &series->s[i];
		double		mid = s->t - 0.5;	/* as fp_stage_watch_tick places it */
		double		due;

		if (mid < start_s || mid >= end_s)
			continue;
		due = fp_schedule_writes_by(span->sched, fmin(s->t, end_s) * 1e6) -
			fp_schedule_writes_by(span->sched, start_s * 1e6);
		bad += s->counts.failed + s->counts.in_doubt + s->counts.missed;
		acks += s->counts.acked;
		if (isinf(when[FP_GAVE_LATENCY]) && s->counts.acked > 0 && s->p99_ms > cfg->slo_p99_ms)
			when[FP_GAVE_LATENCY] = s->t;
		if (isinf(when[FP_GAVE_ERRORS]) && due > 0 && bad / due > cfg->slo_errors)
			when[FP_GAVE_ERRORS] = s->t;
		if (isinf(when[FP_GAVE_THROUGHPUT]) && acks < FP_THROUGHPUT_SHORTFALL * due)
			when[FP_GAVE_THROUGHPUT] = s->t;
	}
}

bool
fp_stage_judge(const fp_config *cfg, const fp_stage_tally *tally, const fp_stage_span *span,
			   char *reason, size_t size)
{
	fp_misses	m;
	double		when[FP_GAVE_N];
	bool		met = misses(cfg, tally, &m);

	/* the series is read only for a stage that missed */
	if (span && !met)
		first_breaches(cfg, span, when);
	reason_text(&m, span && !met ? when : NULL, reason, size);
	return met;
}
