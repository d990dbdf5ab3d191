/*
 * report_promotion.c - the promotion mark from the ledger; see
 * report_promotion.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "report_promotion.h"

#include <string.h>

void
fp_rp_init(fp_rpromo *p)
{
	memset(p, 0, sizeof(*p));
}

void
fp_rp_add(fp_rpromo *p, const fp_record *rec)
{
	int			i;

	if (rec->outcome != FP_OUT_ACKED || rec->server == 0)
		return;
	for (i = 0; i < p->nserver; i++)
		if (p->server[i] == rec->server)
			break;
	if (i == p->nserver)
	{
		if (i == FP_RP_MAX_SERVERS)
			return;
		p->server[i] = rec->server;
		p->server_first[i] = rec->done_us;
		p->nserver++;
	}
	else if (rec->done_us < p->server_first[i])
		p->server_first[i] = rec->done_us;
}

/* The first acknowledgement from a server other than the one that
 * acknowledged first. */
static void
by_server(fp_rpromo *p)
{
	int			first = 0;

	if (p->nserver < 2)
		return;
	for (int i = 1; i < p->nserver; i++)
		if (p->server_first[i] < p->server_first[first])
			first = i;
	for (int i = 0; i < p->nserver; i++)
		if (i != first && (p->at_us == 0 || p->server_first[i] < p->at_us))
		{
			p->at_us = p->server_first[i];
			p->server_id = p->server[i];
		}
}

void
fp_rp_finish(fp_rpromo *p, const fp_outage_scan *sc)
{
	p->at_us = 0;
	p->tli = 0;
	p->server_id = 0;
	if (!fp_outage_failover(sc))
	{
		by_server(p);
		return;
	}
	p->at_us = sc->outage.first_ack_after;
	p->tli = sc->outage.tli_after;
	p->server_id = sc->outage.server_after;
}
