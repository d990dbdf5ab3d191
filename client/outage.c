/*
 * outage.c - the outage of a run from its ledger records; see outage.h for
 * the definitions and how to feed it.
 *
 * The failover's ends need the lowest timeline, which is only known at the
 * end; rather than keep every timeline, the first pass keeps two sides: the
 * lowest timeline seen so far and everything above it.  When a lower
 * timeline turns up, the old lowest one joins the later side.
 */
#define _POSIX_C_SOURCE 200809L

#include "outage.h"

#include <stdlib.h>
#include <string.h>

void
fp_outage_init(fp_outage_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
}

void
fp_outage_free(fp_outage_scan *sc)
{
	free(sc->problems);
	sc->problems = NULL;
	sc->nproblems = sc->cap = 0;
}

static void
keep_problem(fp_outage_scan *sc, int64_t when)
{
	if (sc->nproblems == sc->cap)
	{
		size_t		cap = sc->cap ? sc->cap * 2 : 1024;
		int64_t    *p;

		if (cap > FP_OUTAGE_MAX_PROBLEMS ||
			(p = realloc(sc->problems, cap * sizeof(int64_t))) == NULL)
			return;
		sc->problems = p;
		sc->cap = cap;
	}
	sc->problems[sc->nproblems++] = when;
}

static int
time_cmp(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a, y = *(const int64_t *) b;

	return x < y ? -1 : x > y;
}

/* The last problem of the burst that starts with the first one. */
static int64_t
burst_end(fp_outage_scan *sc)
{
	int64_t		end;

	if (sc->nproblems == 0)
		return sc->first_problem;
	qsort(sc->problems, sc->nproblems, sizeof(int64_t), time_cmp);
	end = sc->problems[0];
	for (size_t i = 1; i < sc->nproblems && sc->problems[i] - end < FP_OUTAGE_GAP_US; i++)
		end = sc->problems[i];
	return end;
}

static void
side_add(fp_outage_side *s, const fp_record *rec, uint64_t seq)
{
	if (s->first_ack == 0 || rec->done_us < s->first_ack)
	{
		s->first_ack = rec->done_us;
		s->first_seq = seq;
		s->first_server = rec->server;
		s->first_tli = rec->tli;
	}
	if (rec->done_us > s->last_ack)
	{
		s->last_ack = rec->done_us;
		s->last_server = rec->server;
	}
	if (s->first_sent == 0 || rec->sent_us < s->first_sent)
		s->first_sent = rec->sent_us;
}

/* Fold `from` into `into`, for the first acknowledgement and sending only. */
static void
side_merge(fp_outage_side *into, const fp_outage_side *from)
{
	if (from->first_ack == 0)
		return;
	if (into->first_ack == 0 || from->first_ack < into->first_ack ||
		(from->first_ack == into->first_ack && from->first_seq < into->first_seq))
	{
		into->first_ack = from->first_ack;
		into->first_seq = from->first_seq;
		into->first_server = from->first_server;
		into->first_tli = from->first_tli;
	}
	if (into->first_sent == 0 || from->first_sent < into->first_sent)
		into->first_sent = from->first_sent;
}

static void
add_timeline_ack(fp_outage_scan *sc, const fp_record *rec)
{
	if (sc->lo_tli == 0 || rec->tli < sc->lo_tli)
	{
		side_merge(&sc->later, &sc->old);
		memset(&sc->old, 0, sizeof(sc->old));
		sc->lo_tli = rec->tli;
	}
	side_add(rec->tli == sc->lo_tli ? &sc->old : &sc->later, rec, sc->acks++);
}

void
fp_outage_add(fp_outage_scan *sc, const fp_record *rec)
{
	if (rec->outcome != FP_OUT_ACKED)
	{
		int64_t		when = rec->outcome == FP_OUT_MISSED ? rec->scheduled_us : rec->done_us;

		if (sc->first_problem == 0 || when < sc->first_problem)
			sc->first_problem = when;
		keep_problem(sc, when);
		return;
	}
	if (rec->tli != 0)
		add_timeline_ack(sc, rec);
}

bool
fp_outage_finish(fp_outage_scan *sc)
{
	fp_outage  *o = &sc->outage;

	memset(o, 0, sizeof(*o));
	o->first_problem = sc->first_problem;
	sc->second = false;
	if (!fp_outage_failover(sc))
	{
		sc->second = o->first_problem != 0;
		sc->burst_end = sc->second ? burst_end(sc) : 0;
		return sc->second;
	}
	/* a write held up by the failover is a problem even if it succeeded */
	if (o->first_problem == 0 || sc->later.first_sent < o->first_problem)
		o->first_problem = sc->later.first_sent;
	o->last_ack_before = sc->old.last_ack;
	o->server_before = sc->old.last_server;
	o->tli_before = sc->lo_tli;
	o->first_ack_after = sc->later.first_ack;
	o->server_after = sc->later.first_server;
	o->tli_after = sc->later.first_tli;
	if (o->first_problem < o->last_ack_before)
		o->first_problem = o->last_ack_before;
	return false;
}

void
fp_outage_add_second(fp_outage_scan *sc, const fp_record *rec)
{
	fp_outage  *o = &sc->outage;

	if (!sc->second || rec->outcome != FP_OUT_ACKED)
		return;
	if (rec->done_us <= o->first_problem && rec->done_us > o->last_ack_before)
	{
		o->last_ack_before = rec->done_us;
		o->server_before = rec->server;
		o->tli_before = rec->tli;
	}
	if (rec->done_us > sc->burst_end &&
		(o->first_ack_after == 0 || rec->done_us < o->first_ack_after))
	{
		o->first_ack_after = rec->done_us;
		o->server_after = rec->server;
		o->tli_after = rec->tli;
	}
}

bool
fp_outage_failover(const fp_outage_scan *sc)
{
	return sc->later.first_ack != 0;
}

double
fp_outage_rto_ms(const fp_outage *o)
{
	int64_t		from;

	if (o->first_problem == 0 || o->first_ack_after == 0)
		return -1;
	/* no ack before the trouble (the run began in it): down from its start */
	from = o->last_ack_before ? o->last_ack_before : o->first_problem;
	/* the old timeline acknowledged after the new one's first ack (split
	 * brain, which verify reports): writes were never down */
	if (o->first_ack_after <= from)
		return 0;
	return (o->first_ack_after - from) / 1000.0;
}

double
fp_outage_detection_ms(const fp_outage *o)
{
	if (o->first_problem == 0 || o->last_ack_before == 0)
		return -1;
	return (o->first_problem - o->last_ack_before) / 1000.0;
}
