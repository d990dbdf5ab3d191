/*
 * conn.c - one connection: connect, set up, read the fate of its writes
 * (sending them is conn_send.c's).
 *
 * Everything here is non-blocking: the thread's loop (worker.c) calls in
 * when poll() says the socket is ready or a deadline passed.  A write is one
 * INSERT in its own implicit transaction; with --pipeline K up to K of them
 * are in flight, each followed by a sync so that each commits on its own.
 *
 * What becomes of a write:
 *   ACKED     the commit was confirmed (and, with the extension, its commit
 *             LSN read from the pg_failprobe.commit_lsn parameter that came
 *             in the same reply);
 *   FAILED    the server answered with an ERROR: it did not commit;
 *   IN_DOUBT  the connection ended (FATAL, admin shutdown, lost socket)
 *             before the answer: it may or may not have committed;
 *   MISSED    it came due while the connection was down: never sent.
 * A lost connection is reopened with the same conninfo after a jittered
 * backoff from 10 ms up to 1 s, so multi-host lists with
 * target_session_attrs=read-write, or a DNS name that moves, find the new
 * primary.
 */
#define _GNU_SOURCE

#include "conn.h"
#include "schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conninfo.h"
#include "pqmsg.h"
#include "timefmt.h"

#define FP_BACKOFF_MIN_US 10000
#define FP_BACKOFF_MAX_US 1000000

static const char *identity_sql =
"SELECT pg_is_in_recovery(), "
"CASE WHEN pg_is_in_recovery() THEN 0 ELSE " FP_TLI_SQL " END, "
"CASE WHEN has_function_privilege('pg_control_system()', 'execute') "
"THEN (SELECT system_identifier::text FROM pg_control_system()) END, "
"pg_backend_pid()";

static const char *report_sql = "SET pg_failprobe.report_commits = lsn";
static const char *report_time_sql = "SET pg_failprobe.report_commits = lsn_time";

/*
 * Named statements live in one server session; a transaction pooler moves
 * us, unless it keeps them per client (setup.c probed the run's pooler).
 */
#define FP_POOLED_PREPARED_ERROR "--protocol prepared does not work through a connection pooler " \
	"that passes named statements through (PgBouncer before 1.21, or max_prepared_statements = 0); " \
	"use --protocol extended"

static void setup_begin(fp_conn *c, int64_t now);
static void note_host(fp_conn *c, int64_t now);
static void setup_results(fp_conn *c, int64_t now);
static void ready_results(fp_conn *c, int64_t now);
static void attempt_failed(fp_conn *c, int64_t now, const char *why);

/* ---- bookkeeping of outcomes ------------------------------------------- */

static void
flush_batch(fp_thread *t)
{
	if (t->nbatch == 0)
		return;
	/*
	 * A write whose fate cannot be recorded would show up in verify as a row
	 * nobody sent: once the ledger fails (a full disk), stop as on SIGINT.
	 */
	if (fp_ledger_append(t->run->ledger, t->batch, t->nbatch) != 0 &&
		!atomic_exchange(&t->run->ledger_failed, true))
	{
		atomic_store(&t->run->stop, true);
		sem_post(&t->run->wake);
	}
	t->nbatch = 0;
}

/*
 * Record the fate of one write: a ledger record, the counters, and for an
 * acknowledged write its latency from the moment it was scheduled.
 */
