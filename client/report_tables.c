/*
 * report_tables.c - the tables under the report's charts: the lost
 * acknowledged writes and the rest of what verify found, the errors by
 * SQLSTATE, the run's options and servers, and the ledger itself.
 *
 * The verify and run JSON may carry keys this version does not know; they
 * are shown as they are (scalars only, escaped), except that a key naming a
 * password is never shown and a connection string is shown only after
 * being rebuilt without its password.
 */
#define _POSIX_C_SOURCE 200809L

#include "report_html.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conninfo.h"
#include "ledger.h"

#define MAX_LOST_ROWS 500
#define MAX_COLUMNS 12

char *
fp_html_safe_conninfo(const char *conninfo)
{
	char	   *m = fp_conninfo_masked(conninfo);

	return m ? m : strdup("(not shown: it does not parse)");
}

static bool
secret_key(const char *key)
{
	for (const char *p = key; *p; p++)
		if (strncasecmp(p, "password", 8) == 0 || strncasecmp(p, "passwd", 6) == 0 ||
			strncasecmp(p, "secret", 6) == 0)
			return true;
	return false;
}

static bool
conninfo_key(const char *key)
{
	return strcasecmp(key, "conninfo") == 0 || strcasecmp(key, "dsn") == 0;
}

/* A scalar JSON value as escaped text; false for objects and arrays. */
static bool
scalar(FILE *f, const char *key, const json_t *v)
{
	char		buf[64];

	if (json_is_string(v) && conninfo_key(key))
	{
		char	   *safe = fp_html_safe_conninfo(json_string_value(v));

		fp_html_puts(f, safe);
		free(safe);
	}
	else if (json_is_string(v))
		fp_html_puts(f, json_string_value(v));
	else if (json_is_integer(v))
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
	{
		snprintf(buf, sizeof(buf), "%.6g", json_real_value(v));
		fputs(buf, f);
	}
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "yes" : "no", f);
	else if (json_is_null(v))
		fputs("&ndash;", f);
	else
		return false;
	return true;
}

static void
kv_row(FILE *f, const char *key, const json_t *v)
{
	fprintf(f, "<tr><th>");
	fp_html_puts(f, key);
	fprintf(f, "</th><td>");
	scalar(f, key, v);
	fprintf(f, "</td></tr>\n");
}

/* key: value rows of every scalar member of obj, known ones first. */
static void
kv_table(FILE *f, const char *id, const json_t *obj, const char *const *first)
{
	const char *key;
	json_t	   *v;

	fprintf(f, "<table class=\"kv\" id=\"%s\">\n", id);
	for (int i = 0; first && first[i]; i++)
		if ((v = json_object_get(obj, first[i])) != NULL && !secret_key(first[i]))
			kv_row(f, first[i], v);
	json_object_foreach((json_t *) obj, key, v)
	{
		bool		listed = false;

		for (int i = 0; first && first[i]; i++)
			listed |= strcmp(first[i], key) == 0;
		if (listed || secret_key(key) || json_is_object(v) || json_is_array(v))
			continue;
		kv_row(f, key, v);
	}
	fprintf(f, "</table>\n");
}

/* The columns of a list of objects: their scalar keys, in first-seen order. */
static int
columns(const json_t *list, const char **cols)
{
	int			n = 0;
	size_t		i;
	json_t	   *row;

	json_array_foreach(list, i, row)
	{
		const char *key;
		json_t	   *v;

		if (i >= 50)
			break;
		json_object_foreach(row, key, v)
		{
			bool		seen = false;

			for (int k = 0; k < n; k++)
				seen |= strcmp(cols[k], key) == 0;
			if (!seen && n < MAX_COLUMNS && !secret_key(key) && !json_is_object(v) && !json_is_array(v))
				cols[n++] = key;
		}
	}
	return n;
}

static void
grid_row(FILE *f, const json_t *row, const char *const *cols, int ncols)
{
	fprintf(f, "<tr>");
	for (int k = 0; k < ncols; k++)
	{
		json_t	   *v = json_object_get(row, cols[k]);

		fprintf(f, "<td>");
		if (v)
			scalar(f, cols[k], v);
		fprintf(f, "</td>");
	}
	fprintf(f, "</tr>\n");
}

/* A list of objects as a table, one column per scalar key; rows past
 * max_rows are counted, not shown. */
