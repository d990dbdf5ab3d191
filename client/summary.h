/*
 * summary.h - after a run: what the ledger says, as text and as JSON.
 */
#ifndef FP_SUMMARY_H
#define FP_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "outage.h"
#include "progress.h"
#include "run.h"

typedef struct fp_summary
{
	fp_counts	counts;			/* from the threads */
	uint64_t	connects;		/* connection attempts, from the threads */
	uint64_t	connects_failed;
	uint64_t	records;		/* read back from the ledger */
	uint64_t	lsn_known;		/* acknowledged writes with a reported commit LSN */
	uint64_t	lsn_max;		/* highest reported commit LSN */
	uint64_t	time_known;		/* acknowledged writes with a reported commit time */
	bool		ledger_ok;
	char		ledger_error[256];
	fp_outage	outage;
	uint64_t	errors_by_class[36 * 36];	/* SQLSTATE class -> count; "" (no state) at 0 */
	double		elapsed_s;
	fp_hist		latency;
	fp_hist		lag;			/* schedule lag: sent - scheduled */
} fp_summary;

/* Read the ledger back: checks it, and finds the outage and error classes. */
void		fp_summary_scan(fp_summary *sum, const char *ledger_path);

void		fp_summary_print(const fp_summary *sum, const fp_run *run);

/* Write the --json file; returns 0, or -1 with err filled. */
int			fp_summary_json(const fp_summary *sum, const fp_run *run,
							const fp_series *series, const char *path,
							const char *conninfo_masked, char *err, size_t errlen);

#endif
