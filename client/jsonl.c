/*
 * jsonl.c - JSON-lines files, read whole (jsonl.h).
 *
 * They hold a line per second or per stage, small enough to keep in memory
 * while the CSV columns or the report's points are worked out from all the
 * lines.
 */
#define _POSIX_C_SOURCE 200809L

#include "jsonl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *
fp_jsonl_read(const char *path, bool *torn, size_t *skipped, char *err, size_t errlen)
{
	FILE	   *f = fopen(path, "r");
	json_t	   *arr = json_array();
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	long		lineno = 0;

	*torn = false;
	if (skipped)
		*skipped = 0;
	err[0] = '\0';
	if (f == NULL || arr == NULL)
	{
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(f ? ENOMEM : errno));
		if (f)
			fclose(f);
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
		if (skipped && (*skipped)++ == 0)
			snprintf(err, errlen, "%s line %ld is not a JSON object", path, lineno);
		if (skipped)
			continue;
		snprintf(err, errlen, "%s line %ld is not a JSON object; is it a file failprobe wrote?",
				 path, lineno);
		json_decref(arr);
		arr = NULL;
		break;
	}
	if (arr && ferror(f))
	{
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		json_decref(arr);
		arr = NULL;
	}
	free(line);
	fclose(f);
	return arr;
}
