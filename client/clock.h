/*
 * clock.h - the two clocks of the client.
 *
 * Ledger times are wall-clock (CLOCK_REALTIME) microseconds, so that they
 * can be set beside server timestamps.  Schedules and latencies use the
 * monotonic clock, which NTP cannot step.  The run keeps the offset between
 * the two from its start.
 */
#ifndef FP_CLOCK_H
#define FP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
fp_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t
fp_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
