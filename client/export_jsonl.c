/*
 * export_jsonl.c - JSON-lines files, read whole (export_jsonl.h).
 *
 * They hold a line per second or per stage, small enough to keep in memory
 * while the CSV columns are worked out from all the lines.
 */
#define _POSIX_C_SOURCE 200809L

#include "export_jsonl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *
fp_jsonl_read(const char *path, bool *torn, char *err, size_t errlen)
{
	FILE	   *f = fopen(path, "r");
	json_t	   *arr = json_array();
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	long		lineno = 0;

	*torn = false;
	if (f == NULL)
	{
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		json_decref(arr);
		return NULL;
	}
	while ((len = getline(&line, &cap, f)) > 0)
	{
		bool		complete = line[len - 1] == '\n';
		json_t	   *o;

		lineno++;
		if (strspn(line, " \t\r\n") == (size_t) len)
			continue;
		o = json_loads(line, 0, NULL);
		if (json_is_object(o))
		{
			json_array_append_new(arr, o);
			continue;
		}
		json_decref(o);
		if (!complete)
		{
			*torn = true;
			break;
		}
		snprintf(err, errlen, "%s line %ld is not a JSON object; is it a file failprobe wrote?",
				 path, lineno);
		json_decref(arr);
		arr = NULL;
		break;
	}
	free(line);
	fclose(f);
	return arr;
}
