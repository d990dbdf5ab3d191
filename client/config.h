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

typedef enum fp_protocol
{
	FP_PROTO_SIMPLE,			/* one query string per write, values inlined */
	FP_PROTO_EXTENDED,			/* unnamed statement, parameters bound */
	FP_PROTO_PREPARED			/* named statement prepared once per connection */
} fp_protocol;

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
} fp_config;

#endif