static void
grid_table(FILE *f, const char *id, const json_t *list, size_t max_rows)
{
	const char *cols[MAX_COLUMNS];
	int			ncols = columns(list, cols);
	size_t		i;
	json_t	   *row;

	fprintf(f, "<table class=\"grid\" id=\"%s\"><tr>", id);
	for (int k = 0; k < ncols; k++)
	{
		fprintf(f, "<th>");
		fp_html_puts(f, cols[k]);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n");
	json_array_foreach(list, i, row)
	{
		if (i == max_rows)
		{
			fprintf(f, "<tr><td colspan=\"%d\">&hellip; and %zu more</td></tr>\n", ncols,
					json_array_size(list) - i);
			break;
		}
		grid_row(f, row, cols, ncols);
	}
	fprintf(f, "</table>\n");
}

static void
lost_table(FILE *f, const fp_report_input *in)
{
	const char *key;
	const json_t *list = fp_rj_lost_list(in->verify, &key);
	double		lost = 0;

	fprintf(f, "<section class=\"lost\" id=\"lost-writes\">\n<h2>Lost acknowledged writes</h2>\n");
	if (in->verify == NULL)
	{
		fprintf(f, "<p class=\"note\">Not verified: no verify JSON was given, so it is not known whether "
				"any acknowledged write was lost.</p>\n</section>\n");
		return;
	}
	fp_rj_number(in->verify, "acked_lost", &lost);
	if (list == NULL)
	{
		fprintf(f, "<p class=\"note\">%s</p>\n</section>\n", lost > 0 ?
				"failprobe verify counted lost writes but its JSON does not list them." :
				"None: every acknowledged write was found on the promoted node.");
		return;
	}
	fprintf(f, "<p class=\"note\">From the verify JSON's <code>");
	fp_html_puts(f, key);
	fprintf(f, "</code>.</p>\n");
	grid_table(f, "lost-table", list, MAX_LOST_ROWS);
	fprintf(f, "</section>\n");
}

static void
verify_table(FILE *f, const fp_report_input *in)
{
	static const char *const known[] = {"sent", "acked", "acked_lost", "failed", "in_doubt",
		"in_doubt_committed", "corrupt", "unexpected", "rpo_ms", "rto_ms", NULL};

	if (in->verify == NULL)
		return;
	fprintf(f, "<section><h2>What failprobe verify found</h2>\n");
	kv_table(f, "verify-table", in->verify, known);
	fprintf(f, "</section>\n");
}

static void
errors_table(FILE *f, const fp_report_input *in)
{
	const fp_rseries *s = &in->series;

	if (s->nstates == 0)
		return;
	fprintf(f, "<section><h2>Errors by SQLSTATE</h2>\n<table class=\"grid\" id=\"errors-table\">"
			"<tr><th>SQLSTATE</th><th>failed</th><th>in doubt</th></tr>\n");
	for (int i = 0; i < s->nstates; i++)
	{
		fprintf(f, "<tr><td><code>");
		fp_html_puts(f, s->states[i].code[0] ? s->states[i].code : "(none given)");
		fprintf(f, "</code>%s</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>\n",
				strcmp(s->states[i].code, FP_SQLSTATE_LOST) == 0 ?
				" connection lost (or silent) without a code from the server" :
				s->states[i].code[0] ? "" : " the run ended before the answer",
				s->states[i].failed, s->states[i].in_doubt);
	}
	fprintf(f, "</table></section>\n");
}

static void
servers_table(FILE *f, const fp_report_input *in)
{
	json_t	   *list = in->run ? json_object_get(in->run, "servers") : NULL;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return;
	fprintf(f, "<h3>Servers the client reached</h3>\n");
	grid_table(f, "servers-table", list, SIZE_MAX);
}

static void
run_tables(FILE *f, const fp_report_input *in)
{
	static const char *const known[] = {"mode", "table", "conninfo", "rate", "stages", "profile",
		"clients", "threads", "duration_s", "protocol", "pipeline", "burst", "payload_bytes",
	"server_version", NULL};

	fprintf(f, "<section class=\"run\"><h2>The run</h2>\n<div class=\"cols\"><div>"
			"<h3>Options (from the ledger header)</h3>\n");
	if (in->meta)
		kv_table(f, "options-table", in->meta, known);
	else
		fprintf(f, "<p class=\"note\">The ledger header's options are not readable JSON.</p>\n");
	fprintf(f, "</div><div>\n<h3>Ledger</h3>\n<table class=\"kv\" id=\"ledger-table\">"
			"<tr><th>file</th><td><code>");
	fp_html_puts(f, in->ledger_path);
	fprintf(f, "</code></td></tr>\n<tr><th>run id</th><td>%" PRIu64 "</td></tr>\n"
			"<tr><th>records</th><td>%" PRIu64 "</td></tr>\n<tr><th>end</th><td>%s",
			in->hdr.run_id, in->series.records, in->truncated ? "truncated tail: " : "clean");
	if (in->truncated)
		fp_html_puts(f, in->end_note);
	fprintf(f, "</td></tr>\n</table>\n");
	servers_table(f, in);
	fprintf(f, "</div></div></section>\n");
}

void
fp_html_tables(FILE *f, const fp_report_input *in)
{
	lost_table(f, in);
	verify_table(f, in);
	errors_table(f, in);
	run_tables(f, in);
}
