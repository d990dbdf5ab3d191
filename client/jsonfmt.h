/*
 * jsonfmt.h - how the client's figures are spelled in the JSON that run
 * (--json) and verify (--json) write, so that the two agree and `report`
 * can read either: times as ISO-8601 text, milliseconds as numbers, null
 * where a figure does not apply.
 */
#ifndef FP_JSONFMT_H
#define FP_JSONFMT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "outage.h"

/* A ledger time as ISO-8601 text (timefmt.h); null for 0, "no time". */
json_t	   *fp_json_time(int64_t us);

/* Milliseconds; null when negative, the outage's "not applicable". */
json_t	   *fp_json_ms(double ms);

/* The outage object: its times, detection_ms, rto_ms, the timelines, and
 * with servers the server ids (run's; verify leaves them out: with several
 * ledgers they are per client). */
json_t	   *fp_json_outage(const fp_outage *o, bool servers);

/* Write root to path as the --json files are written: indented, keys
 * sorted, reals to 12 digits.  Consumes root; returns 0, or -1. */
int			fp_json_write(json_t *root, const char *path);

#endif
