/*
 * export_stages.c - the stage table as CSV (export_stages.h).
 *
 * The columns come from the file, not from a list compiled in, so a key
 * that `run` learns to write later is exported too; the known keys keep a
 * fixed order so that scripts can rely on it.
 */
#include "export_stages.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "export_csv.h"

static const char *const known[] = {
	"stage", "start_us", "end_us", "rate_from", "rate_to", "achieved", "p50_ms", "p99_ms",
	"p999_ms", "sent", "acked", "errors", "in_doubt", "missed", "met", "reason", NULL
};

static bool
is_known(const char *key)
{
	for (int i = 0; known[i]; i++)
		if (strcmp(known[i], key) == 0)
			return true;
	return false;
}

/* The columns, as an array of key strings. */
static json_t *
columns(const json_t *stages)
{
	json_t	   *cols = json_array();
	json_t	   *seen = json_object();	/* unknown keys already added */
	size_t		i;
	json_t	   *st;

	for (int k = 0; known[k]; k++)
	{
		bool		present = false;

		json_array_foreach(stages, i, st)
			present = present || json_object_get(st, known[k]) != NULL;
		if (present)
			json_array_append_new(cols, json_string(known[k]));
	}
	json_array_foreach(stages, i, st)
	{
		const char *key;
		json_t	   *v;

		json_object_foreach((json_t *) st, key, v)
		{
			if (is_known(key) || json_object_get(seen, key))
				continue;
			json_object_set_new(seen, key, json_true());
			json_array_append_new(cols, json_string(key));
		}
	}
	json_decref(seen);
	return cols;
}

static void
value(fp_csv *c, const json_t *v)
{
	if (json_is_string(v))
		fp_csv_text(c, json_string_value(v));
	else if (json_is_integer(v))
		fp_csv_int(c, (int64_t) json_integer_value(v));
	else if (json_is_real(v))
		fp_csv_num(c, json_real_value(v), 6);
	else if (json_is_boolean(v))
		fp_csv_text(c, json_is_true(v) ? "true" : "false");
	else if (v == NULL || json_is_null(v))
		fp_csv_null(c);
	else
	{
		char	   *text = json_dumps(v, JSON_COMPACT);

		fp_csv_text(c, text);
		free(text);
	}
}

int
fp_stages_csv(const json_t *stages, FILE *f)
{
	json_t	   *cols = columns(stages);
	fp_csv		c;
	size_t		i, k;
	json_t	   *st, *col;

	fp_csv_init(&c, f);
	json_array_foreach(cols, k, col)
		fp_csv_text(&c, json_string_value(col));
	fp_csv_end(&c);
	json_array_foreach(stages, i, st)
	{
		json_array_foreach(cols, k, col)
			value(&c, json_object_get(st, json_string_value(col)));
		fp_csv_end(&c);
	}
	json_decref(cols);
	return ferror(f) ? -1 : 0;
}
