/*
 * jsonl.h - reading the JSON-lines files written beside a ledger
 * (<ledger>.server.jsonl, <ledger>.stages.jsonl), for `failprobe export`
 * and `failprobe report`.
 */
#ifndef FP_JSONL_H
#define FP_JSONL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * Every line of path as a JSON object, in a new array.  A last line that
 * does not end in a newline and does not parse is the torn tail of a killed
 * writer: it is left out and *torn set.  Any other line that is not a JSON
 * object is damage: with skipped NULL it makes the read fail (NULL, and a
 * one-line message in err naming the file and the line); otherwise the line
 * is left out and counted in *skipped, and err names the first such line.
 * A file that cannot be opened or read is NULL and a message in err.
 */
json_t	   *fp_jsonl_read(const char *path, bool *torn, size_t *skipped, char *err, size_t errlen);

#endif
