/*
 * pq_commit_probe.c
 *		A real libpq client that reads commit LSNs from ParameterStatus.
 *
 * Used by t/005_commit_lsn.pl to prove that the server hands each commit's
 * LSN and time to the client in the reply to the commit itself: after one
 * PQexec of an INSERT, and after each sync of a pipeline of INSERTs, the
 * values are already in PQparameterStatus(), with no further query sent.
 *
 * Usage: pq_commit_probe CONNINFO PIPELINE_DEPTH
 * Prints lines of space-separated fields for the test to compare:
 *   default <lsn>                     after an INSERT with reporting off
 *   exec <lsn> <time>                 after one autocommit INSERT, with
 *                                     pg_failprobe.report_commits = lsn_time
 *   sql <lsn> <time> <current_lsn>    failprobe.last_commit(), pg_current_wal_lsn()
 *   pipe <i> <lsn>                    after the i-th sync of the pipeline
 *   sql <lsn> <time> <current_lsn>    again, after the pipeline
 *   select <lsn>                      after a read-only query
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

static const char *insert_sql =
"INSERT INTO failprobe.ledger (run_id, worker, seq, digest, sent_at) "
"VALUES (42, 0, $1::bigint, '\\x00', now())";

static void
die(PGconn *conn, const char *what)
{
	fprintf(stderr, "pq_commit_probe: %s: %s", what, PQerrorMessage(conn));
	PQfinish(conn);
	exit(1);
}

static const char *
param(PGconn *conn, const char *name)
{
	const char *v = PQparameterStatus(conn, name);

	return (v && *v) ? v : "-";
}

static void
exec_ok(PGconn *conn, const char *sql, ExecStatusType want)
{
	PGresult   *res = PQexec(conn, sql);

	if (PQresultStatus(res) != want)
		die(conn, sql);
	PQclear(res);
}

static void
print_last_commit(PGconn *conn)
{
	PGresult   *res = PQexec(conn,
							 "SELECT lsn, to_char(committed_at AT TIME ZONE 'UTC', "
							 "'YYYY-MM-DD HH24:MI:SS.US\"+00\"'), pg_current_wal_lsn() "
							 "FROM failprobe.last_commit()");

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		die(conn, "last_commit()");
	printf("sql %s %s %s\n", PQgetvalue(res, 0, 0),
		   PQgetisnull(res, 0, 1) ? "-" : PQgetvalue(res, 0, 1),
		   PQgetvalue(res, 0, 2));
	PQclear(res);
}

/* Send 'depth' INSERTs, each its own transaction ended by a sync. */
static void
run_pipeline(PGconn *conn, int depth)
{
	char		seq[32];
	const char *values[1] = {seq};
	int			syncs = 0;

	if (PQenterPipelineMode(conn) != 1)
		die(conn, "enter pipeline mode");
	for (int i = 0; i < depth; i++)
	{
		snprintf(seq, sizeof(seq), "%d", 1000 + i);
		if (PQsendQueryParams(conn, insert_sql, 1, NULL, values, NULL, NULL, 0) != 1 ||
			PQpipelineSync(conn) != 1)
			die(conn, "send in pipeline");
	}
	while (syncs < depth)
	{
		PGresult   *res = PQgetResult(conn);

		if (res == NULL)
			continue;			/* end of one query's results */
		switch (PQresultStatus(res))
		{
			case PGRES_COMMAND_OK:
				break;
			case PGRES_PIPELINE_SYNC:
				printf("pipe %d %s\n", syncs++, param(conn, "pg_failprobe.commit_lsn"));
				break;
			default:
				die(conn, "pipeline result");
		}
		PQclear(res);
	}
	if (PQexitPipelineMode(conn) != 1)
		die(conn, "exit pipeline mode");
}

int
main(int argc, char **argv)
{
	PGconn	   *conn;
	int			depth;

	if (argc != 3 || (depth = atoi(argv[2])) <= 0)
	{
		fprintf(stderr, "usage: pq_commit_probe CONNINFO PIPELINE_DEPTH\n");
		return 2;
	}
	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
		die(conn, "connect");

	/* off by default: the commit is not reported */
	exec_ok(conn, "INSERT INTO failprobe.ledger (run_id, worker, seq, digest, sent_at) "
			"VALUES (42, 0, 0, '\\x00', now())", PGRES_COMMAND_OK);
	printf("default %s\n", param(conn, "pg_failprobe.commit_lsn"));

	exec_ok(conn, "SET pg_failprobe.report_commits = lsn_time", PGRES_COMMAND_OK);
	exec_ok(conn, "INSERT INTO failprobe.ledger (run_id, worker, seq, digest, sent_at) "
			"VALUES (42, 0, 1, '\\x00', now())", PGRES_COMMAND_OK);
	printf("exec %s %s\n", param(conn, "pg_failprobe.commit_lsn"),
		   param(conn, "pg_failprobe.commit_time"));
	print_last_commit(conn);

	run_pipeline(conn, depth);
	print_last_commit(conn);

	exec_ok(conn, "SELECT 1", PGRES_TUPLES_OK);
	printf("select %s\n", param(conn, "pg_failprobe.commit_lsn"));

	PQfinish(conn);
	return 0;
}
