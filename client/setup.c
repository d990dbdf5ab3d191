/*
 * setup.c - before a run: reach the server, find or make the ledger table.
 *
 * The first connection is made synchronously so that a wrong password, an
 * unreachable host or a missing table is reported once, clearly, before any
 * thread starts.  The plain table lives in its own schema, failprobe_client,
 * so that a later CREATE EXTENSION pg_failprobe (schema failprobe) does not
 * collide with it.
 *
 * A connection pooler in transaction mode (PgBouncer, as built into managed
 * services on port 6432) is recognised here too, by the backend pid: the
 * one it announces is its own, not the server's.  Through it, commit LSNs
 * cannot be trusted per transaction, which is said out loud; named prepared
 * statements work only where the pooler keeps them per client (PgBouncer
 * 1.21 and later with max_prepared_statements > 0), which a probe finds
 * out, and are refused elsewhere.
 */
#define _POSIX_C_SOURCE 200809L

#include "setup.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "conninfo.h"
#include "pqmsg.h"

static const char *probe_sql =
"SELECT to_regclass('failprobe.ledger') IS NOT NULL, "
"to_regclass('failprobe_client.ledger') IS NOT NULL, "
"current_setting('pg_failprobe.commit_lsn', true) IS NOT NULL, "
"pg_is_in_recovery(), current_user, current_setting('server_version'), pg_backend_pid()";

/* How long the first query may wait for its answer. */
#define FP_PROBE_TIMEOUT_S 10

static const char *init_sql =
"CREATE SCHEMA IF NOT EXISTS failprobe_client; "
"CREATE TABLE IF NOT EXISTS failprobe_client.ledger ("
" run_id bigint NOT NULL, worker integer NOT NULL, seq bigint NOT NULL,"
" digest bytea NOT NULL, sent_at timestamptz NOT NULL, payload bytea,"
" PRIMARY KEY (run_id, worker, seq))";

static PGconn *
connect_once(const fp_config *cfg, char *err, size_t errlen)
{
	fp_conn_params p;
	PGconn	   *pg;
	char		why[512];

	fp_conn_params_init(&p, cfg->dsn);
	pg = PQconnectdbParams(p.keywords, p.values, 1);
	if (pg && PQstatus(pg) == CONNECTION_OK)
	{
		/* (a notice during the connection itself is libpq's to print:
		 * PQconnectPoll alone would not enforce connect_timeout) */
		PQsetNoticeProcessor(pg, fp_pq_notice_once, NULL);
		return pg;
	}
	fp_pq_first_line(why, sizeof(why), pg ? PQerrorMessage(pg) : "out of memory");
	snprintf(err, errlen, "cannot connect: %s (check --dsn, the PG* variables and ~/.pgpass)", why);
	PQfinish(pg);
	return NULL;
}

static int
exec_ok(PGconn *pg, const char *sql, char *err, size_t errlen, const char *what)
{
	PGresult   *res = PQexec(pg, sql);
	char		why[512];

	if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		PQclear(res);
		return 0;
	}
	fp_pq_first_line(why, sizeof(why), PQresultErrorMessage(res));
	snprintf(err, errlen, "%s: %s", what, why);
	PQclear(res);
	return -1;
}

