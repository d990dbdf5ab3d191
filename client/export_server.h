/*
 * export_server.h - server_seconds.csv from <ledger>.server.jsonl, the
 * samples `failprobe run` took of the server's own metrics.
 */
#ifndef FP_EXPORT_SERVER_H
#define FP_EXPORT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Standbys given columns of their own, the first seen first. */
#define FP_EXPORT_STANDBYS 4

/*
 * One row per sample, from the samples (an array of objects, as
 * fp_jsonl_read returns).  Counters become rates against the previous good
 * sample of the same server.  Returns 0, or -1 on an I/O error.
 */
int			fp_server_csv(const json_t *samples, FILE *f);

#endif
