/*
 * schedule.h - when each write is due, for an open-loop --rate.
 *
 * The run's rate R is shared by N connections: each sends every N/R
 * seconds, and connection i is shifted by i/R seconds so that together
 * they send one write every 1/R seconds rather than N at once.  A due time
 * is computed from the run's start and the write's number, never by adding
 * intervals one after the other, so rounding cannot drift over a long run.
 */
#ifndef FP_SCHEDULE_H
#define FP_SCHEDULE_H

#include <stdint.h>

/*
 * Microseconds after the start at which write seq (from 1) of the run's
 * index-th connection (from 0, whatever its worker number) is due.
 * rate > 0.
 */
static inline int64_t
fp_due_offset_us(double rate, int clients, int index, uint64_t seq)
{
	double		per_conn_us = 1e6 * clients / rate;
	double		shift_us = 1e6 * index / rate;

	return (int64_t) (shift_us + per_conn_us * (double) (seq - 1));
}

#endif
