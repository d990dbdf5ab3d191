/*
 * report_promotion.h - when the page marks the promotion, as the ledger
 * shows it, for runs whose verify JSON does not say (failprobe.events).
 *
 * With a failover it is the first acknowledgement on a new timeline (the
 * outage's end, outage.h).  Without a timeline in the ledger (plain mode)
 * it is the first acknowledgement from a server other than the one that
 * acknowledged first: so the per-server first acknowledgements are kept
 * while the ledger streams by.
 */
#ifndef FP_REPORT_PROMOTION_H
#define FP_REPORT_PROMOTION_H

#include <stdint.h>

#include "ledger.h"
#include "outage.h"

#define FP_RP_MAX_SERVERS 64

typedef struct fp_rpromo
{
	uint32_t	server[FP_RP_MAX_SERVERS];	/* server ids that acknowledged */
	int64_t		server_first[FP_RP_MAX_SERVERS];	/* their first acknowledgement */
	int			nserver;

	/* the result, set by fp_rp_finish */
	int64_t		at_us;			/* 0 = none seen */
	uint32_t	tli;			/* the new timeline; 0 when found by server */
	uint32_t	server_id;
} fp_rpromo;

void		fp_rp_init(fp_rpromo *p);
void		fp_rp_add(fp_rpromo *p, const fp_record *rec);

/* After the outage's first pass (fp_outage_finish). */
void		fp_rp_finish(fp_rpromo *p, const fp_outage_scan *sc);

#endif
