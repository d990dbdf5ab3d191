/*
 * verify_report.h - what verify concludes and how it says it: the verdict
 * (with the gates that decide the exit status), the text report, the JSON.
 */
#ifndef FP_VERIFY_REPORT_H
#define FP_VERIFY_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "verify_ledger.h"
#include "verify_reconcile.h"
#include "verify_server.h"

typedef struct fpv_gates
{
	uint64_t	max_lost;		/* --max-lost: acknowledged writes that may be lost (0) */
	bool		has_max_rto;
	double		max_rto_s;		/* --max-rto SECONDS */
} fpv_gates;

typedef struct fpv_verdict
{
	bool		pass;
	bool		lost;			/* more acked writes lost than --max-lost */
	bool		corrupt;		/* rows of sent writes that are wrong */
	bool		split_brain;
	bool		lsn;			/* lost/kept writes on the wrong side of a switch point */
	bool		rto;			/* --max-rto exceeded, or never recovered */
	char		why[512];		/* the failed gates, in words */
} fpv_verdict;

typedef struct fpv_report
{
	const fpv_ledger *ledgers;
	int			nledgers;
	const fpv_recon *r;
	const fpv_view *view;
	const char *node;			/* the checked node's conninfo, masked */
	const char *old_node;		/* --old-primary, masked; NULL when not given */
	const char *table;
	fpv_gates	gates;
	fpv_verdict verdict;
	double		elapsed_s;
} fpv_report;

/* Decide rep->verdict from the findings and the gates. */
void		fpv_verdict_decide(fpv_report *rep);

void		fpv_report_print(const fpv_report *rep, FILE *out);

/* Write --json; returns 0, or -1 with err filled. */
int			fpv_report_json(const fpv_report *rep, const char *path, char *err, size_t errlen);

/* RPO in ms: first to last lost acknowledgement; 0 when none was lost. */
double		fpv_rpo_ms(const fpv_recon *r);

#endif
