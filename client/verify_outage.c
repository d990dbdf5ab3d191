/*
 * verify_outage.c - the outage from ledger records (verify_outage.h).
 *
 * Mirrors fp_summary_scan() in summary.c step for step: its three reads
 * (problems; timelines; acknowledgements around the first problem) fold
 * into two here, because the third only matters when there was no
 * failover, and then the first problem is not moved by the second.
 */
#include "verify_outage.h"

void
fpv_outage_first(fpv_outage *o, const fp_record *rec)
{
	int64_t		when = rec->outcome == FP_OUT_MISSED ? rec->scheduled_us : rec->done_us;

	if (rec->outcome != FP_OUT_ACKED)
	{
		if (o->first_problem == 0 || when < o->first_problem)
			o->first_problem = when;
		return;
	}
	if (rec->tli != 0 && (o->lo_tli == 0 || rec->tli < o->lo_tli))
		o->lo_tli = rec->tli;
}

static void
around_problem(fpv_outage *o, const fp_record *rec)
{
	if (o->first_problem == 0)
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

static void
timelines(fpv_outage *o, const fp_record *rec)
{
	if (rec->tli == 0)
		return;
	if (rec->tli == o->lo_tli && rec->done_us > o->last_old)
	{
		o->last_old = rec->done_us;
		o->last_old_server = rec->server;
	}
	if (rec->tli > o->lo_tli && (o->first_new == 0 || rec->done_us < o->first_new))
	{
		o->first_new = rec->done_us;
		o->first_new_server = rec->server;
		o->first_new_tli = rec->tli;
	}
	if (rec->tli > o->lo_tli && (o->first_new_sent == 0 || rec->sent_us < o->first_new_sent))
		o->first_new_sent = rec->sent_us;
}

void
fpv_outage_second(fpv_outage *o, const fp_record *rec)
{
	if (rec->outcome != FP_OUT_ACKED)
		return;
	around_problem(o, rec);
	timelines(o, rec);
}

void
fpv_outage_finish(fpv_outage *o)
{
	if (o->first_new == 0)
		return;
	/* a failover: the old timeline's last ack to the new one's first */
	if (o->first_problem == 0 || o->first_new_sent < o->first_problem)
		o->first_problem = o->first_new_sent;
	o->last_ack_before = o->last_old;
	o->server_before = o->last_old_server;
	o->tli_before = o->lo_tli;
	o->first_ack_after = o->first_new;
	o->server_after = o->first_new_server;
	o->tli_after = o->first_new_tli;
	if (o->first_problem < o->last_ack_before)
		o->first_problem = o->last_ack_before;
}

double
fpv_outage_rto_ms(const fpv_outage *o)
{
	if (o->first_problem == 0 || o->first_ack_after == 0 || o->last_ack_before == 0)
		return -1;
	return (o->first_ack_after - o->last_ack_before) / 1000.0;
}

double
fpv_outage_detection_ms(const fpv_outage *o)
{
	if (o->first_problem == 0 || o->last_ack_before == 0)
		return -1;
	return (o->first_problem - o->last_ack_before) / 1000.0;
}