static int
check_privilege(PGconn *pg, const fp_target *t, char *err, size_t errlen)
{
	const char *params[1] = {t->table};
	PGresult   *res = PQexecParams(pg,
								   "SELECT has_table_privilege($1, 'INSERT'), has_table_privilege($1, 'SELECT')",
								   1, NULL, params, NULL, NULL, 0);
	int			rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK ||
		strcmp(PQgetvalue(res, 0, 0), "t") != 0 || strcmp(PQgetvalue(res, 0, 1), "t") != 0)
	{
		snprintf(err, errlen,
				 "role \"%s\" may not insert into and read %s; run GRANT INSERT, SELECT ON %s TO \"%s\" as its owner",
				 t->user, t->table, t->table, t->user);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/*
 * The probe query, answered within FP_PROBE_TIMEOUT_S.  A pooler accepts
 * the login by itself and then queues the query until a server takes it
 * (PgBouncer: query_wait_timeout, 120 s by default), so a server that is
 * down behind it would otherwise look like a hang.  Returns the result, or
 * NULL with err set when no answer came in time.
 */
static PGresult *
probe_bounded(PGconn *pg, char *err, size_t errlen)
{
	struct timespec start, now;
	PGresult   *res = NULL;
	PGresult   *next;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (!PQsendQuery(pg, probe_sql))
	{
		fp_pq_first_line(err, errlen, PQerrorMessage(pg));
		return NULL;
	}
	while (PQisBusy(pg))
	{
		struct pollfd pfd = {.fd = PQsocket(pg), .events = POLLIN};
		long		left_ms;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left_ms = FP_PROBE_TIMEOUT_S * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
												 (now.tv_nsec - start.tv_nsec) / 1000000L);
		if (left_ms <= 0)
		{
			snprintf(err, errlen, "cannot connect: the first query got no answer within %d s; "
					 "the login was accepted, so a pooler such as PgBouncer is probably waiting "
					 "for a server it cannot reach: check that the server behind it is up",
					 FP_PROBE_TIMEOUT_S);
			return NULL;
		}
		if (poll(&pfd, 1, (int) left_ms) < 0 && errno != EINTR)
			break;
		if (!PQconsumeInput(pg))
			break;
	}
	/* like PQexec: the last result of the query */
	while ((next = PQgetResult(pg)) != NULL)
	{
		PQclear(res);
		res = next;
	}
	return res ? res : PQmakeEmptyPGresult(pg, PGRES_FATAL_ERROR);
}

/* Run one command of the prepared-statement probe; false with err set. */
static bool
probe_step(PGresult *res, ExecStatusType want, char *err, size_t errlen)
{
	char		why[512];
	bool		ok = PQresultStatus(res) == want;

	if (!ok)
	{
		fp_pq_first_line(why, sizeof(why), PQresultErrorMessage(res));
		snprintf(err, errlen, "cannot find out whether the connection pooler keeps named "
				 "prepared statements: %s", why);
	}
	PQclear(res);
	return ok;
}

/*
 * Does the pooler keep named prepared statements per client, or hand our
 * names to a server session as they are?  PgBouncer 1.21 and later with
 * max_prepared_statements > 0 keeps them: it gives each its own name
 * (PGBOUNCER_n) and prepares it on whichever server session runs the next
 * transaction.  PgBouncer 1.18, or max_prepared_statements = 0, passes the
 * Parse through: the statement exists in one server session only, and in
 * transaction mode the next transaction may run in another.  The server
 * itself tells which: in one explicit transaction (one server session even
 * in transaction mode) prepare a statement under a name of our own and look
 * for that name in pg_prepared_statements.  Found: passed through (it is
 * deallocated again, the session being shared).  Returns 1 kept by the
 * pooler, 0 passed through, -1 with err set.
 */
static int
pooler_keeps_prepared(PGconn *pg, char *err, size_t errlen)
{
	char		name[64];
	char		sql[96];
	const char *params[1] = {name};
	PGresult   *res;
	bool		visible;

	snprintf(name, sizeof(name), "failprobe_probe_%ld", (long) getpid());
	if (!probe_step(PQexec(pg, "BEGIN"), PGRES_COMMAND_OK, err, errlen) ||
		!probe_step(PQprepare(pg, name, "SELECT 1", 0, NULL), PGRES_COMMAND_OK, err, errlen))
		return -1;
	res = PQexecParams(pg, "SELECT count(*) FROM pg_prepared_statements WHERE name = $1",
					   1, NULL, params, NULL, NULL, 0);
	visible = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "0") != 0;
	if (!probe_step(res, PGRES_TUPLES_OK, err, errlen))
		return -1;
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", name);
	if (visible && !probe_step(PQexec(pg, sql), PGRES_COMMAND_OK, err, errlen))
		return -1;
	if (!probe_step(PQexec(pg, "COMMIT"), PGRES_COMMAND_OK, err, errlen))
		return -1;
	return visible ? 0 : 1;
}

/*
 * Through a pooler: refuse what cannot work, say what is not known.
 * Returns 0, or -1 with err set.
 */
