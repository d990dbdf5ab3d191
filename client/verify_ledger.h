/*
 * verify_ledger.h - the ledgers verify reads: checked up front, read twice.
 *
 * Several ledgers may be given when clients on several hosts shared one
 * --run-id; they must all belong to that run, write to the same table,
 * and (checked while reading) number their workers apart.  A truncated
 * tail (a killed client) is reported and the records before it are
 * verified; damage in the middle of a file is an error.
 */
#ifndef FP_VERIFY_LEDGER_H
#define FP_VERIFY_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger.h"
#include "verify_reconcile.h"

typedef struct fpv_ledger
{
	const char *path;
	fp_ledger_header hdr;
	char		table[64];		/* from the header meta, one of the known two */
	char		mode[16];
	char		conninfo[512];	/* as the run recorded it: already masked */
	int			payload_bytes;
	uint64_t	records;		/* records read on the first read */
	bool		truncated;
	char		tail[256];		/* what the reader said about the tail */
} fpv_ledger;

/* The table's quoted name for SQL, or NULL when name is not one of the
 * ledger tables failprobe writes. */
const char *fpv_table_sql(const char *name);

/*
 * Open each file and check its header and meta; all must be of one run and
 * one table.  Returns 0, or -1 with a one-line message in err.
 */
int			fpv_ledgers_check(fpv_ledger *lg, int n, char *err, size_t errlen);

/*
 * Read every record of every ledger into r: step 1 (second = false) or
 * step 3 (second = true) of the reconciliation.  Returns 0, or -1 with err.
 */
int			fpv_ledgers_read(fpv_ledger *lg, int n, fpv_recon *r, bool second,
							 char *err, size_t errlen);

#endif
