/*
 * stage_verdict.h - whether one stage of a profiled run met the objectives
 * (p99 within --slo-p99; failed + in doubt + missed within --slo-errors of
 * the writes due; acknowledgements during it at least 97 % of the writes
 * due), and, when it did not, what gave way, in the order it did.
 */
#ifndef FP_STAGE_VERDICT_H
#define FP_STAGE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "progress.h"

#define FP_THROUGHPUT_SHORTFALL 0.97

/* A stage's figures, as judged. */
typedef struct fp_stage_tally
{
	double		seconds;		/* how long it lasted */
	uint64_t	due;			/* writes due in it */
	uint64_t	bad;			/* of them: failed, in doubt or missed */
	uint64_t	acks;			/* acknowledgements that arrived during it */
	double		p99_ms;			/* from each write's due time */
} fp_stage_tally;

/* Where the stage lies in the run's once-a-second series. */
typedef struct fp_stage_span
{
	const fp_schedule *sched;	/* the writes due by any moment */
	const fp_series *series;
	double		start_s;		/* run seconds [start_s, end_s) */
	double		end_s;
} fp_stage_span;

/*
 * True when the stage met every objective.  Otherwise reason says each it
 * missed; with a span, in the order they gave way, each followed by the
 * second of the run in which it first did ("(from 12 s)"), those the series
 * never showed last; without one (while the run goes), in the order
 * latency, errors, throughput.
 */
bool		fp_stage_judge(const fp_config *cfg, const fp_stage_tally *tally,
						   const fp_stage_span *span, char *reason, size_t size);

#endif
