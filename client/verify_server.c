/*
 * verify_server.c - the run's rows and the promotion record from the
 * server (verify_server.h).
 */
#include "verify_server.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conninfo.h"
#include "pqmsg.h"

#define FPV_TS(x) "coalesce(to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '')"

static const char *view_sql =
"SELECT pg_is_in_recovery(), current_setting('server_version'), "
"to_regclass('failprobe.events') IS NOT NULL";

static const char *promos_sql =
"SELECT e.tli, coalesce((e.detail->>'previous_tli')::int, 0), coalesce(e.lsn::text, ''), "
FPV_TS("e.at") ", " FPV_TS("(e.detail->>'promoted_at')::timestamptz") ", "
FPV_TS("(e.detail->>'upstream_last_heard')::timestamptz") ", coalesce(e.node, ''), "
"jsonb_typeof(e.detail->'last_heartbeat') = 'object', "
"coalesce((e.detail#>>'{last_heartbeat,seq}')::bigint, 0), "
"coalesce((e.detail#>>'{last_heartbeat,tli}')::int, 0), "
FPV_TS("(e.detail#>>'{last_heartbeat,beat_at}')::timestamptz") ", "
"coalesce(e.detail#>>'{last_heartbeat,lsn}', '') "
"FROM failprobe.events e WHERE e.kind = 'promoted' ORDER BY e.tli LIMIT 32";

PGconn *
fpv_connect(const char *dsn, const char *what, char *err, size_t errlen)
{
	fp_conn_params p;
	PGconn	   *pg;
	char		why[512];

	if (dsn && fp_conninfo_check(dsn, why, sizeof(why)) != 0)
	{
		snprintf(err, errlen, "%s is not a valid connection string: %s", what, why);
		return NULL;
	}
	fp_conn_params_init(&p, dsn);
	pg = PQconnectdbParams(p.keywords, p.values, 1);
	if (pg && PQstatus(pg) == CONNECTION_OK)
		return pg;
	fp_pq_first_line(why, sizeof(why), pg ? PQerrorMessage(pg) : "out of memory");
	snprintf(err, errlen, "cannot connect (%s): %s (check %s, the PG* variables and ~/.pgpass)",
			 what, why, what);
	PQfinish(pg);
	return NULL;
}

int
fpv_table_exists(PGconn *pg, const char *table, const char *node, char *err, size_t errlen)
{
	const char *params[1] = {table};
	PGresult   *res = PQexecParams(pg, "SELECT to_regclass($1) IS NOT NULL", 1, NULL,
								   params, NULL, NULL, 0);
	int			rc = -1;
	char		why[256];

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		fp_pq_first_line(why, sizeof(why), PQresultErrorMessage(res));
		snprintf(err, errlen, "cannot look up table %s on %s: %s", table, node, why);
	}
	else if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		snprintf(err, errlen, "table %s does not exist on %s: wrong database, or the run's "
				 "writes never reached this cluster", table, node);
	else
		rc = 0;
	PQclear(res);
	return rc;
}

/* ---- the rows ----------------------------------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* An integer field ending at a tab or newline; advances *p past it. */
static bool
int_field(const char **p, const char *end, int64_t *out)
{
	const char *s = *p;
	bool		neg = false;
	int64_t		v = 0;

	if (s < end && *s == '-')
		neg = true, s++;
	if (s >= end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	*out = neg ? -v : v;
	*p = s + 1;
	return s < end;
}

/* One COPY text line: worker \t seq [\t hex8 \t t|f] \n. */
static bool
parse_row(const char *line, int len, bool full, int64_t *w, int64_t *s,
		  unsigned char d8[8], bool *ok)
{
	const char *p = line, *end = line + len;

	if (!int_field(&p, end, w) || !int_field(&p, end, s))
		return false;
	if (!full)
		return true;
	memset(d8, 0, 8);
	for (int i = 0; i < 8 && p + 1 < end && *p != '\t'; i++, p += 2)
	{
		int			hi = hexval(p[0]), lo = hexval(p[1]);

		if (hi < 0 || lo < 0)
			return false;
		d8[i] = (unsigned char) (hi << 4 | lo);
	}
	while (p < end && *p != '\t')
		p++;
	if (p + 1 >= end)
		return false;
	*ok = p[1] == 't';
	return true;
}

static int
copy_query(PGconn *pg, const char *table_sql, uint64_t run_id, bool old,
		   char *err, size_t errlen)
{
	char		sql[1024];
	PGresult   *res;
	char		why[256];

	if (old)
		snprintf(sql, sizeof(sql), "COPY (SELECT worker, seq FROM %s WHERE run_id = %" PRIu64
				 ") TO STDOUT", table_sql, run_id);
	else
		snprintf(sql, sizeof(sql),
				 "COPY (SELECT worker, seq, encode(substr(digest, 1, 8), 'hex'), "
				 "coalesce(digest = sha256(int8send(run_id) || int4send(worker) || "
				 "int8send(seq) || coalesce(payload, ''::bytea)), false) "
				 "FROM %s WHERE run_id = %" PRIu64 ") TO STDOUT", table_sql, run_id);
	res = PQexec(pg, sql);
	if (PQresultStatus(res) == PGRES_COPY_OUT)
	{
		PQclear(res);
		return 0;
	}
	fp_pq_first_line(why, sizeof(why), PQresultErrorMessage(res));
	snprintf(err, errlen, "cannot read the run's rows: %s", why);
	PQclear(res);
	return -1;
}

static int
copy_end(PGconn *pg, char *err, size_t errlen)
{
	PGresult   *res = PQgetResult(pg);
	int			rc = 0;
	char		why[256];

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		fp_pq_first_line(why, sizeof(why), PQresultErrorMessage(res));
		snprintf(err, errlen, "reading the run's rows failed: %s", why);
		rc = -1;
	}
	PQclear(res);
	while ((res = PQgetResult(pg)) != NULL)
		PQclear(res);
	return rc;
}

