/*
 * sampler_query.c - the sampler's SQL and the JSON of one sample.
 *
 * One sample is one query, one row: nothing in it takes a lock a write
 * could wait for (statistics views and functions only).  The timeline of a
 * primary comes from the name of its current WAL file, which any role may
 * ask and which changes the moment a promotion ends (the checkpoint's
 * timeline lags until the first checkpoint after it); on a standby it comes
 * from the last restartpoint where the role may read it.  With the
 * extension, failprobe.status() has the last word on the timeline.
 */
#define _POSIX_C_SOURCE 200809L

#include "sampler_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const fp_sampler_caps_sql =
"SELECT pg_has_role('pg_read_all_stats', 'USAGE'), "
"has_function_privilege('pg_control_checkpoint()', 'EXECUTE'), "
"coalesce(has_function_privilege(to_regprocedure('failprobe.status()'), 'EXECUTE'), false)";

const char *const fp_sampler_status_probe_sql = "SELECT 1 FROM failprobe.status()";

/* The replication view: its rows are visible to every role, but the state,
 * the positions and the lags only to pg_read_all_stats; they read as null. */
#define REPLICATION_SQL \
"(SELECT coalesce(json_agg(json_build_object(" \
"'application_name', application_name, 'state', state, 'sync_state', sync_state, " \
"'write_lag_ms', (extract(epoch FROM write_lag) * 1000)::float8, " \
"'flush_lag_ms', (extract(epoch FROM flush_lag) * 1000)::float8, " \
"'replay_lag_ms', (extract(epoch FROM replay_lag) * 1000)::float8, " \
"'lag_bytes', pg_wal_lsn_diff(sent_lsn, replay_lsn)::bigint) " \
"ORDER BY application_name, pid), '[]'::json) FROM pg_stat_replication)"

/* Columns of the sample query, in order. */
enum
{
	COL_IN_RECOVERY,
	COL_TLI,
	COL_COMMIT,
	COL_ROLLBACK,
	COL_ACTIVE,
	COL_BACKENDS,
	COL_WAL_LSN,
	COL_REPLICATION,
	COL_FAILPROBE,
	NCOLS
};

bool
fp_sampler_caps_read(const PGresult *res, fp_sampler_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != 3)
		return false;
	caps->all_stats = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	caps->checkpoint = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	caps->status = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	return true;
}

void
fp_sampler_sql(const fp_sampler_caps *caps, char *buf, size_t size)
{
	snprintf(buf, size,
			 "SELECT r.rec, "
			 "CASE WHEN r.rec THEN %s "
			 "ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END, "
			 "d.xact_commit, d.xact_rollback, %s, "
			 "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), "
			 "CASE WHEN r.rec THEN NULL ELSE pg_current_wal_lsn()::text END, "
			 REPLICATION_SQL ", %s "
			 "FROM (SELECT pg_is_in_recovery() AS rec) r, pg_stat_database d "
			 "WHERE d.datname = current_database()",
			 caps->checkpoint ? "(SELECT timeline_id FROM pg_control_checkpoint())" : "NULL::int",
			 caps->all_stats ?
			 "(SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
			 "AND backend_type = 'client backend' AND pid <> pg_backend_pid())" : "NULL::bigint",
			 caps->status ? "(SELECT row_to_json(s) FROM failprobe.status() s)" : "NULL::json");
}

/* An integer column, or null. */
static json_t *
int_or_null(const PGresult *res, int col)
{
	if (PQgetisnull(res, 0, col))
		return json_null();
	return json_integer((json_int_t) strtoll(PQgetvalue(res, 0, col), NULL, 10));
}

/* A json column parsed, or null (also if it does not parse: never fail a sample). */
static json_t *
json_or_null(const PGresult *res, int col)
{
	json_t	   *v;

	if (PQgetisnull(res, 0, col))
		return json_null();
	v = json_loads(PQgetvalue(res, 0, col), JSON_DECODE_ANY, NULL);
	return v ? v : json_null();
}

static json_t *
sample_base(int64_t t_us, bool ok, const char *error, const char *host, const char *port)
{
	json_t	   *o = json_object();

	json_object_set_new(o, "t_us", json_integer((json_int_t) t_us));
	json_object_set_new(o, "ok", json_boolean(ok));
	json_object_set_new(o, "error", error ? json_string(error) : json_null());
	json_object_set_new(o, "host", host && host[0] ? json_string(host) : json_null());
	json_object_set_new(o, "port", port && port[0] ? json_integer(atoi(port)) : json_null());
	return o;
}

json_t *
fp_sampler_row_json(const PGresult *res, int64_t t_us, const char *host, const char *port)
{
	json_t	   *o;
	json_t	   *fp;
	json_t	   *tli;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != NCOLS)
		return NULL;
	o = sample_base(t_us, true, NULL, host, port);
	fp = json_or_null(res, COL_FAILPROBE);
	tli = json_object_get(fp, "tli");
	json_object_set_new(o, "in_recovery", json_boolean(strcmp(PQgetvalue(res, 0, COL_IN_RECOVERY), "t") == 0));
	json_object_set_new(o, "tli", json_is_integer(tli) ? json_incref(tli) : int_or_null(res, COL_TLI));
	json_object_set_new(o, "xact_commit", int_or_null(res, COL_COMMIT));
	json_object_set_new(o, "xact_rollback", int_or_null(res, COL_ROLLBACK));
	json_object_set_new(o, "active", int_or_null(res, COL_ACTIVE));
	json_object_set_new(o, "backends", int_or_null(res, COL_BACKENDS));
	json_object_set_new(o, "wal_lsn", PQgetisnull(res, 0, COL_WAL_LSN) ? json_null() :
						json_string(PQgetvalue(res, 0, COL_WAL_LSN)));
	json_object_set_new(o, "replication", json_or_null(res, COL_REPLICATION));
	json_object_set_new(o, "failprobe", fp);
	return o;
}

json_t *
fp_sampler_failed_json(int64_t t_us, const char *host, const char *port, const char *error)
{
	static const char *const nulls[] = {"in_recovery", "tli", "xact_commit", "xact_rollback",
		"active", "backends", "wal_lsn", "replication", "failprobe"};
	json_t	   *o = sample_base(t_us, false, error, host, port);

	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		json_object_set_new(o, nulls[i], json_null());
	return o;
}