static void
emit(fp_conn *c, uint64_t seq, int64_t sched, int64_t sent, int64_t now,
	 fp_outcome out, uint64_t lsn, int64_t commit_us, const char *sqlstate)
{
	fp_thread  *t = c->thread;
	fp_run	   *run = t->run;
	fp_record  *r = &t->batch[t->nbatch++];

	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->scheduled_us = fp_run_wall(run, sched);
	r->sent_us = sent ? fp_run_wall(run, sent) : 0;
	r->done_us = fp_run_wall(run, now);
	r->commit_lsn = lsn;
	r->worker = c->worker;
	r->tli = c->tli;
	r->server = c->server;
	r->outcome = (uint8_t) out;
	if (sqlstate)
		memcpy(r->sqlstate, sqlstate, strnlen(sqlstate, 5));
	if (commit_us)
		fp_record_set_commit_us(r, commit_us);

	switch (out)
	{
		case FP_OUT_ACKED:
			t->counts.acked++;
			t->interval_counts.acked++;
			fp_hist_record(&t->total, (uint64_t) (now - sched));
			fp_hist_record(&t->interval, (uint64_t) (now - sched));
			break;
		case FP_OUT_FAILED:
			t->counts.failed++;
			t->interval_counts.failed++;
			break;
		case FP_OUT_IN_DOUBT:
			t->counts.in_doubt++;
			t->interval_counts.in_doubt++;
			break;
		case FP_OUT_MISSED:
			t->counts.missed++;
			t->interval_counts.missed++;
			break;
	}
	if (t->nbatch == (int) (sizeof(t->batch) / sizeof(t->batch[0])))
		flush_batch(t);
}

void
fp_thread_flush(fp_thread *t)
{
	flush_batch(t);
}

static fp_inflight *
head(fp_conn *c)
{
	return &c->ring[c->head];
}

static void
pop(fp_conn *c)
{
	c->head = (c->head + 1) % c->cap;
	c->count--;
}

