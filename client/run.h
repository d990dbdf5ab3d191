/*
 * run.h - the state one `failprobe run` shares between its threads.
 *
 * The load threads (worker.c) each own their connections, histograms and
 * counters; what they share is read-only after start (config, run id,
 * table, mode) or protected: the ledger writer (its own lock), the server
 * table (servers_lock), and each thread's interval statistics (the
 * thread's own lock, taken by the progress reporter once a second).
 */
#ifndef FP_RUN_H
#define FP_RUN_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "hist.h"
#include "ledger.h"
#include "hosts.h"
#include "schedule.h"

/* Counts of write outcomes. */
typedef struct fp_counts
{
	uint64_t	sent;
	uint64_t	acked;
	uint64_t	failed;
	uint64_t	in_doubt;
	uint64_t	missed;
} fp_counts;

/* A server some connection reached: host:port, and who it is. */
typedef struct fp_server
{
	char		host[128];
	char		port[16];
	char		system_id[24];	/* empty when the role may not read it */
	uint32_t	tli;			/* timeline when first seen */
	bool		in_recovery;
	int64_t		first_seen_us;	/* wall clock */
} fp_server;

static inline void
fp_counts_add(fp_counts *dst, const fp_counts *src)
{
	dst->sent += src->sent;
	dst->acked += src->acked;
	dst->failed += src->failed;
	dst->in_doubt += src->in_doubt;
	dst->missed += src->missed;
}

#define FP_MAX_SERVERS 64

typedef struct fp_thread fp_thread;
struct fp_stage_report;

typedef struct fp_run
{
	const fp_config *cfg;
	uint64_t	run_id;
	const char *table;			/* failprobe.ledger or failprobe_client.ledger */
	bool		extension;		/* the extension's table is used */
	bool		report_lsn;		/* the server reports commit LSNs */
	bool		report_time;	/* ... and commit times (--commit-time) */
	bool		pooled;			/* a pooler (PgBouncer) stands in between */
	bool		pooler_prepares;	/* and keeps named statements per client:
									 * --protocol prepared works through it */

	int64_t		start_mono;		/* schedule origin, monotonic */
	int64_t		start_wall;		/* the same instant, wall clock */
	_Atomic int64_t end_mono;	/* no write is sent at or after this; a stress
								 * run that found its breaking point moves it */
	fp_schedule sched;			/* due times, when cfg->nstages > 0 */
	fp_hosts	hosts;			/* the conninfo's hosts, tried one at a time */
	atomic_bool stop;			/* SIGINT/SIGTERM or ledger failure: end now */
	atomic_bool started;		/* start_mono is set */

	fp_ledger_writer *ledger;
	atomic_bool ledger_failed;	/* the writer failed: the run stops */

	pthread_mutex_t servers_lock;
	fp_server	servers[FP_MAX_SERVERS];
	int			nservers;

	pthread_barrier_t ready;	/* threads connected; main sets the start */
	pthread_barrier_t go;
	fp_thread  *threads;
	int			nthreads;
	atomic_int	finished;		/* threads that have ended */
	sem_t		wake;			/* posted when a thread ends or a signal stops the
								 * run: the watcher looks at once */
	const struct fp_stage_report *stages;	/* profiled runs, once judged */
	struct fp_sampler *sampler;	/* server metrics beside the load; NULL: off */
} fp_run;

/* Wall-clock microseconds of a monotonic instant of this run. */
static inline int64_t
fp_run_wall(const fp_run *run, int64_t mono)
{
	return run->start_wall + (mono - run->start_mono);
}

/* Register the server a connection reached; returns its id (from 1). */
uint32_t	fp_run_server_id(fp_run *run, const fp_server *s);

#endif
