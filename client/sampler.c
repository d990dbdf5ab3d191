/*
 * sampler.c - the server metrics thread of `failprobe run` (sampler.h).
 *
 * The loop takes a sample when one is due (once a second, deadlines from the
 * monotonic clock, so a slow answer does not shift the rest), and reconnects
 * when its connection is gone: the same conninfo as the load, a jittered
 * backoff from 10 ms to 1 s, so that a multi-host list with
 * target_session_attrs=read-write finds the promoted node.  A sample that
 * comes due while there is no connection is written as failed, with the
 * reason.  Every wait is sliced so that a stop request is seen within
 * FP_SAMPLER_SLICE_MS, and every query has a deadline: the run is never kept
 * waiting on the sampler.  The file is flushed and fdatasync'ed every few
 * seconds and at the end.
 */
#define _GNU_SOURCE

#include "sampler.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "clock.h"
#include "conninfo.h"
#include "pqmsg.h"
#include "sampler_query.h"

#define FP_SAMPLE_INTERVAL_US 1000000LL
#define FP_SAMPLE_TIMEOUT_US 2000000LL	/* an answer later than this fails the sample */
#define FP_SAMPLER_CONNECT_US 10000000LL
#define FP_SAMPLER_SYNC_US 3000000LL
#define FP_SAMPLER_SLICE_MS 50
#define FP_SAMPLER_BACKOFF_MIN_US 10000LL
#define FP_SAMPLER_BACKOFF_MAX_US 1000000LL

struct fp_sampler
{
	pthread_t	tid;
	atomic_bool stop;
	char	   *dsn;			/* copy; NULL: PG* variables */
	char		path[4096];
	FILE	   *out;
	PGconn	   *pg;				/* NULL while down */
	fp_sampler_caps caps;		/* of the current connection */
	char		sql[4096];		/* the sample query for those caps */
	char		host[128];		/* of the current connection */
	char		port[16];
	int			failures;		/* connection attempts failed in a row */
	int64_t		retry_at;		/* monotonic: next connection attempt */
	int64_t		next_sample;	/* monotonic: next sample due */
	int64_t		next_sync;		/* monotonic: next fdatasync */
	char		last_error[256];	/* why the connection is down */
	uint64_t	ok;				/* samples taken */
	uint64_t	failed;			/* samples due that could not be taken */
	char		write_error[256];	/* first failure to write the file */
};

void
fp_sampler_path(char *buf, size_t size, const char *ledger_path)
{
	snprintf(buf, size, "%s.server.jsonl", ledger_path);
}

static int64_t
backoff_us(int failures)
{
	int64_t		d = FP_SAMPLER_BACKOFF_MIN_US << (failures < 7 ? failures : 7);

	if (d > FP_SAMPLER_BACKOFF_MAX_US)
		d = FP_SAMPLER_BACKOFF_MAX_US;
	return d / 2 + (int64_t) (random() % (d / 2 + 1));
}

static void
sync_file(fp_sampler *s)
{
	if (s->write_error[0] == '\0' && (fflush(s->out) != 0 || fdatasync(fileno(s->out)) != 0))
		snprintf(s->write_error, sizeof(s->write_error), "cannot write %s: %s", s->path, strerror(errno));
}

/* Append one sample (consumes o) and count it. */
static void
write_sample(fp_sampler *s, json_t *o, bool ok)
{
	char	   *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) : NULL;

	if (ok)
		s->ok++;
	else
		s->failed++;
	if (line && s->write_error[0] == '\0' && fprintf(s->out, "%s\n", line) < 0)
		snprintf(s->write_error, sizeof(s->write_error), "cannot write %s: %s", s->path, strerror(errno));
	free(line);
	json_decref(o);
	if (fp_mono_us() >= s->next_sync)
	{
		sync_file(s);
		s->next_sync = fp_mono_us() + FP_SAMPLER_SYNC_US;
	}
}

static void
write_failed(fp_sampler *s, const char *why)
{
	write_sample(s, fp_sampler_failed_json(fp_wall_us(), s->pg ? s->host : NULL,
										   s->pg ? s->port : NULL, why), false);
}

/* The sample schedule: the next due time after one was taken or missed. */
static void
advance_schedule(fp_sampler *s, int64_t now)
{
	s->next_sample += FP_SAMPLE_INTERVAL_US;
	if (s->next_sample <= now)	/* fell behind: skip, do not burst */
		s->next_sample = now + FP_SAMPLE_INTERVAL_US;
}

/*
 * Wait until fd is ready for events, the deadline passes, or a stop is
 * asked.  While connecting (down), samples that come due are written as
 * failed.  Returns 1 ready, 0 deadline, -1 stop.
 */
