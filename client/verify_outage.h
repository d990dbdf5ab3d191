/*
 * verify_outage.h - the outage (detection time, RTO) from ledger records.
 *
 * The same definitions as the summary `failprobe run` prints (summary.c),
 * so that run and verify give one RTO for one run: the outage starts at the
 * first write that failed, was in doubt or was missed; the RTO runs from
 * the last acknowledgement before it to the first after it; when
 * acknowledgements came from two timelines (a failover) the ends are the
 * old timeline's last acknowledgement and the new one's first, and a write
 * the new timeline acknowledged starts the outage no later than it was
 * sent.  Unlike summary.c it is fed record by record, over two reads of
 * any number of ledgers (the clients of one run on several hosts), so
 * verify needs no extra pass for it.
 */
#ifndef FP_VERIFY_OUTAGE_H
#define FP_VERIFY_OUTAGE_H

#include <stdint.h>

#include "ledger.h"

typedef struct fpv_outage
{
	/* first read */
	int64_t		first_problem;	/* first failed, in-doubt or missed write; 0 none */
	uint32_t	lo_tli;			/* lowest timeline of an acknowledgement */
	/* second read */
	int64_t		last_ack_before;	/* last acknowledgement at or before first_problem */
	int64_t		first_ack_after;	/* first acknowledgement after it */
	uint32_t	tli_before, tli_after;
	uint32_t	server_before, server_after;
	int64_t		last_old;		/* last acknowledgement on lo_tli */
	uint32_t	last_old_server;
	int64_t		first_new;		/* first acknowledgement on a later timeline */
	uint32_t	first_new_server, first_new_tli;
	int64_t		first_new_sent; /* earliest sending of a write acked on a later one */
} fpv_outage;

void		fpv_outage_first(fpv_outage *o, const fp_record *rec);
void		fpv_outage_second(fpv_outage *o, const fp_record *rec);
/* After the second read: settle the ends (a failover's timelines win). */
void		fpv_outage_finish(fpv_outage *o);

/* Milliseconds, or a negative number when not applicable (no outage, or
 * no acknowledgement after it: not recovered). */
double		fpv_outage_rto_ms(const fpv_outage *o);
double		fpv_outage_detection_ms(const fpv_outage *o);

#endif
