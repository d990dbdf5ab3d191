/*
 * report_outage.c - the outage of a run from one streaming pass over its
 * ledger (two when it had no failover); see report_outage.h.
 *
 * The definitions are summary.c's, so that the page and `failprobe run`
 * agree to the microsecond: the first problem is the first failed, in-doubt
 * or missed write, or the first sending of a write that the promoted node
 * acknowledged (through a pooler a failover need fail nothing); with a
 * failover the outage runs from the old timeline's last acknowledgement to
 * the new one's first, otherwise from the last acknowledgement before the
 * first problem to the first after it.
 */
#define _POSIX_C_SOURCE 200809L

#include "report_outage.h"

#include <string.h>

void
fp_ro_init(fp_ro *ro)
{
	memset(ro, 0, sizeof(*ro));
}

static fp_ro_tli *
tli_slot(fp_ro *ro, uint32_t tli)
{
	for (int i = 0; i < ro->ntli; i++)
		if (ro->tli[i].tli == tli)
			return &ro->tli[i];
	if (ro->ntli == FP_RO_MAX_TLI)
		return NULL;			/* a run does not cross 32 timelines */
	memset(&ro->tli[ro->ntli], 0, sizeof(fp_ro_tli));
	ro->tli[ro->ntli].tli = tli;
	return &ro->tli[ro->ntli++];
}

static void
note_server(fp_ro *ro, const fp_record *rec)
{
	int			i;

	if (rec->server == 0)
		return;
	for (i = 0; i < ro->nserver; i++)
		if (ro->server[i] == rec->server)
			break;
	if (i == ro->nserver)
	{
		if (i == FP_RO_MAX_SERVERS)
			return;
		ro->server[i] = rec->server;
		ro->server_first[i] = rec->done_us;
		ro->nserver++;
	}
	else if (rec->done_us < ro->server_first[i])
		ro->server_first[i] = rec->done_us;
}

static void
note_tli(fp_ro *ro, const fp_record *rec)
{
	fp_ro_tli  *t = tli_slot(ro, rec->tli);

	if (t == NULL)
		return;
	if (t->first_ack == 0 || rec->done_us < t->first_ack)
	{
		t->first_ack = rec->done_us;
		t->first_server = rec->server;
	}
	if (rec->done_us > t->last_ack)
	{
		t->last_ack = rec->done_us;
		t->last_server = rec->server;
	}
	if (t->first_sent == 0 || rec->sent_us < t->first_sent)
		t->first_sent = rec->sent_us;
}

void
fp_ro_add(fp_ro *ro, const fp_record *rec)
{
	if (rec->outcome != FP_OUT_ACKED)
	{
		int64_t		when = rec->outcome == FP_OUT_MISSED ? rec->scheduled_us : rec->done_us;

		if (ro->first_problem_raw == 0 || when < ro->first_problem_raw)
			ro->first_problem_raw = when;
		return;
	}
	note_server(ro, rec);
	if (rec->tli != 0)
		note_tli(ro, rec);
}

/* The promotion as the ledger shows it: the first acknowledgement from a
 * server other than the one that acknowledged first. */
static void
promotion_by_server(fp_ro *ro)
{
	int			first = 0;

	if (ro->nserver < 2)
		return;
	for (int i = 1; i < ro->nserver; i++)
		if (ro->server_first[i] < ro->server_first[first])
			first = i;
	for (int i = 0; i < ro->nserver; i++)
		if (i != first && (ro->promotion_us == 0 || ro->server_first[i] < ro->promotion_us))
		{
			ro->promotion_us = ro->server_first[i];
			ro->promotion_server = ro->server[i];
		}
}

bool
fp_ro_finish(fp_ro *ro)
{
	fp_outage  *o = &ro->outage;
	const fp_ro_tli *lo = NULL;
	const fp_ro_tli *next = NULL;	/* the later timeline acknowledged first */
	int64_t		new_sent = 0;

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < ro->ntli; i++)
		if (lo == NULL || ro->tli[i].tli < lo->tli)
			lo = &ro->tli[i];
	for (int i = 0; lo && i < ro->ntli; i++)
	{
		const fp_ro_tli *t = &ro->tli[i];

		if (t->tli <= lo->tli)
			continue;
		if (next == NULL || t->first_ack < next->first_ack)
			next = t;
		if (new_sent == 0 || t->first_sent < new_sent)
			new_sent = t->first_sent;
	}
	o->first_problem = ro->first_problem_raw;
	ro->failover = next != NULL;
	if (!ro->failover)
	{
		promotion_by_server(ro);
		return o->first_problem != 0;
	}
	if (o->first_problem == 0 || new_sent < o->first_problem)
		o->first_problem = new_sent;
	o->last_ack_before = lo->last_ack;
	o->server_before = lo->last_server;
	o->tli_before = lo->tli;
	o->first_ack_after = next->first_ack;
	o->server_after = next->first_server;
	o->tli_after = next->tli;
	if (o->first_problem < o->last_ack_before)
		o->first_problem = o->last_ack_before;
	ro->promotion_us = next->first_ack;
	ro->promotion_tli = next->tli;
	ro->promotion_server = next->first_server;
	return false;
}

void
fp_ro_add_second(fp_ro *ro, const fp_record *rec)
{
	fp_outage  *o = &ro->outage;

	if (rec->outcome != FP_OUT_ACKED)
		return;
	if (rec->done_us <= o->first_problem && rec->done_us > o->last_ack_before)
	{
		o->last_ack_before = rec->done_us;
		o->server_before = rec->server;
		o->tli_before = rec->tli;
	}
	if (rec->done_us > o->first_problem &&
		(o->first_ack_after == 0 || rec->done_us < o->first_ack_after))
	{
		o->first_ack_after = rec->done_us;
		o->server_after = rec->server;
		o->tli_after = rec->tli;
	}
}

double
fp_ro_rto_ms(const fp_outage *o)
{
	if (o->first_problem == 0 || o->first_ack_after == 0 || o->last_ack_before == 0)
		return -1;
	return (o->first_ack_after - o->last_ack_before) / 1000.0;
}

double
fp_ro_detection_ms(const fp_outage *o)
{
	if (o->first_problem == 0 || o->last_ack_before == 0)
		return -1;
	return (o->first_problem - o->last_ack_before) / 1000.0;
}