static int
wait_fd(fp_sampler *s, int fd, short events, int64_t deadline, bool down)
{
	for (;;)
	{
		int64_t		now = fp_mono_us();
		struct pollfd pfd = {.fd = fd, .events = events};
		int			ms;

		if (atomic_load(&s->stop))
			return -1;
		if (now >= deadline)
			return 0;
		if (down && now >= s->next_sample)
		{
			char		why[300];

			snprintf(why, sizeof(why), "connecting; last error: %s", s->last_error);
			write_sample(s, fp_sampler_failed_json(fp_wall_us(), NULL, NULL, why), false);
			advance_schedule(s, now);
		}
		ms = (int) ((deadline - now + 999) / 1000);
		if (ms > FP_SAMPLER_SLICE_MS)
			ms = FP_SAMPLER_SLICE_MS;
		if (poll(&pfd, 1, ms) > 0)
			return 1;
	}
}

/* Send sql and wait for its answer; NULL with err filled on any failure. */
static PGresult *
run_query(fp_sampler *s, const char *sql, int64_t timeout_us, char *err, size_t errlen)
{
	int64_t		deadline = fp_mono_us() + timeout_us;
	PGresult   *res;
	PGresult   *first = NULL;

	if (!PQsendQuery(s->pg, sql))
	{
		fp_pq_first_line(err, errlen, PQerrorMessage(s->pg));
		return NULL;
	}
	while (PQisBusy(s->pg))
	{
		int			w = wait_fd(s, PQsocket(s->pg), POLLIN, deadline, false);

		if (w <= 0)
		{
			snprintf(err, errlen, w == 0 ? "no answer within %d s" : "stopped", (int) (timeout_us / 1000000));
			return NULL;
		}
		if (!PQconsumeInput(s->pg))
		{
			fp_pq_first_line(err, errlen, PQerrorMessage(s->pg));
			return NULL;
		}
	}
	while ((res = PQgetResult(s->pg)) != NULL)
	{
		if (first == NULL)
			first = res;
		else
			PQclear(res);
	}
	if (first == NULL || PQresultStatus(first) != PGRES_TUPLES_OK)
	{
		fp_pq_first_line(err, errlen, first ? PQresultErrorMessage(first) : PQerrorMessage(s->pg));
		PQclear(first);
		return NULL;
	}
	return first;
}

static void
go_down(fp_sampler *s, const char *why, bool was_up)
{
	fp_pq_first_line(s->last_error, sizeof(s->last_error), why);
	if (s->pg)
		PQfinish(s->pg);
	s->pg = NULL;
	s->failures = was_up ? 0 : s->failures + 1;
	s->retry_at = fp_mono_us() + backoff_us(s->failures);
}

/* What this role may read here; decides the sample query. */
static int
probe_caps(fp_sampler *s, char *err, size_t errlen)
{
	PGresult   *res = run_query(s, fp_sampler_caps_sql, FP_SAMPLE_TIMEOUT_US, err, errlen);
	bool		ok = res && fp_sampler_caps_read(res, &s->caps);

	PQclear(res);
	if (!ok)
		return -1;
	if (s->caps.status)
	{
		/* the function exists, but without the preloaded library it errors */
		char		ignored[256];

		res = run_query(s, fp_sampler_status_probe_sql, FP_SAMPLE_TIMEOUT_US, ignored, sizeof(ignored));
		s->caps.status = res != NULL;
		PQclear(res);
		/* lost, or timed out with the probe still running: start afresh */
		if (res == NULL && (PQstatus(s->pg) != CONNECTION_OK ||
							PQtransactionStatus(s->pg) == PQTRANS_ACTIVE))
		{
			snprintf(err, errlen, "%s", ignored);
			return -1;
		}
	}
	fp_sampler_sql(&s->caps, s->sql, sizeof(s->sql));
	return 0;
}

static void
try_connect(fp_sampler *s)
{
	fp_conn_params p;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	int64_t		deadline = fp_mono_us() + FP_SAMPLER_CONNECT_US;
	char		err[256];

	fp_conn_params_init(&p, s->dsn);
	for (int i = 0; p.keywords[i]; i++)
		if (strcmp(p.keywords[i], "application_name") == 0)
			p.values[i] = "failprobe-sampler";
	s->pg = PQconnectStartParams(p.keywords, p.values, 1);
	if (s->pg != NULL)
		PQsetNoticeProcessor(s->pg, fp_pq_notice_once, NULL);
	if (s->pg == NULL || PQstatus(s->pg) == CONNECTION_BAD)
	{
		go_down(s, s->pg ? PQerrorMessage(s->pg) : "out of memory", false);
		return;
	}
	while (st != PGRES_POLLING_OK)
	{
		int			w;

		if (st == PGRES_POLLING_FAILED)
		{
			go_down(s, PQerrorMessage(s->pg), false);
			return;
		}
		w = wait_fd(s, PQsocket(s->pg), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline, true);
		if (w <= 0)
		{
			go_down(s, w == 0 ? "connection attempt timed out" : "stopped", false);
			return;
		}
		st = PQconnectPoll(s->pg);
	}
	snprintf(s->host, sizeof(s->host), "%s", PQhost(s->pg) ? PQhost(s->pg) : "");
	snprintf(s->port, sizeof(s->port), "%s", PQport(s->pg) ? PQport(s->pg) : "");
	if (probe_caps(s, err, sizeof(err)) != 0)
		go_down(s, err, false);
	else
		s->failures = 0;
}

