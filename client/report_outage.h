/*
 * report_outage.h - the outage of a run, found while streaming its ledger.
 *
 * `failprobe run` finds the outage by reading its ledger back several times
 * (summary.c).  The report must handle ledgers of tens of millions of
 * records, so it finds the same outage, by the same definitions, from one
 * pass that keeps a few figures per timeline and per server: a failover
 * (acknowledgements on a later timeline) needs nothing else.  Only an
 * outage without a timeline change (errors, then the same primary again)
 * needs a second pass over the acknowledgements, because "the last
 * acknowledgement before the first problem" cannot be known before the
 * first problem is.
 *
 * Use: fp_ro_add() for every record, then fp_ro_finish(); when it returns
 * true, fp_ro_add_second() for every record again.
 */
#ifndef FP_REPORT_OUTAGE_H
#define FP_REPORT_OUTAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "ledger.h"
#include "summary.h"

#define FP_RO_MAX_TLI 32
#define FP_RO_MAX_SERVERS 64

/* Acknowledgements on one timeline (records whose timeline is known). */
typedef struct fp_ro_tli
{
	uint32_t	tli;
	int64_t		first_ack;		/* earliest acknowledgement */
	uint32_t	first_server;	/* who gave it */
	int64_t		last_ack;		/* latest acknowledgement */
	uint32_t	last_server;
	int64_t		first_sent;		/* earliest sending of a write acked here */
} fp_ro_tli;

typedef struct fp_ro
{
	int64_t		first_problem_raw;	/* first failed, in-doubt or missed write */
	fp_ro_tli	tli[FP_RO_MAX_TLI];
	int			ntli;
	uint32_t	server[FP_RO_MAX_SERVERS];	/* server ids that acknowledged */
	int64_t		server_first[FP_RO_MAX_SERVERS];	/* their first acknowledgement */
	int			nserver;

	/* results, set by fp_ro_finish (and completed by the second pass) */
	fp_outage	outage;			/* as summary.c defines it; zeros = none */
	bool		failover;		/* acknowledgements on two timelines */
	int64_t		promotion_us;	/* first ack on a new timeline, else on a
								 * new server; 0 = none seen */
	uint32_t	promotion_tli;
	uint32_t	promotion_server;
} fp_ro;

void		fp_ro_init(fp_ro *ro);
void		fp_ro_add(fp_ro *ro, const fp_record *rec);

/* Works out the outage; true when the second pass is needed. */
bool		fp_ro_finish(fp_ro *ro);
void		fp_ro_add_second(fp_ro *ro, const fp_record *rec);

/* RTO and detection in ms, or a negative number when not applicable. */
double		fp_ro_rto_ms(const fp_outage *o);
double		fp_ro_detection_ms(const fp_outage *o);

#endif
