/*
 * drill_report.h - verification and the drill's report.
 */
#ifndef FP_DRILL_REPORT_H
#define FP_DRILL_REPORT_H

#include "drill_state.h"

/* What verification concluded. */
typedef enum fp_verdict
{
	FP_VERDICT_NONE_LOST = 0,	/* verify exit 0 */
	FP_VERDICT_LOST = 1,		/* verify exit 1 */
	FP_VERDICT_ERROR = 2,		/* verify exit 2, or it could not run */
	FP_VERDICT_UNAVAILABLE = 3	/* this build has no verify yet */
} fp_verdict;

/* Run `failprobe verify --dsn DSN --ledger ... --json ...` as a child
 * (DSN without a password; d->password, if any, as its PGPASSWORD). */
fp_verdict	fp_report_verify(fp_drill *d, const char *dsn);

/* --html FILE: run `failprobe report ... --html FILE` as a child, or say
 * that the HTML report is not available. */
void		fp_report_html(fp_drill *d);

/* The report on stdout, from the run's and verify's JSON files. */
void		fp_report_print(const fp_drill *d, fp_verdict v);

/* --json FILE: the drill's summary with the children's JSON inside.
 * 0, or -1 after an error message. */
int			fp_report_json(const fp_drill *d, fp_verdict v);

#endif
