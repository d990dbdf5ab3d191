/*
 * schedule.h - when each write is due, for an open-loop --rate.
 *
 * The run's rate R is shared by N connections: each sends every N/R
 * seconds, and connection i is shifted by i/R seconds so that together
 * they send one write every 1/R seconds rather than N at once.  A due time
 * is computed from the run's start and the write's number, never by adding
 * intervals one after the other, so rounding cannot drift over a long run.
 *
 * With a burst B > 1 (pipelined runs), a connection's writes come due B at
 * a time, every B * N/R seconds, and connections are shifted by B/R: the
 * same rate, in groups that one send() carries together, which is where
 * pipelining saves the client's CPU at a fixed rate.  Latency is still
 * measured from each write's due time, the group's.
 */
#ifndef FP_SCHEDULE_H
#define FP_SCHEDULE_H

#include <stdint.h>

/*
 * Microseconds after the start at which write seq (from 1) of the run's
 * index-th connection (from 0, whatever its worker number) is due.
 * rate > 0, burst >= 1.
 */
static inline int64_t
fp_due_offset_us(double rate, int clients, int burst, int index, uint64_t seq)
{
	double		per_conn_us = 1e6 * clients / rate;
	double		shift_us = 1e6 * index * burst / rate;
	uint64_t	first_of_group = (seq - 1) / (uint64_t) burst * (uint64_t) burst;

	return (int64_t) (shift_us + per_conn_us * (double) first_of_group);
}

#endif
