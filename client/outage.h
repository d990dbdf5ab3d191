/*
 * outage.h - the outage of a run (detection time, RTO) from its ledger
 * records: the one definition that `failprobe run` (summary.c), `verify`
 * and `report` share, so that they give one RTO for one run.
 *
 * Definitions (docs/report.md "Definitions", docs/verify.md "RTO"): the
 * outage starts at the first write that failed, was in doubt or was missed
 * (its due time for a missed one); it runs from the last acknowledgement
 * before that to the first after the last problem of its burst: problems
 * less than FP_OUTAGE_GAP_US apart belong to one outage.  Connections do
 * not fail at the same instant: one that still works acknowledges a write
 * a few milliseconds after the first problem, and that is not a recovery
 * while the others go on failing.  When acknowledgements came from two
 * timelines (a failover) its ends are the old timeline's last
 * acknowledgement and the new one's first, so that a connection the dying
 * primary still served does not pass for the recovery; and a write the new
 * timeline acknowledged starts the outage no later than it was sent, since
 * through a pooler a failover need fail no write.
 *
 * Use, over any number of ledgers read in turn: fp_outage_add() for every
 * record, then fp_outage_finish(); when it returns true (an outage without
 * a timeline change, whose "last acknowledgement before the first problem"
 * cannot be known before the first problem is), fp_outage_add_second() for
 * every record again.  The first pass keeps a few figures whatever the
 * number of records, so a ledger of tens of millions is read at disk speed.
 */
#ifndef FP_OUTAGE_H
#define FP_OUTAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "ledger.h"

/* The outage as the client saw it; times are wall-clock microseconds, 0 = none. */
typedef struct fp_outage
{
	int64_t		first_problem;	/* first failed, in-doubt or missed write */
	int64_t		last_ack_before;	/* last acknowledgement before it */
	int64_t		first_ack_after;	/* first acknowledgement after it */
	uint32_t	server_before;	/* who acknowledged those two */
	uint32_t	server_after;
	uint32_t	tli_before;
	uint32_t	tli_after;
} fp_outage;

/*
 * Acknowledgements (with a known timeline) on one side of a failover.  On
 * a tie the record read first wins, as it would in a plain scan: first_seq
 * says which that was when two sides are merged.
 */
typedef struct fp_outage_side
{
	int64_t		first_ack;		/* earliest acknowledgement; 0 = none */
	uint64_t	first_seq;		/* its place in the reading order */
	uint32_t	first_server;
	uint32_t	first_tli;
	int64_t		last_ack;		/* latest acknowledgement */
	uint32_t	last_server;
	int64_t		first_sent;		/* earliest sending of a write acked here */
} fp_outage_side;

typedef struct fp_outage_scan
{
	int64_t		first_problem;	/* as read: first failed, in-doubt or missed write */
	uint32_t	lo_tli;			/* lowest timeline acknowledged so far */
	uint64_t	acks;			/* acknowledgements with a timeline so far */
	fp_outage_side old;			/* those on lo_tli */
	fp_outage_side later;		/* those on any later timeline (last_* unused) */
	bool		second;			/* fp_outage_finish asked for a second pass */
	int64_t    *problems;		/* times of the problems, for their burst */
	size_t		nproblems, cap;
	int64_t		burst_end;		/* the last problem of the first burst */
	fp_outage	outage;			/* the result, set by fp_outage_finish */
} fp_outage_scan;

/* Problems this far apart or more are separate outages. */
#define FP_OUTAGE_GAP_US 1000000
/* At most this many problem times are kept (8 bytes each); past it the
 * burst is cut there. */
#define FP_OUTAGE_MAX_PROBLEMS (1u << 22)

void		fp_outage_init(fp_outage_scan *sc);
void		fp_outage_free(fp_outage_scan *sc);
void		fp_outage_add(fp_outage_scan *sc, const fp_record *rec);

/* Works out the outage; true when the second pass is needed. */
bool		fp_outage_finish(fp_outage_scan *sc);

/* The second pass; does nothing unless fp_outage_finish asked for it. */
void		fp_outage_add_second(fp_outage_scan *sc, const fp_record *rec);

/* Acknowledgements came from two timelines. */
bool		fp_outage_failover(const fp_outage_scan *sc);

/* Milliseconds, or a negative number when not applicable (no outage, or
 * for the RTO no acknowledgement after it: not recovered). */
double		fp_outage_rto_ms(const fp_outage *o);
double		fp_outage_detection_ms(const fp_outage *o);

#endif
