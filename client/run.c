/*
 * run.c - `failprobe run`: set up, start the threads, report, summarise.
 *
 * Order of events: check the server and the ledger table (setup.c), create
 * the ledger file, open every connection (each thread its own), start all
 * schedules at one instant, print progress once a second until the threads
 * finish (duration over, or SIGINT/SIGTERM), close the ledger (flushed and
 * fdatasync'ed), read it back to measure the outage, print the summary and
 * write the JSON.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "clock.h"
#include "conn.h"
#include "conninfo.h"
#include "progress.h"
#include "sampler.h"
#include "run_cmd.h"
#include "profile.h"
#include "stages.h"
#include "setup.h"
#include "summary.h"
#include "worker.h"

static fp_run *signal_run;

static void
on_signal(int sig)
{
	(void) sig;
	if (signal_run)
	{
		atomic_store(&signal_run->stop, true);
		sem_post(&signal_run->wake);	/* async-signal-safe */
	}
}

uint32_t
fp_run_server_id(fp_run *run, const fp_server *s)
{
	uint32_t	id = 0;

	pthread_mutex_lock(&run->servers_lock);
	for (int i = 0; i < run->nservers && id == 0; i++)
	{
		fp_server  *k = &run->servers[i];

		if (strcmp(k->host, s->host) == 0 && strcmp(k->port, s->port) == 0 &&
			strcmp(k->system_id, s->system_id) == 0 && k->tli == s->tli)
			id = (uint32_t) i + 1;
	}
	if (id == 0 && run->nservers < FP_MAX_SERVERS)
	{
		run->servers[run->nservers++] = *s;
		id = (uint32_t) run->nservers;
	}
	pthread_mutex_unlock(&run->servers_lock);
	return id;
}

/*
 * A random run id from OpenSSL's generator (seeded from the kernel; setting
 * it up costs some 8 million instructions once per run, about the client's
 * work for 300 writes).  Never 0, which the ledger reserves.
 */
static uint64_t
new_run_id(void)
{
	uint64_t	id = 0;

	while (id == 0)
	{
		if (RAND_bytes((unsigned char *) &id, sizeof(id)) != 1)
			return 0;
		id &= INT64_MAX;		/* stored as bigint */
	}
	return id;
}

/* How long the run is meant to last: its stages, or --duration. */
static double
planned_seconds(const fp_config *cfg)
{
	double		s = 0;

	for (int i = 0; i < cfg->nstages; i++)
		s += cfg->stages[i].duration_s;
	return cfg->nstages > 0 ? s : cfg->duration_s;
}

static char *
meta_json(const fp_run *run, const fp_target *target, const char *conninfo, bool with_stages)
{
	static const char *protocols[] = {"simple", "extended", "prepared"};
	const fp_config *cfg = run->cfg;
	json_t	   *m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:f,s:i,s:i,s:f,s:s,s:i}",
							  "program", "failprobe", "conninfo", conninfo,
							  "mode", target->extension ? "extension" : "plain",
							  "table", target->table, "server_version", target->server_version,
							  "rate", cfg->rate, "clients", cfg->clients, "threads", cfg->threads,
							  "duration_s", planned_seconds(cfg), "protocol", protocols[cfg->protocol],
							  "pipeline", cfg->pipeline);

	if (m)
	{
		json_object_set_new(m, "payload_bytes", json_integer(cfg->payload_bytes));
		json_object_set_new(m, "commit_time", json_boolean(run->report_time));
		json_object_set_new(m, "first_worker", json_integer(cfg->first_worker));
		json_object_set_new(m, "burst", json_integer(cfg->burst));
		if (cfg->nstages > 0 && !with_stages)
			json_object_set_new(m, "stages", json_string("(too long for the ledger header)"));
		if (cfg->nstages > 0 && with_stages)
		{
			/* compact: the header has room for a few thousand bytes */
			char		text[2048] = "";
			size_t		n = 0;

			for (int i = 0; i < cfg->nstages && n < sizeof(text); i++)
			{
				const fp_stage *st = &cfg->stages[i];

				n += snprintf(text + n, sizeof(text) - n, "%s%gs@%g", i ? "," : "",
							  st->duration_s, st->from);
				if (st->to != st->from && n < sizeof(text))
					n += snprintf(text + n, sizeof(text) - n, "-%g", st->to);
			}
			json_object_set_new(m, "stages", json_string(text));
			json_object_set_new(m, "profile", json_string(fp_profile_name(cfg->profile)));
		}
		json_object_set_new(m, "shared_run_id", json_boolean(cfg->run_id != 0));
	}
	char	   *text = m ? json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(m);
	return text;
}

