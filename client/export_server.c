/*
 * export_server.c - the server's samples as CSV (export_server.h).
 *
 * Rates are differences over the time between two samples of the same
 * server (host and port): commits and rollbacks from pg_stat_database, WAL
 * bytes from the WAL position.  Across a failover, or after a counter went
 * backwards (a restart reset it), there is no rate until the next sample.
 * Standbys are flattened into columns "<name>.replay_lag_ms" and
 * "<name>.lag_bytes" for the first FP_EXPORT_STANDBYS names the file
 * mentions, so a column keeps its meaning from row to row.
 */
#define _POSIX_C_SOURCE 200809L

#include "export_server.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "export_csv.h"

/* The previous good sample, for the rates. */
typedef struct prev_sample
{
	bool		valid;
	char		server[200];	/* host:port */
	int64_t		t_us;
	json_t	   *s;				/* borrowed from the samples array */
} prev_sample;

static const char *const fixed_columns[] = {
	"t", "ok", "host", "port", "in_recovery", "tli", "commits_per_s", "rollbacks_per_s",
	"active", "backends", "wal_bytes_per_s", NULL
};

/* The names of the first standbys mentioned; returns how many. */
static int
standby_names(const json_t *samples, const char **names)
{
	size_t		i;
	json_t	   *s;
	int			n = 0;

	json_array_foreach(samples, i, s)
	{
		size_t		j;
		json_t	   *r;

		json_array_foreach(json_object_get(s, "replication"), j, r)
		{
			const char *name = json_string_value(json_object_get(r, "application_name"));
			bool		known = false;

			if (name == NULL)
				continue;
			for (int k = 0; k < n; k++)
				known = known || strcmp(names[k], name) == 0;
			if (!known && n < FP_EXPORT_STANDBYS)
				names[n++] = name;
		}
	}
	return n;
}

/* A JSON string's text, "" for anything else. */
static const char *
str(const json_t *v)
{
	const char *s = json_string_value(v);

	return s ? s : "";
}

/* A JSON scalar as a field: null empty, booleans true/false. */
static void
field(fp_csv *c, const json_t *v)
{
	char		buf[64];

	if (json_is_string(v))
		fp_csv_text(c, json_string_value(v));
	else if (json_is_integer(v))
		fp_csv_int(c, (int64_t) json_integer_value(v));
	else if (json_is_real(v))
		fp_csv_num(c, json_real_value(v), 3);
	else if (json_is_boolean(v))
		fp_csv_text(c, json_is_true(v) ? "true" : "false");
	else if (v == NULL || json_is_null(v))
		fp_csv_null(c);
	else
	{
		snprintf(buf, sizeof(buf), "%s", "(complex)");
		fp_csv_text(c, buf);
	}
}

/* "X/Y" to a number; false if it is not an LSN. */
static bool
parse_lsn(const json_t *v, uint64_t *lsn)
{
	unsigned int hi, lo;
	const char *s = json_string_value(v);

	if (s == NULL || sscanf(s, "%X/%X", &hi, &lo) != 2)
		return false;
	*lsn = ((uint64_t) hi << 32) | lo;
	return true;
}

/* (key now - key before) / seconds between, or an empty field. */
static void
rate(fp_csv *c, const prev_sample *p, const json_t *s, double dt, const char *key)
{
	const json_t *a = p->valid ? json_object_get(p->s, key) : NULL;
	const json_t *b = json_object_get(s, key);
	uint64_t	la, lb;

	if (p->valid && dt > 0 && strcmp(key, "wal_lsn") == 0 && parse_lsn(a, &la) && parse_lsn(b, &lb) && lb >= la)
		fp_csv_num(c, (lb - la) / dt, 1);
	else if (p->valid && dt > 0 && json_is_integer(a) && json_is_integer(b) &&
			 json_integer_value(b) >= json_integer_value(a))
		fp_csv_num(c, (json_integer_value(b) - json_integer_value(a)) / dt, 1);
	else
		fp_csv_null(c);
}

static void
standby_fields(fp_csv *c, const json_t *s, const char *name)
{
	size_t		i;
	json_t	   *r;
	const json_t *found = NULL;

	json_array_foreach(json_object_get(s, "replication"), i, r)
		if (found == NULL && strcmp(str(json_object_get(r, "application_name")), name) == 0)
			found = r;
	field(c, json_object_get(found, "replay_lag_ms"));
	field(c, json_object_get(found, "lag_bytes"));
}

static void
sample_row(fp_csv *c, prev_sample *p, json_t *s, const char **names, int nnames)
{
	char		t[32];
	char		server[200];
	int64_t		t_us = json_integer_value(json_object_get(s, "t_us"));
	bool		ok = json_is_true(json_object_get(s, "ok"));
	double		dt;

	snprintf(server, sizeof(server), "%s:%" JSON_INTEGER_FORMAT,
			 str(json_object_get(s, "host")),
			 json_integer_value(json_object_get(s, "port")));
	if (p->valid && strcmp(p->server, server) != 0)
		p->valid = false;
	dt = p->valid ? (t_us - p->t_us) / 1e6 : 0;
	fp_csv_time(t, t_us);
	fp_csv_text(c, t);
	field(c, json_object_get(s, "ok"));
	field(c, json_object_get(s, "host"));
	field(c, json_object_get(s, "port"));
	field(c, json_object_get(s, "in_recovery"));
	field(c, json_object_get(s, "tli"));
	rate(c, p, s, ok ? dt : 0, "xact_commit");
	rate(c, p, s, ok ? dt : 0, "xact_rollback");
	field(c, json_object_get(s, "active"));
	field(c, json_object_get(s, "backends"));
	rate(c, p, s, ok ? dt : 0, "wal_lsn");
	for (int i = 0; i < nnames; i++)
		standby_fields(c, s, names[i]);
	field(c, json_object_get(s, "error"));
	fp_csv_end(c);
	if (ok)
	{
		p->valid = true;
		snprintf(p->server, sizeof(p->server), "%s", server);
		p->t_us = t_us;
		p->s = s;
	}
}

int
fp_server_csv(const json_t *samples, FILE *f)
{
	const char *names[FP_EXPORT_STANDBYS];
	int			n = standby_names(samples, names);
	prev_sample prev = {0};
	fp_csv		c;
	size_t		i;
	json_t	   *s;

	fp_csv_init(&c, f);
	for (int k = 0; fixed_columns[k]; k++)
		fp_csv_text(&c, fixed_columns[k]);
	for (int k = 0; k < n; k++)
	{
		char		col[300];

		snprintf(col, sizeof(col), "%s.replay_lag_ms", names[k]);
		fp_csv_text(&c, col);
		snprintf(col, sizeof(col), "%s.lag_bytes", names[k]);
		fp_csv_text(&c, col);
	}
	fp_csv_text(&c, "error");
	fp_csv_end(&c);
	json_array_foreach(samples, i, s)
		sample_row(&c, &prev, s, names, n);
	return ferror(f) ? -1 : 0;
}
