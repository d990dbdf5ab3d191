/*
 * timefmt.c - ledger times as UTC text; see timefmt.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* strftime's fmt for the whole seconds, then the fraction to `digits`
 * (3 or 6) and "Z". */
static void
utc_text(char *buf, size_t size, int64_t us, const char *fmt, int digits)
{
	time_t		s = (time_t) (us / 1000000);
	int			frac = (int) (us % 1000000);
	struct tm	tm;
	size_t		len;

	if (us == 0)
	{
		snprintf(buf, size, "-");
		return;
	}
	gmtime_r(&s, &tm);
	len = strftime(buf, size, fmt, &tm);
	snprintf(buf + len, size - len, ".%0*dZ", digits, digits == 3 ? frac / 1000 : frac);
}

void
fp_time_iso(char *buf, size_t size, int64_t us)
{
	utc_text(buf, size, us, "%Y-%m-%dT%H:%M:%S", 6);
}

void
fp_time_of_day(char *buf, size_t size, int64_t us)
{
	utc_text(buf, size, us, "%H:%M:%S", 3);
}