/* Each hex digit's value plus one; 0 for every other byte. */
static const unsigned char hex_value[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/*
 * One to eight hex digits at s into *out; *end: the byte after them.
 * Returns -1 for none or more than eight.
 */
static int
hex_part(const char *s, const char **end, uint64_t *out)
{
	uint64_t	v = 0;
	int			n = 0;
	unsigned	d;

	while ((d = hex_value[(unsigned char) s[n]]) != 0)
	{
		if (n == 8)
			return -1;
		v = v << 4 | (d - 1);
		n++;
	}
	*end = s + n;
	*out = v;
	return n > 0 ? 0 : -1;
}

/*
 * "X/Y" as the server prints an LSN; 0 when absent or malformed.  Parsed
 * by hand, with a table: it is done for every acknowledged write, and
 * first sscanf, then a chain of range tests per digit showed in the profile.
 */
static uint64_t
parse_lsn(const char *s)
{
	uint64_t	hi;
	uint64_t	lo;

	if (s == NULL || hex_part(s, &s, &hi) != 0 || *s++ != '/' ||
		hex_part(s, &s, &lo) != 0 || *s != '\0')
		return 0;
	return hi << 32 | lo;
}

/*
 * Pooled: the write committed on timeline tli, which may not be the one
 * this connection's setup saw (the pooler moved to the promoted node
 * without dropping us).  Register the endpoint on the new timeline so the
 * ledger and the summary say where the write really went.
 */
static void
follow_timeline(fp_conn *c, uint32_t tli, int64_t now)
{
	fp_server	s;
	fp_run	   *run = c->thread->run;

	if (tli == 0 || tli == c->tli)
		return;
	pthread_mutex_lock(&run->servers_lock);
	s = c->server ? run->servers[c->server - 1] : (fp_server) {0};
	pthread_mutex_unlock(&run->servers_lock);
	s.tli = tli;
	s.first_seen_us = fp_run_wall(run, now);
	c->tli = tli;
	c->server = fp_run_server_id(run, &s);
}

/* The head write's answer is complete: acked or failed. */
static void
complete_head(fp_conn *c, int64_t now)
{
	fp_inflight *w = head(c);
	const fp_run *run = c->thread->run;
	uint64_t	lsn = 0;
	int64_t		commit_us = 0;

	if (c->pooled && !w->failed)
		follow_timeline(c, w->tli, now);
	else if (!w->failed && run->report_lsn)
	{
		lsn = parse_lsn(PQparameterStatus(c->pg, "pg_failprobe.commit_lsn"));
		if (run->report_time)
			commit_us = fp_time_parse_pg_utc(PQparameterStatus(c->pg, "pg_failprobe.commit_time"));
	}
	emit(c, w->seq, w->sched_mono, w->sent_mono, now,
		 w->failed ? FP_OUT_FAILED : FP_OUT_ACKED, lsn, commit_us,
		 w->failed ? w->sqlstate : NULL);
	if (!w->failed)
		c->failures = 0;		/* a server that takes writes: if lost, retry soon */
	pop(c);
}

/* ---- the schedule ------------------------------------------------------ */

/*
 * When write 'seq' of this connection is due: the connections' schedules
 * are interleaved, each at rate/clients, computed from seq so that rounding
 * does not accumulate over a long run.
 */
int64_t
fp_conn_due(const fp_conn *c, uint64_t seq)
{
	const fp_run *run = c->thread->run;

	int64_t		off = fp_schedule_due_us(&run->sched, c->slot, seq);

	return off == INT64_MAX ? INT64_MAX : run->start_mono + off;
}

void
fp_conn_miss_due(fp_conn *c, int64_t now, int64_t end)
{
	if (c->scheduled == 0)
		return;					/* as fast as possible: nothing is ever due */
	while (c->next_due <= now && c->next_due < end)
	{
		emit(c, c->next_seq, c->next_due, 0, now, FP_OUT_MISSED, 0, 0, NULL);
		c->next_seq++;
		c->next_due = fp_conn_due(c, c->next_seq);
	}
}

/* ---- connecting and losing the connection -------------------------------- */

static void
set_note(fp_conn *c, const char *fmt, const char *a, const char *b)
{
	snprintf(c->thread->note, sizeof(c->thread->note), fmt, a ? a : "", b ? b : "");
}

/*
 * libpq resolves a host name inside PQconnectStartParams and PQconnectPoll,
 * with getaddrinfo, which blocks: for seconds where the resolver is slow,
 * as it may be while a failover moves a DNS name (managed services).  Those
 * calls touch this connection only, so the thread lets go of its lock
 * meanwhile: the progress reporter, which takes every thread's lock once a
 * second, then goes on, and so do the per-second series and stage checks.
 * Before, one slow lookup held them all (t/018: 5 s without a progress line).
 * The callers take the clock again afterwards: the host's deadline
 * (connect_timeout, else 5 s) starts at the return, or a lookup slower than
 * it would time out a server that answered.
 */
static PGconn *
connect_start_unlocked(fp_conn *c, const fp_conn_params *p)
{
	PGconn	   *pg;

	pthread_mutex_unlock(&c->thread->lock);
	pg = PQconnectStartParams(p->keywords, p->values, 1);
	pthread_mutex_lock(&c->thread->lock);
	return pg;
}

static PostgresPollingStatusType
connect_poll_unlocked(fp_conn *c)
{
	PostgresPollingStatusType st;

	pthread_mutex_unlock(&c->thread->lock);
	st = PQconnectPoll(c->pg);
	pthread_mutex_lock(&c->thread->lock);
	return st;
}

void
fp_conn_start(fp_conn *c, int64_t now)
{
	const fp_hosts *hosts = &c->thread->run->hosts;
	fp_conn_params p;
	char		host[FP_HOSTS_JOINED], hostaddr[FP_HOSTS_JOINED], port[FP_HOSTS_JOINED];

	fp_conn_params_init(&p, c->thread->run->cfg->dsn);
	if (hosts->n > 1 && c->first_host > 0)
	{
		fp_hosts_rotated(hosts, c->first_host, host, hostaddr, port, sizeof(host));
		fp_conn_params_override(&p, "host", host);
		fp_conn_params_override(&p, "hostaddr", hostaddr);
		fp_conn_params_override(&p, "port", port);
	}
	c->pg = connect_start_unlocked(c, &p);
	now = fp_mono_us();
	c->thread->connects++;
	if (c->pg != NULL)
		PQsetNoticeProcessor(c->pg, fp_pq_notice_once, NULL);
	if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD)
	{
		attempt_failed(c, now, c->pg ? PQerrorMessage(c->pg) : "out of memory");
		return;
	}
	PQsetnonblocking(c->pg, 1);
	c->state = FP_CONN_CONNECTING;
	c->poll = PGRES_POLLING_WRITING;
	c->trying[0] = '\0';
	note_host(c, now);
}

