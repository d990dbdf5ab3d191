/*
 * config.h - everything `failprobe run` was asked to do, in one struct.
 *
 * Filled by main.c from the command line, validated there before any
 * connection is made or any thread started, and read-only afterwards.
 */
#ifndef FP_CONFIG_H
#define FP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "schedule.h"

/*
 * Worker numbers stay below this: verify keeps a table indexed by worker
 * number, so a run must not number its connections beyond what verify reads.
 */
#define FP_MAX_WORKERS (1u << 20)

typedef enum fp_protocol
{
	FP_PROTO_SIMPLE,			/* one query string per write, values inlined */
	FP_PROTO_EXTENDED,			/* unnamed statement, parameters bound */
	FP_PROTO_PREPARED			/* named statement prepared once per connection */
} fp_protocol;

/* A load profile: the shape of the rate over the run (profile.c). */
typedef enum fp_profile
{
	FP_PROFILE_NONE,			/* --rate for --duration, or --stages as given */
	FP_PROFILE_SMOKE,			/* does it work at all: a short, gentle run */
	FP_PROFILE_LOAD,			/* a ramp to the target rate, then a long hold */
	FP_PROFILE_STRESS,			/* rising steps until an objective is missed */
	FP_PROFILE_SPIKE			/* steady, a sudden burst, steady again */
} fp_profile;

typedef struct fp_config
{
	const char *dsn;			/* libpq conninfo or URI; NULL: PG* variables */
	const char *ledger_path;	/* the ledger file to create */
	const char *json_path;		/* --json summary, or NULL */
	double		rate;			/* writes per second in all; 0 = as fast as possible */
	int			clients;		/* connections (workers) */
	int			threads;		/* OS threads driving them */
	double		duration_s;		/* how long to send */
	int			progress_s;		/* progress line interval; 0 = none */
	fp_protocol protocol;
	int			pipeline;		/* transactions in flight per connection */
	int			burst;			/* writes due together per connection (schedule.h) */
	int			payload_bytes;	/* extra bytes per row, covered by the digest */
	uint64_t	run_id;			/* --run-id shared by several clients; 0: random */
	int			first_worker;	/* number of this client's first connection */
	bool		init;			/* create the plain ledger table if missing */
	bool		force;			/* overwrite an existing ledger file */
	bool		quiet;			/* no progress lines */
	bool		no_server_metrics;	/* --no-server-metrics: no sampler (sampler.h) */
	double		reply_timeout_s;	/* give up on a silent connection; 0 never */
	bool		commit_time;	/* --commit-time: also record each commit's time */

	/* the shape of the load: resolved by main.c into stages */
	fp_profile	profile;
	const char *stages_text;	/* --stages as written, or NULL */
	fp_stage	stages[FP_MAX_STAGES];
	int			nstages;		/* 0: --rate 0, as fast as possible */
	int			spike_stage;	/* spike: the burst's stage; -1 none */
	double		slo_p99_ms;		/* objectives a stage must meet */
	double		slo_errors;		/* failed + in doubt + missed, fraction of due */
	double		stage_s;		/* stress: length of each step */
	double		max_rate;		/* stress: the highest step */
} fp_config;

#endif
