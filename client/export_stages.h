/*
 * export_stages.h - stages.csv from <ledger>.stages.jsonl, the table of
 * load stages a profiled `failprobe run` writes beside its ledger.
 */
#ifndef FP_EXPORT_STAGES_H
#define FP_EXPORT_STAGES_H

#include <stdio.h>

#include <jansson.h>

/*
 * One row per stage.  Columns: the keys the stages carry, the usual ones in
 * their usual order (stage, start_us, end_us, rate_from, rate_to, achieved,
 * p50_ms, p99_ms, p999_ms, sent, acked, errors, in_doubt, met, reason),
 * then any others in the order they first appear; a key a stage lacks is an
 * empty field.  Returns 0, or -1 on an I/O error.
 */
int			fp_stages_csv(const json_t *stages, FILE *f);

#endif