/* Time each host on its own: a new host tried gets a fresh deadline. */
static void
note_host(fp_conn *c, int64_t now)
{
	char		hp[sizeof(c->trying)];

	snprintf(hp, sizeof(hp), "%s:%s", PQhost(c->pg) ? PQhost(c->pg) : "",
			 PQport(c->pg) ? PQport(c->pg) : "");
	if (strcmp(hp, c->trying) == 0)
		return;
	snprintf(c->trying, sizeof(c->trying), "%s", hp);
	c->deadline = now + (int64_t) (c->thread->run->hosts.timeout_s * 1e6);
	set_note(c, "reconnecting to %s%s", hp, NULL);
}

void
fp_conn_host_timeout(fp_conn *c, int64_t now)
{
	const fp_hosts *hosts = &c->thread->run->hosts;
	int			i = c->pg ? fp_hosts_find(hosts, PQhost(c->pg), PQport(c->pg)) : -1;
	char		why[400];

	snprintf(why, sizeof(why), "no answer from %s within %.0f s", c->trying, hosts->timeout_s);
	if (c->state == FP_CONN_READY)
		fp_conn_drop(c, now, why, FP_SQLSTATE_LOST);
	else
		attempt_failed(c, now, why);
	/* start the next attempt at the host after the silent one */
	if (hosts->n > 1 && i >= 0)
	{
		c->first_host = (i + 1) % hosts->n;
		c->retry_at = now;
	}
}

/* First line of a libpq message, for notes and errors. */
static void
first_line(char *dst, size_t size, const char *msg)
{
	size_t		n;

	snprintf(dst, size, "%s", msg ? msg : "");
	n = strcspn(dst, "\n");
	dst[n] = '\0';
}

static int64_t
backoff_us(int failures)
{
	int64_t		d = FP_BACKOFF_MIN_US << (failures < 7 ? failures : 7);

	if (d > FP_BACKOFF_MAX_US)
		d = FP_BACKOFF_MAX_US;
	/* jitter to [d/2, d): clients that lost the server together spread out */
	return d / 2 + (int64_t) (random() % (d / 2 + 1));
}

static void
go_down(fp_conn *c, int64_t now, const char *why)
{
	first_line(c->last_error, sizeof(c->last_error), why);
	if (c->pg)
		PQfinish(c->pg);
	c->pg = NULL;
	c->state = FP_CONN_DOWN;
	c->pipeline_mode = false;
	c->want_write = false;
	c->seen_null = false;
	c->read_only = false;
	c->failures++;
	c->retry_at = now + backoff_us(c->failures);
}

static void
attempt_failed(fp_conn *c, int64_t now, const char *why)
{
	c->thread->connects_failed++;
	go_down(c, now, why);
	set_note(c, "reconnecting: %s%s", c->last_error, NULL);
}

void
fp_conn_drop(fp_conn *c, int64_t now, const char *why, const char *sqlstate)
{
	while (c->count > 0)
	{
		fp_inflight *w = head(c);

		emit(c, w->seq, w->sched_mono, w->sent_mono, now,
			 w->failed ? FP_OUT_FAILED : FP_OUT_IN_DOUBT, 0, 0,
			 w->failed ? w->sqlstate : sqlstate);
		pop(c);
	}
	/*
	 * The backoff grows from where it was: a connection that had written
	 * retries after ~10 ms, one to a server that lets us in but refuses
	 * every write (read-only, without target_session_attrs) ever slower.
	 */
	go_down(c, now, why);
}

/* ---- setting up a new connection ----------------------------------------- */

static void
setup_begin(fp_conn *c, int64_t now)
{
	c->state = FP_CONN_SETUP;
	c->setup = FP_SETUP_IDENTITY;
	c->deadline = now + (int64_t) (c->thread->run->hosts.timeout_s * 1e6);
	if (!PQsendQuery(c->pg, identity_sql))
		attempt_failed(c, now, PQerrorMessage(c->pg));
	else
		c->want_write = true;
}