int
fpv_stream_rows(PGconn *pg, const char *table_sql, fpv_recon *r, bool old,
				char *err, size_t errlen)
{
	char	   *line;
	int			len;
	int			rc = 0;

	if (copy_query(pg, table_sql, r->run_id, old, err, errlen) != 0)
		return -1;
	while ((len = PQgetCopyData(pg, &line, 0)) > 0)
	{
		int64_t		w, s;
		unsigned char d8[8];
		bool		ok = false;

		if (rc == 0 && !parse_row(line, len, !old, &w, &s, d8, &ok))
		{
			snprintf(err, errlen, "unexpected row from the server's COPY: %.60s", line);
			rc = -1;
		}
		else if (rc == 0 && old)
			fpv_recon_old_row(r, w, s);
		else if (rc == 0 && fpv_recon_row(r, w, s, d8, ok) != 0)
		{
			snprintf(err, errlen, "out of memory while reading the run's rows");
			rc = -1;
		}
		PQfreemem(line);
	}
	if (len == -2)
	{
		fp_pq_first_line(err, errlen, PQerrorMessage(pg));
		return -1;
	}
	{
		char		scratch[256];
		int			end = copy_end(pg, rc ? scratch : err, rc ? sizeof(scratch) : errlen);

		if (rc != 0 || end != 0)
			return -1;
		/* read, even with no row of the run: writes on neither node count */
		if (old)
			r->have_old = true;
		return 0;
	}
}

/* ---- the server's view --------------------------------------------------- */

uint64_t
fpv_parse_lsn(const char *text)
{
	unsigned int hi, lo;

	if (text == NULL || sscanf(text, "%X/%X", &hi, &lo) != 2)
		return 0;
	return ((uint64_t) hi << 32) | lo;
}

static void
promo_from_row(fpv_promotion *p, const PGresult *res, int i)
{
	memset(p, 0, sizeof(*p));
	p->tli = (uint32_t) strtoul(PQgetvalue(res, i, 0), NULL, 10);
	p->previous_tli = (uint32_t) strtoul(PQgetvalue(res, i, 1), NULL, 10);
	p->switchpoint = fpv_parse_lsn(PQgetvalue(res, i, 2));
	snprintf(p->at, sizeof(p->at), "%s", PQgetvalue(res, i, 3));
	snprintf(p->promoted_at, sizeof(p->promoted_at), "%s", PQgetvalue(res, i, 4));
	snprintf(p->upstream_last_heard, sizeof(p->upstream_last_heard), "%s", PQgetvalue(res, i, 5));
	snprintf(p->node, sizeof(p->node), "%s", PQgetvalue(res, i, 6));
	p->has_heartbeat = strcmp(PQgetvalue(res, i, 7), "t") == 0;
	p->hb_seq = strtoll(PQgetvalue(res, i, 8), NULL, 10);
	p->hb_tli = (uint32_t) strtoul(PQgetvalue(res, i, 9), NULL, 10);
	snprintf(p->hb_beat_at, sizeof(p->hb_beat_at), "%s", PQgetvalue(res, i, 10));
	snprintf(p->hb_lsn, sizeof(p->hb_lsn), "%s", PQgetvalue(res, i, 11));
}

void
fpv_read_view(PGconn *pg, fpv_view *v)
{
	PGresult   *res = PQexec(pg, view_sql);

	memset(v, 0, sizeof(*v));
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		fp_pq_first_line(v->note, sizeof(v->note), PQresultErrorMessage(res));
		PQclear(res);
		return;
	}
	v->in_recovery = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	snprintf(v->version, sizeof(v->version), "%s", PQgetvalue(res, 0, 1));
	v->has_events = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	PQclear(res);
	if (!v->has_events)
	{
		snprintf(v->note, sizeof(v->note), "the pg_failprobe extension is not installed here");
		return;
	}
	res = PQexec(pg, promos_sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		v->has_events = false;
		fp_pq_first_line(v->note, sizeof(v->note), PQresultErrorMessage(res));
		PQclear(res);
		return;
	}
	for (int i = 0; i < PQntuples(res) && i < FPV_MAX_PROMOTIONS; i++)
		promo_from_row(&v->promos[v->npromos++], res, i);
	PQclear(res);
}