/*
 * --force over an earlier run: the files beside its ledger are that run's.
 * A run that makes no server metrics (--no-server-metrics) or no stages
 * (no profile) must not leave them for report and export to take as its own.
 */
static void
forget_side_files(const fp_config *cfg)
{
	char		path[4096];

	if (cfg->no_server_metrics)
	{
		fp_sampler_path(path, sizeof(path), cfg->ledger_path);
		(void) unlink(path);
	}
	fp_stages_path(path, sizeof(path), cfg->ledger_path);
	(void) unlink(path);
}

static int
open_ledger(fp_run *run, const fp_config *cfg, const fp_target *target,
			const char *conninfo, char *err, size_t errlen)
{
	fp_ledger_header hdr;
	char	   *meta = meta_json(run, target, conninfo, true);

	/*
	 * Cut, the JSON would not parse and the ledger could not be verified:
	 * leave the stages out (FILE.stages.jsonl has them), else refuse.
	 */
	if (meta && strlen(meta) >= sizeof(hdr.meta))
	{
		free(meta);
		meta = meta_json(run, target, conninfo, false);
	}
	if (meta == NULL || strlen(meta) >= sizeof(hdr.meta))
	{
		snprintf(err, errlen, "the options and the connection string take %zu bytes, more than the "
				 "ledger header's %zu; shorten the connection string",
				 meta ? strlen(meta) : (size_t) 0, sizeof(hdr.meta) - 1);
		free(meta);
		return -1;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.version = FP_LEDGER_VERSION;
	hdr.run_id = run->run_id;
	hdr.start_us = fp_wall_us();
	snprintf(hdr.meta, sizeof(hdr.meta), "%s", meta);
	free(meta);
	run->ledger = fp_ledger_create(cfg->ledger_path, &hdr, cfg->force, 100, err, errlen);
	if (run->ledger && cfg->force)
		forget_side_files(cfg);
	return run->ledger ? 0 : -1;
}

static int
start_threads(fp_run *run, char *err, size_t errlen)
{
	const fp_config *cfg = run->cfg;
	int			first = cfg->first_worker;

	run->nthreads = cfg->threads;
	run->threads = calloc(cfg->threads, sizeof(fp_thread));
	if (run->threads == NULL ||
		pthread_barrier_init(&run->ready, NULL, cfg->threads + 1) != 0 ||
		pthread_barrier_init(&run->go, NULL, cfg->threads + 1) != 0)
	{
		snprintf(err, errlen, "cannot start the threads: out of memory or resources");
		return -1;
	}
	for (int i = 0; i < cfg->threads; i++)
	{
		int			n = cfg->clients / cfg->threads + (i < cfg->clients % cfg->threads);

		if (fp_thread_init(&run->threads[i], run, i, first, n) != 0 ||
			pthread_create(&run->threads[i].tid, NULL, fp_thread_main, &run->threads[i]) != 0)
		{
			snprintf(err, errlen, "cannot start thread %d of %d: out of memory or resources "
					 "(fewer --threads?)", i + 1, cfg->threads);
			return -1;
		}
		first += n;
	}
	return 0;
}

/* Wait for the threads' connections; start the clock, or report why not. */
static int
start_clock(fp_run *run, char *err, size_t errlen)
{
	int			rc = 0;

	pthread_barrier_wait(&run->ready);
	for (int i = 0; i < run->nthreads; i++)
	{
		if (run->threads[i].setup_failures > 0 && rc == 0)
		{
			snprintf(err, errlen, "cannot open %d connections: %s", run->cfg->clients,
					 run->threads[i].setup_error);
			rc = -1;
		}
	}
	run->start_mono = fp_mono_us();
	run->start_wall = fp_wall_us();
	run->end_mono = run->start_mono + (int64_t) (1e6 * (run->cfg->nstages > 0 ?
		fp_schedule_seconds(&run->sched) : run->cfg->duration_s));
	if (rc != 0)
	{
		run->end_mono = run->start_mono;	/* threads end without sending */
		atomic_store(&run->stop, true);
	}
	atomic_store(&run->started, true);
	pthread_barrier_wait(&run->go);
	return rc;
}

/*
 * Sleep until the monotonic instant 'until' (microseconds) or until a thread
 * ends or a signal stops the run.  Waking only then, not on a short poll,
 * keeps the watcher's own wake-ups off the CPU the load threads use.
 */
static void
sleep_until(fp_run *run, int64_t until)
{
	struct timespec ts = {.tv_sec = until / 1000000, .tv_nsec = (until % 1000000) * 1000};

	(void) sem_clockwait(&run->wake, CLOCK_MONOTONIC, &ts);
}

/* Progress until every thread has finished; returns the elapsed seconds. */
static double
watch(fp_run *run, fp_series *series)
{
	const fp_config *cfg = run->cfg;
	/* the series and the stage checks go by the second, whatever -P says */
	const int64_t step = 1000000;
	int64_t		next = run->start_mono + step;
	int64_t		stopped = 0;
	long		ticks = 0;
	fp_hist		scratch;
	fp_progress_line line;
	fp_stage_watch stages;

	fp_hist_init(&scratch);
	fp_progress_line_init(&line, run->start_mono);
	fp_stage_watch_init(&stages);
	while (atomic_load(&run->finished) < run->nthreads)
	{
		int64_t		now = fp_mono_us();

		if (now >= next)
		{
			bool		print = !cfg->quiet && cfg->progress_s > 0 && ++ticks % cfg->progress_s == 0;

			fp_progress_tick(run, series, &scratch, &line, now, print);
			fp_stage_watch_tick(&stages, run, &scratch, series, now);
			next += step;
		}
		if (stopped == 0 && atomic_load(&run->stop))
			stopped = now;
		sleep_until(run, next);
	}
	for (int i = 0; i < run->nthreads; i++)
		pthread_join(run->threads[i].tid, NULL);
	fp_progress_tick(run, series, &scratch, &line, fp_mono_us(), false);
	fp_hist_free(&scratch);
	fp_progress_line_free(&line);
	fp_stage_watch_free(&stages);
	{
		int64_t		end = stopped && stopped < run->end_mono ? stopped : run->end_mono;

		return (end - run->start_mono) / 1e6;
	}
}

static void
merge_threads(fp_run *run, fp_summary *sum)
{
	fp_hist_init(&sum->latency);
	fp_hist_init(&sum->lag);
	for (int i = 0; i < run->nthreads; i++)
	{
		fp_thread  *t = &run->threads[i];

		fp_hist_merge(&sum->latency, &t->total);
		fp_hist_merge(&sum->lag, &t->lag);
		fp_counts_add(&sum->counts, &t->counts);
		sum->connects += t->connects;
		sum->connects_failed += t->connects_failed;
	}
}

/* A profiled run: the table of stages, on stdout, in the JSON and beside the ledger. */
static int
report_stages(fp_run *run, const fp_series *series, double elapsed_s)
{
	static fp_stage_report rep;
	char		err[512];

	if (fp_stage_report_build(&rep, run, series, elapsed_s, err, sizeof(err)) != 0 ||
		fp_stage_report_file(&rep, run, err, sizeof(err)) != 0)
	{
		fprintf(stderr, "failprobe: %s\n", err);
		return -1;
	}
	fp_stage_report_print(&rep, run);
	run->stages = &rep;
	return 0;
}

/*
 * What this run lacks, said once it has started: a run that cannot start
 * says why, in one line, and nothing else.
 */
static void
announce_mode(const fp_config *cfg, const fp_target *target, const fp_run *run)
{
	if (!target->extension)
		fprintf(stderr, "failprobe: plain mode: pg_failprobe is not installed in this database; "
				"commit LSNs are unknown, so acknowledgements from the old and the new primary "
				"are told apart by timeline only, and the server keeps no record of the promotion\n");
	else if (!target->report_lsn)
		fprintf(stderr, "failprobe: the pg_failprobe library is not preloaded on this server: "
				"commit LSNs are not reported\n");
	if (cfg->commit_time && !run->report_time)
		fprintf(stderr, "failprobe: --commit-time: commit times are not reported %s; "
				"the run goes on without them\n",
				target->pooled ? "through a pooler (a server session is shared)" :
				"without pg_failprobe preloaded on the server");
}

/*
 * A run that could not start sent nothing: its ledger holds the header
 * alone, and left behind it would make the corrected command fail with
 * "already exists".  Remove the files this run created (the server metrics
 * file only where the sampler had started, so never a file it refused).
 */
static void
remove_unstarted(const fp_config *cfg, bool sampler_file)
{
	char		path[4096];

	(void) unlink(cfg->ledger_path);
	if (sampler_file)
	{
		fp_sampler_path(path, sizeof(path), cfg->ledger_path);
		(void) unlink(path);
	}
}

int
fp_run_command(const fp_config *cfg)
{
	static fp_run run;			/* large (server table); not on the stack */
	fp_target	target;
	fp_series	series = {0};
	fp_summary *sum = calloc(1, sizeof(fp_summary));
	char		err[512];
	char	   *conninfo = fp_conninfo_masked(cfg->dsn);
	int			rc = 0;
	bool		unstarted = false;

	memset(&target, 0, sizeof(target));
	if (fp_setup_target(cfg, &target, err, sizeof(err)) != 0)
	{
		fprintf(stderr, "failprobe: %s\n", err);
		return 2;
	}
	run.cfg = cfg;
	run.table = target.table;
	run.extension = target.extension;
	run.report_lsn = target.report_lsn;
	run.report_time = cfg->commit_time && target.report_lsn && !target.pooled;
	run.pooled = target.pooled;
	run.pooler_prepares = target.pooler_prepares;
	fp_hosts_parse(&run.hosts, cfg->dsn);
	pthread_mutex_init(&run.servers_lock, NULL);
	run.run_id = cfg->run_id ? cfg->run_id : new_run_id();
	if (cfg->nstages > 0 &&
		fp_schedule_init(&run.sched, cfg->stages, cfg->nstages, cfg->clients, cfg->burst,
						 err, sizeof(err)) != 0)
	{
		fprintf(stderr, "failprobe: %s\n", err);
		return 2;
	}
	if (open_ledger(&run, cfg, &target, conninfo, err, sizeof(err)) != 0)
	{
		fprintf(stderr, "failprobe: %s\n", err);
		return 2;
	}
	if (!cfg->no_server_metrics &&
		(run.sampler = fp_sampler_start(cfg->dsn, cfg->ledger_path, cfg->force, err, sizeof(err))) == NULL)
	{
		fprintf(stderr, "failprobe: %s\n", err);
		fp_ledger_close(run.ledger, err, sizeof(err));
		remove_unstarted(cfg, false);
		return 2;
	}

	sem_init(&run.wake, 0, 0);	/* kept to the end: the handler may post to it */
	signal_run = &run;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);	/* a dropped ssh session ends the run cleanly too */
	/*
	 * `failprobe run ... | tee log` and Ctrl-C: tee is gone while the run
	 * drains, and a progress line must not kill the run before the ledger
	 * is closed; the write fails (EPIPE) instead.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (start_threads(&run, err, sizeof(err)) != 0)
	{
		/*
		 * The threads started wait at a barrier sized for all of them, and
		 * none has sent anything yet: end the process here, without a ledger.
		 */
		fprintf(stderr, "failprobe: %s\n", err);
		fp_sampler_stop(run.sampler);
		(void) fp_ledger_close(run.ledger, err, sizeof(err));
		remove_unstarted(cfg, run.sampler != NULL);
		exit(2);
	}
	if (start_clock(&run, err, sizeof(err)) != 0)
	{
		fprintf(stderr, "failprobe: %s\n", err);
		rc = 2;
		unstarted = true;
	}
	if (rc == 0)
	{
		announce_mode(cfg, &target, &run);
		fprintf(stderr, "failprobe: run %" PRIu64 " started: %d connection%s on %d thread%s, %s, %.0f s, ledger %s\n",
				run.run_id, cfg->clients, cfg->clients == 1 ? "" : "s",
				cfg->threads, cfg->threads == 1 ? "" : "s", conninfo,
				cfg->nstages > 0 ? fp_schedule_seconds(&run.sched) : cfg->duration_s, cfg->ledger_path);
	}
	sum->elapsed_s = watch(&run, &series);
	fp_sampler_stop(run.sampler);
	merge_threads(&run, sum);
	if (fp_ledger_close(run.ledger, err, sizeof(err)) != 0)
	{
		if (atomic_load(&run.ledger_failed))
			fprintf(stderr, "failprobe: %s; the run stopped at %.1f s; what was written before is good "
					"('failprobe inspect --ledger %s')\n", err, sum->elapsed_s, cfg->ledger_path);
		else
			fprintf(stderr, "failprobe: %s\n", err);
		rc = 2;
	}
	if (unstarted && sum->counts.sent == 0 && sum->counts.missed == 0)
		remove_unstarted(cfg, run.sampler != NULL);
	if (rc == 0)
	{
		fp_summary_scan(sum, cfg->ledger_path);
		fp_summary_print(sum, &run);
		if (sum->ledger_ok && cfg->nstages > 0 && report_stages(&run, &series, sum->elapsed_s) != 0)
			rc = 2;
		if (!sum->ledger_ok)
			rc = 2;
		if (cfg->json_path &&
			fp_summary_json(sum, &run, &series, cfg->json_path, conninfo, err, sizeof(err)) != 0)
		{
			fprintf(stderr, "failprobe: %s\n", err);
			rc = 2;
		}
	}
	for (int i = 0; i < run.nthreads; i++)
		fp_thread_free(&run.threads[i]);
	free(run.threads);
	fp_series_free(&series);
	fp_sampler_free(run.sampler);
	fp_hist_free(&sum->latency);
	fp_hist_free(&sum->lag);
	free(sum);
	free(conninfo);
	return rc;
}