static void
take_identity(fp_conn *c, PGresult *res, int64_t now)
{
	fp_server	s;

	memset(&s, 0, sizeof(s));
	snprintf(s.host, sizeof(s.host), "%s", PQhost(c->pg) ? PQhost(c->pg) : "");
	snprintf(s.port, sizeof(s.port), "%s", PQport(c->pg) ? PQport(c->pg) : "");
	s.in_recovery = PQgetvalue(res, 0, 0)[0] == 't';
	s.tli = (uint32_t) strtoul(PQgetvalue(res, 0, 1), NULL, 10);
	snprintf(s.system_id, sizeof(s.system_id), "%s", PQgetvalue(res, 0, 2));
	/* the first connections are made before the run's clock is set */
	s.first_seen_us = atomic_load(&c->thread->run->started) ?
		fp_run_wall(c->thread->run, now) : fp_wall_us();
	c->tli = s.tli;
	c->server = fp_run_server_id(c->thread->run, &s);
	c->pooled = strtol(PQgetvalue(res, 0, 3), NULL, 10) != PQbackendPID(c->pg);
	if (s.in_recovery)
		attempt_failed(c, now, "server is a standby (read-only); add target_session_attrs=read-write to the connection string");
	else if (c->pooled && c->thread->run->cfg->protocol == FP_PROTO_PREPARED &&
			 !c->thread->run->pooler_prepares)
		attempt_failed(c, now, FP_POOLED_PREPARED_ERROR);
}

/*
 * The next setup step after 'done', or false when setup is complete:
 * reporting commit LSNs only on a session of our own, then PREPARE.
 */
static bool
next_setup_step(fp_conn *c, int64_t now)
{
	fp_run	   *run = c->thread->run;
	int			ok;

	if (c->setup == FP_SETUP_IDENTITY && run->report_lsn && !c->pooled)
	{
		c->setup = FP_SETUP_REPORT;
		ok = PQsendQuery(c->pg, run->report_time ? report_time_sql : report_sql);
	}
	else if (c->setup != FP_SETUP_PREPARE && run->cfg->protocol == FP_PROTO_PREPARED)
	{
		c->setup = FP_SETUP_PREPARE;
		ok = PQsendPrepare(c->pg, "fp_insert", c->pooled ? c->insert_tli_sql : c->insert_sql,
						   c->insert_nparams, fp_insert_types);
	}
	else
		return false;
	if (!ok)
		attempt_failed(c, now, PQerrorMessage(c->pg));
	c->want_write = true;
	return true;
}

/* Setup done: enter pipeline mode if asked, and start sending. */
static void
become_ready(fp_conn *c, int64_t now)
{
	if (c->thread->run->cfg->pipeline > 1)
	{
		if (!PQenterPipelineMode(c->pg))
		{
			attempt_failed(c, now, PQerrorMessage(c->pg));
			return;
		}
		c->pipeline_mode = true;
	}
	c->state = FP_CONN_READY;
	c->thread->note[0] = '\0';
}

static void
setup_results(fp_conn *c, int64_t now)
{
	PGresult   *res;

	while (c->state == FP_CONN_SETUP && !PQisBusy(c->pg))
	{
		res = PQgetResult(c->pg);
		if (res == NULL)
		{
			if (next_setup_step(c, now))
				continue;
			become_ready(c, now);
			return;
		}
		switch (PQresultStatus(res))
		{
			case PGRES_COMMAND_OK:
				break;
			case PGRES_TUPLES_OK:
				take_identity(c, res, now);
				break;
			default:
				attempt_failed(c, now, PQresultErrorMessage(res));
				break;
		}
		PQclear(res);
	}
}

/* ---- reading the fate of writes ---------------------------------------- */

/*
 * Whether an error ends the connection (so what is in flight is in doubt)
 * rather than rejecting one write: FATAL/PANIC, connection exceptions
 * (08), operator intervention (57P0x: admin shutdown, crash, cannot
 * connect now), or a client-side error without SQLSTATE.
 */
static bool
ends_connection(PGconn *pg, const PGresult *res)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (PQstatus(pg) == CONNECTION_BAD || state == NULL)
		return true;
	if (sev && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0))
		return true;
	return strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0;
}