static int
check_pooler(PGconn *pg, const fp_config *cfg, fp_target *t, char *err, size_t errlen)
{
	if (cfg->protocol == FP_PROTO_PREPARED)
	{
		int			keeps = pooler_keeps_prepared(pg, err, errlen);

		if (keeps < 0)
			return -1;
		if (keeps == 0)
		{
			snprintf(err, errlen, "--protocol prepared does not work through this connection "
					 "pooler: it passes named statements to one server session as they are "
					 "(a statement prepared through it showed up under its own name in "
					 "pg_prepared_statements), and in transaction mode the next transaction "
					 "may run in another; use --protocol extended (the default), or a PgBouncer "
					 "1.21 or later with max_prepared_statements > 0");
			return -1;
		}
		t->pooler_prepares = true;
	}
	fprintf(stderr, "failprobe: connected through a connection pooler (PgBouncer or alike): "
			"commit LSNs are not available through this connection%s; each write reads "
			"the timeline it committed on, since the pooler may move to a new primary "
			"without dropping the connection%s\n",
			t->report_lsn ? " (turning them on would change a pooled server session others share)" : "",
			t->pooler_prepares ? "; the pooler keeps named prepared statements per client "
			"(max_prepared_statements), so --protocol prepared works through it" : "");
	return 0;
}

int
fp_setup_target(const fp_config *cfg, fp_target *t, char *err, size_t errlen)
{
	PGconn	   *pg = connect_once(cfg, err, errlen);
	PGresult   *res;
	bool		ext, plain;
	int			rc = -1;

	if (pg == NULL)
		return -1;
	res = probe_bounded(pg, err, errlen);
	if (res == NULL)
		goto out;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		char		why[512];

		fp_pq_first_line(why, sizeof(why), PQresultErrorMessage(res));
		if (state && strcmp(state, "42501") == 0)
			snprintf(err, errlen, "role \"%s\" may not use the ledger table (%s); as its owner, "
					 "GRANT USAGE on its schema and INSERT, SELECT on the table to \"%s\"",
					 PQuser(pg), why, PQuser(pg));
		else if (PQstatus(pg) == CONNECTION_BAD)
			snprintf(err, errlen, "cannot connect: the connection ended before the first query "
					 "was answered (%s); a pooler such as PgBouncer accepts the login before it "
					 "reaches a server: check that the server behind it is up", why);
		else
			snprintf(err, errlen, "cannot inspect the database: %s", why);
		goto out;
	}
	ext = PQgetvalue(res, 0, 0)[0] == 't';
	plain = PQgetvalue(res, 0, 1)[0] == 't';
	t->report_lsn = ext && PQgetvalue(res, 0, 2)[0] == 't';
	snprintf(t->user, sizeof(t->user), "%s", PQgetvalue(res, 0, 4));
	snprintf(t->server_version, sizeof(t->server_version), "%s", PQgetvalue(res, 0, 5));
	t->pooled = strtol(PQgetvalue(res, 0, 6), NULL, 10) != PQbackendPID(pg);
	if (t->pooled && check_pooler(pg, cfg, t, err, errlen) != 0)
		goto out;
	if (PQgetvalue(res, 0, 3)[0] == 't')
	{
		snprintf(err, errlen, "the server is a standby (read-only); point --dsn at the primary, "
				 "or list all nodes with target_session_attrs=read-write");
		goto out;
	}
	if (ext)
		t->table = "failprobe.ledger";
	else if (plain)
		t->table = "failprobe_client.ledger";
	else if (cfg->init)
	{
		if (exec_ok(pg, init_sql, err, errlen, "cannot create the ledger table (--init)") != 0)
			goto out;
		t->table = "failprobe_client.ledger";
	}
	else
	{
		snprintf(err, errlen, "no ledger table in this database: run CREATE EXTENSION pg_failprobe "
				 "(preloaded server), or add --init to create the plain table failprobe_client.ledger");
		goto out;
	}
	t->extension = ext;
	rc = check_privilege(pg, t, err, errlen);
out:
	PQclear(res);
	PQfinish(pg);
	return rc;
}
