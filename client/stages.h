/*
 * stages.h - per-stage results of a run with a load profile: watching the
 * objectives while it runs (a stress run stops at its breaking point), and
 * the table at the end, from the ledger.
 */
#ifndef FP_STAGES_H
#define FP_STAGES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "hist.h"
#include "progress.h"
#include "run.h"

typedef struct fp_stage_result
{
	bool		reached;		/* the run got to this stage */
	double		start_s;		/* offsets from the run's start */
	double		end_s;			/* where it ended (a stopped run ends early) */
	double		from;			/* target rate at its start and end */
	double		to;
	uint64_t	due;			/* writes scheduled in it: sent + missed */
	uint64_t	sent;
	uint64_t	acked;
	uint64_t	failed;
	uint64_t	in_doubt;
	uint64_t	missed;
	uint64_t	acks_within;	/* acknowledgements that arrived during it */
	double		achieved;		/* acks_within per second */
	double		p50_ms;			/* latency of its writes, from their due time */
	double		p99_ms;
	double		p999_ms;
	bool		met;			/* all objectives held */
	char		reason[320];	/* what gave way, in that order, when not met */
} fp_stage_result;

/* Watches the objectives while the run goes; a stress run's stop switch. */
typedef struct fp_stage_watch
{
	int			current;		/* stage being accumulated */
	fp_hist		hist;			/* its latencies so far */
	fp_counts	counts;
	bool		stopped;		/* a stress run has found its breaking point */
} fp_stage_watch;

typedef struct fp_stage_report
{
	int			n;
	fp_stage_result r[FP_MAX_STAGES];
	int			breaking_point; /* stress: highest stage met before the first miss; -1 */
	int			first_missed;	/* first stage not met; -1 */
	double		spike_recovery_s;	/* spike: burst end to p99 back within the
									 * objective; -1 never, NAN not a spike run */
} fp_stage_report;

int			fp_stage_watch_init(fp_stage_watch *w);
void		fp_stage_watch_free(fp_stage_watch *w);

/*
 * After each progress tick: add the interval (its latencies in 'interval',
 * its counts in the newest series entry) to the stage under way; when that
 * stage is over, judge it; a stress run that missed an objective ends the
 * schedule now.
 */
void		fp_stage_watch_tick(fp_stage_watch *w, fp_run *run, const fp_hist *interval,
								const fp_series *series, int64_t now);

/* The table, from the ledger read back (exact: every write by its due time). */
int			fp_stage_report_build(fp_stage_report *rep, const fp_run *run,
								  const fp_series *series, double elapsed_s,
								  char *err, size_t errlen);

void		fp_stage_report_print(const fp_stage_report *rep, const fp_run *run);

/* The 'stages' array and friends, added to the run's JSON object. */
void		fp_stage_report_json(const fp_stage_report *rep, const fp_run *run, json_t *root);

/* The file of a run's stages: ledger_path + ".stages.jsonl", into buf. */
void		fp_stages_path(char *buf, size_t size, const char *ledger_path);

/* One JSON object per stage, one per line, to <ledger>.stages.jsonl. */
int			fp_stage_report_file(const fp_stage_report *rep, const fp_run *run,
								 char *err, size_t errlen);

#endif