/* A write was rejected.  Returns false when the connection must go. */
static bool
take_error(fp_conn *c, PGresult *res, int64_t now)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	fp_inflight *w;

	if (c->count == 0 || ends_connection(c->pg, res))
	{
		fp_conn_drop(c, now, PQresultErrorMessage(res), state ? state : FP_SQLSTATE_LOST);
		return false;
	}
	w = head(c);
	w->answered = true;
	w->failed = true;
	snprintf(w->sqlstate, sizeof(w->sqlstate), "%s", state);
	first_line(c->last_error, sizeof(c->last_error), PQresultErrorMessage(res));
	/* read only (25006): this server was demoted or is a standby */
	if (strcmp(state, "25006") == 0)
		c->read_only = true;
	return true;
}

static void
ready_results(fp_conn *c, int64_t now)
{
	PGresult   *res;

	while (c->state == FP_CONN_READY && !PQisBusy(c->pg))
	{
		res = PQgetResult(c->pg);
		if (res == NULL)
		{
			/* outside pipeline mode NULL ends one write's results */
			if (!c->pipeline_mode)
			{
				if (c->count > 0 && head(c)->answered)
					complete_head(c, now);
				break;
			}
			/* in pipeline mode NULL separates queries; two in a row: idle */
			if (c->seen_null)
				break;
			c->seen_null = true;
			continue;
		}
		c->seen_null = false;
		switch (PQresultStatus(res))
		{
			case PGRES_COMMAND_OK:
				if (c->count > 0)
					head(c)->answered = true;
				break;
			case PGRES_TUPLES_OK:	/* pooled: the INSERT returned its timeline */
				if (c->count > 0)
				{
					head(c)->answered = true;
					if (PQntuples(res) == 1)
						head(c)->tli = (uint32_t) strtoul(PQgetvalue(res, 0, 0), NULL, 10);
				}
				break;
			case PGRES_PIPELINE_SYNC:
				if (c->count > 0)
					complete_head(c, now);
				break;
			case PGRES_PIPELINE_ABORTED:
				if (c->count > 0)
				{
					head(c)->answered = true;
					head(c)->failed = true;
				}
				break;
			case PGRES_FATAL_ERROR:
				if (!take_error(c, res, now))
				{
					PQclear(res);
					return;
				}
				break;
			default:
				PQclear(res);
				fp_conn_drop(c, now, "unexpected result from the server", FP_SQLSTATE_LOST);
				return;
		}
		PQclear(res);
	}
	/*
	 * Once the rejected writes are accounted for, go find the primary.  (The
	 * loop must end with a break, not a return, for this to be reached after
	 * the last answer: it was not, and a primary turned read-only kept its
	 * connections, failing every write, until t/017 caught it.)
	 */
	if (c->state == FP_CONN_READY && c->count == 0 && c->read_only)
		fp_conn_drop(c, now, "server is read-only", NULL);
}

/* ---- the entry point from poll() ------------------------------------------ */

void
fp_conn_io(fp_conn *c, int64_t now, bool readable)
{
	if (c->state == FP_CONN_CONNECTING)
	{
		c->poll = connect_poll_unlocked(c);
		now = fp_mono_us();
		if (c->poll == PGRES_POLLING_OK)
			setup_begin(c, now);
		else if (c->poll == PGRES_POLLING_FAILED)
			attempt_failed(c, now, PQerrorMessage(c->pg));
		else
			note_host(c, now);
		if (c->state != FP_CONN_SETUP)
			return;
	}
	if (c->state != FP_CONN_SETUP && c->state != FP_CONN_READY)
		return;
	if (c->want_write)
		fp_conn_flush_output(c, now);
	if (c->pg == NULL)
		return;
	if (readable)
		c->last_input = now;
	if (readable && !PQconsumeInput(c->pg))
	{
		if (c->state == FP_CONN_SETUP)
			attempt_failed(c, now, PQerrorMessage(c->pg));
		else
			fp_conn_drop(c, now, PQerrorMessage(c->pg), FP_SQLSTATE_LOST);
		return;
	}
	if (c->state == FP_CONN_SETUP)
		setup_results(c, now);
	else
		ready_results(c, now);
}
