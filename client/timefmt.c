/*
 * timefmt.c - ledger times as UTC text; see timefmt.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "timefmt.h"

#include <stdbool.h>
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

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): no timegm, which is neither fast nor in C11. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned) (y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t) doe - 719468;
}

/* n decimal digits at s into *v; false unless all are digits. */
static bool
digits(const char *s, int n, int64_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

int64_t
fp_time_parse_pg_utc(const char *s)
{
	int64_t		y, mo, d, h, mi, sec, frac = 0;
	int			n = 0;

	if (s == NULL || strlen(s) < 19 || !digits(s, 4, &y) || s[4] != '-' ||
		!digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) || s[10] != ' ' ||
		!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
		!digits(s + 17, 2, &sec))
		return 0;
	s += 19;
	if (*s == '.')
	{
		for (s++; *s >= '0' && *s <= '9'; s++, n++)
			if (n < 6)
				frac = frac * 10 + (*s - '0');
		for (; n < 6; n++)
			frac *= 10;
	}
	if (strcmp(s, "+00") != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	return ((days_from_civil(y, (unsigned) mo, (unsigned) d) * 86400 + h * 3600 + mi * 60 + sec)
			* 1000000) + frac;
}