static void
take_sample(fp_sampler *s)
{
	char		err[256];
	char		why[300];
	int64_t		t_us = fp_wall_us();
	PGresult   *res;
	json_t	   *o;

	if (s->pg == NULL)
	{
		snprintf(why, sizeof(why), "not connected: %s", s->last_error);
		write_failed(s, why);
		return;
	}
	res = run_query(s, s->sql, FP_SAMPLE_TIMEOUT_US, err, sizeof(err));
	o = res ? fp_sampler_row_json(res, t_us, s->host, s->port) : NULL;
	PQclear(res);
	if (o == NULL && atomic_load(&s->stop))
		return;					/* the run ended during the sample: not a failure */
	if (o)
	{
		write_sample(s, o, true);
		return;
	}
	if (res)
		snprintf(err, sizeof(err), "the sample query answered in an unexpected shape");
	write_failed(s, err);
	go_down(s, err, true);		/* a fresh connection asks its privileges again */
}

static void *
sampler_main(void *arg)
{
	fp_sampler *s = arg;

	/* the first sample as soon as the first connection attempt is over */
	s->next_sample = fp_mono_us() + FP_SAMPLE_INTERVAL_US;
	s->next_sync = s->next_sample + FP_SAMPLER_SYNC_US;
	snprintf(s->last_error, sizeof(s->last_error), "not connected yet");
	try_connect(s);
	if (s->next_sample > fp_mono_us())
		s->next_sample = fp_mono_us();
	while (!atomic_load(&s->stop))
	{
		int64_t		now = fp_mono_us();
		int64_t		wake;

		if (s->pg == NULL && now >= s->retry_at)
			try_connect(s);
		now = fp_mono_us();
		if (now >= s->next_sample && !atomic_load(&s->stop))
		{
			take_sample(s);
			advance_schedule(s, fp_mono_us());
		}
		wake = s->next_sample;
		if (s->pg == NULL && s->retry_at < wake)
			wake = s->retry_at;
		now = fp_mono_us();
		if (wake > now)
			usleep((useconds_t) (wake - now < FP_SAMPLER_SLICE_MS * 1000 ? wake - now : FP_SAMPLER_SLICE_MS * 1000));
	}
	if (s->pg)
		PQfinish(s->pg);
	s->pg = NULL;
	return NULL;
}

static FILE *
create_file(const char *path, bool force, char *err, size_t errlen)
{
	int			fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0600);
	FILE	   *f;

	if (fd < 0)
	{
		if (errno == EEXIST)
			snprintf(err, errlen, "server metrics file %s already exists; use --force to overwrite it "
					 "or --no-server-metrics", path);
		else
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fchmod(fd, 0600) != 0 || (f = fdopen(fd, "w")) == NULL)
	{
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	return f;
}

fp_sampler *
fp_sampler_start(const char *dsn, const char *ledger_path, bool force, char *err, size_t errlen)
{
	fp_sampler *s = calloc(1, sizeof(fp_sampler));

	if (s == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fp_sampler_path(s->path, sizeof(s->path), ledger_path);
	s->out = create_file(s->path, force, err, errlen);
	s->dsn = dsn ? strdup(dsn) : NULL;
	if (s->out == NULL || (dsn && s->dsn == NULL) ||
		pthread_create(&s->tid, NULL, sampler_main, s) != 0)
	{
		if (s->out)
		{
			snprintf(err, errlen, "cannot start the server metrics thread");
			fclose(s->out);
		}
		free(s->dsn);
		free(s);
		return NULL;
	}
	return s;
}

void
fp_sampler_stop(fp_sampler *s)
{
	if (s == NULL || s->out == NULL)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->tid, NULL);
	sync_file(s);
	if (fclose(s->out) != 0 && s->write_error[0] == '\0')
		snprintf(s->write_error, sizeof(s->write_error), "cannot write %s: %s", s->path, strerror(errno));
	s->out = NULL;
	if (s->write_error[0])
		fprintf(stderr, "failprobe: server metrics: %s\n", s->write_error);
}

json_t *
fp_sampler_json(const fp_sampler *s)
{
	if (s == NULL)
		return json_null();
	return json_pack("{s:s,s:I,s:I,s:o}", "path", s->path, "ok", (json_int_t) s->ok,
					 "failed", (json_int_t) s->failed,
					 "error", s->write_error[0] ? json_string(s->write_error) : json_null());
}

void
fp_sampler_free(fp_sampler *s)
{
	if (s == NULL)
		return;
	fp_sampler_stop(s);
	free(s->dsn);
	free(s);
}
