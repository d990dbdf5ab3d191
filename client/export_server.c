/*
 * export_server.c - the server's samples as CSV (export_server.h).
 *
 * Rates come from server_samples.c (shared with the report): differences
 * over the time between two samples of the same server (host and port),
 * commits and rollbacks from pg_stat_database, WAL bytes from the WAL
 * position.  Across a failover, or after a counter went backwards (a
 * restart reset it), there is no rate until the next sample.
 * Standbys are flattened into columns "<name>.write_lag_ms",
 * "<name>.flush_lag_ms", "<name>.replay_lag_ms" and "<name>.lag_bytes" for
 * the first FP_EXPORT_STANDBYS names the file mentions, so a column keeps
 * its meaning from row to row.
 */
#define _POSIX_C_SOURCE 200809L

#include "export_server.h"

#include <stdio.h>

#include "export_csv.h"
#include "server_samples.h"

/* Per standby, pg_stat_replication's fields as the sampler names them. */
static const char *const standby_columns[] = {
	"write_lag_ms", "flush_lag_ms", "replay_lag_ms", "lag_bytes", NULL
};

static const char *const fixed_columns[] = {
	"t", "ok", "host", "port", "in_recovery", "tli", "commits_per_s", "rollbacks_per_s",
	"active", "backends", "wal_bytes_per_s", NULL
};

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

/* A rate, or an empty field when there is none. */
static void
rate(fp_csv *c, bool has, double v)
{
	if (has)
		fp_csv_num(c, v, 1);
	else
		fp_csv_null(c);
}

static void
standby_fields(fp_csv *c, const json_t *s, const char *name)
{
	const json_t *found = fp_ss_standby(s, name);

	for (int k = 0; standby_columns[k]; k++)
		field(c, json_object_get(found, standby_columns[k]));
}

static void
sample_row(fp_csv *c, fp_ss_prev *p, json_t *s, const char **names, int nnames)
{
	char		t[32];
	fp_ss_rates r;

	fp_ss_step(p, s, &r);
	fp_csv_time(t, json_integer_value(json_object_get(s, "t_us")));
	fp_csv_text(c, t);
	field(c, json_object_get(s, "ok"));
	field(c, json_object_get(s, "host"));
	field(c, json_object_get(s, "port"));
	field(c, json_object_get(s, "in_recovery"));
	field(c, json_object_get(s, "tli"));
	rate(c, r.has_commits, r.commits);
	rate(c, r.has_rollbacks, r.rollbacks);
	field(c, json_object_get(s, "active"));
	field(c, json_object_get(s, "backends"));
	rate(c, r.has_wal, r.wal_bytes);
	for (int i = 0; i < nnames; i++)
		standby_fields(c, s, names[i]);
	field(c, json_object_get(s, "error"));
	fp_csv_end(c);
}

int
fp_server_csv(const json_t *samples, FILE *f)
{
	const char *names[FP_EXPORT_STANDBYS];
	int			n = fp_ss_standby_names(samples, names, FP_EXPORT_STANDBYS);
	fp_ss_prev	prev = {0};
	fp_csv		c;
	size_t		i;
	json_t	   *s;

	fp_csv_init(&c, f);
	for (int k = 0; fixed_columns[k]; k++)
		fp_csv_text(&c, fixed_columns[k]);
	for (int k = 0; k < n; k++)
	{
		char		col[300];

		for (int j = 0; standby_columns[j]; j++)
		{
			snprintf(col, sizeof(col), "%s.%s", names[k], standby_columns[j]);
			fp_csv_text(&c, col);
		}
	}
	fp_csv_text(&c, "error");
	fp_csv_end(&c);
	json_array_foreach(samples, i, s)
		sample_row(&c, &prev, s, names, n);
	return ferror(f) ? -1 : 0;
}
