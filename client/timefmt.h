/*
 * timefmt.h - ledger times (wall-clock Unix microseconds, clock.h) as UTC
 * text, so that inspect, verify and the run's summary write them alike.
 *
 * Both write "-" for 0, the ledger's "no time".  export_csv.c keeps its own
 * cached formatter: it writes millions of rows.
 */
#ifndef FP_TIMEFMT_H
#define FP_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* 2024-05-01T12:34:56.123456Z (needs 28 bytes). */
void		fp_time_iso(char *buf, size_t size, int64_t us);

/* 12:34:56.123Z: the time of day to the millisecond, for text reports of
 * one run (needs 14 bytes). */
void		fp_time_of_day(char *buf, size_t size, int64_t us);

/* The server's "2024-05-01 12:34:56.123456+00" (UTC, as pg_failprobe
 * reports commit times) as Unix microseconds, or 0 when malformed. */
int64_t		fp_time_parse_pg_utc(const char *s);

#endif
