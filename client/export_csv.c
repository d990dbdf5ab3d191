/*
 * export_csv.c - CSV fields and rows (export_csv.h).
 *
 * Millions of rows go through here for writes.csv, so the time formatting
 * reuses the date part of the previous call when the second is the same,
 * instead of calling gmtime_r for each of three times per row.
 */
#define _POSIX_C_SOURCE 200809L

#include "export_csv.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

void
fp_csv_init(fp_csv *c, FILE *f)
{
	c->f = f;
	c->col = 0;
}

static void
separate(fp_csv *c)
{
	if (c->col++ > 0)
		putc(',', c->f);
}

void
fp_csv_text(fp_csv *c, const char *s)
{
	separate(c);
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL)
	{
		fputs(s, c->f);
		return;
	}
	putc('"', c->f);
	for (const char *p = s; *p; p++)
	{
		if (*p == '"')
			putc('"', c->f);
		putc(*p, c->f);
	}
	putc('"', c->f);
}

void
fp_csv_int(fp_csv *c, int64_t v)
{
	separate(c);
	fprintf(c->f, "%" PRId64, v);
}

void
fp_csv_num(fp_csv *c, double v, int decimals)
{
	char		buf[64];
	char	   *dot;
	size_t		n;

	separate(c);
	if (!isfinite(v))
		return;
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	dot = strchr(buf, '.');
	if (dot)
	{
		n = strlen(buf);
		while (n > 0 && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (buf[n - 1] == '.')
			buf[--n] = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	fputs(buf, c->f);
}

void
fp_csv_null(fp_csv *c)
{
	separate(c);
}

void
fp_csv_end(fp_csv *c)
{
	putc('\n', c->f);
	c->col = 0;
}

void
fp_csv_header(fp_csv *c, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		fp_csv_text(c, names[i]);
	fp_csv_end(c);
}

void
fp_csv_time(char *buf, int64_t us)
{
	static int64_t cached_s = INT64_MIN;
	static char cached[24];		/* "YYYY-MM-DDTHH:MM:SS" */
	int64_t		s = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	int			frac = (int) (us - s * 1000000);

	if (s != cached_s)
	{
		time_t		t = (time_t) s;
		struct tm	tm;

		gmtime_r(&t, &tm);
		strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_s = s;
	}
	snprintf(buf, 32, "%s.%06dZ", cached, frac);
}

void
fp_csv_lsn(char *buf, size_t size, uint64_t lsn)
{
	snprintf(buf, size, "%X/%X", (unsigned int) (lsn >> 32), (unsigned int) lsn);
}
