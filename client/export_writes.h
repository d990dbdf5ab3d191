/*
 * export_writes.h - writes.csv: every ledger record as a row, for anyone
 * who wants to look at single writes with a spreadsheet or a script.
 */
#ifndef FP_EXPORT_WRITES_H
#define FP_EXPORT_WRITES_H

#include <stdio.h>

#include "export_csv.h"
#include "ledger.h"

/* The header row of writes.csv. */
void		fp_writes_header(fp_csv *c);

/* One record as a row. */
void		fp_writes_row(fp_csv *c, const fp_record *rec);

/* The name of an outcome as the CSV spells it ("acked", ..., "unknown"). */
const char *fp_outcome_name(int outcome);

#endif
