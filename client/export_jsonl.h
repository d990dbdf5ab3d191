/*
 * export_jsonl.h - reading the JSON-lines files written beside a ledger
 * (<ledger>.server.jsonl, <ledger>.stages.jsonl) for `failprobe export`.
 */
#ifndef FP_EXPORT_JSONL_H
#define FP_EXPORT_JSONL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * Every line of path as a JSON object, in a new array.  A last line that
 * does not end in a newline and does not parse is the torn tail of a killed
 * writer: it is left out and *torn set.  Any other line that is not a JSON
 * object makes it fail: NULL, and a one-line message in err naming the file
 * and the line.
 */
json_t	   *fp_jsonl_read(const char *path, bool *torn, char *err, size_t errlen);

#endif
