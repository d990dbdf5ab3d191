/*
 * schedule.c - due times of an open-loop, piecewise-linear rate (see
 * schedule.h).
 */
#include "schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
fp_schedule_init(fp_schedule *s, const fp_stage *stages, int n,
				 int clients, int burst, char *err, size_t errlen)
{
	if (n < 1 || n > FP_MAX_STAGES)
	{
		snprintf(err, errlen, "a schedule needs 1 to %d stages", FP_MAX_STAGES);
		return -1;
	}
	memset(s, 0, sizeof(*s));
	s->nstages = n;
	s->clients = clients;
	s->burst = burst;
	for (int i = 0; i < n; i++)
	{
		const fp_stage *st = &stages[i];

		if (!(st->duration_s > 0) || !(st->from > 0) || !(st->to > 0))
		{
			snprintf(err, errlen, "stage %d: its duration and rates must be above 0", i + 1);
			return -1;
		}
		s->stages[i] = *st;
		s->start_us[i + 1] = s->start_us[i] + st->duration_s * 1e6;
		s->start_writes[i + 1] = s->start_writes[i] + st->duration_s * (st->from + st->to) / 2;
	}
	return 0;
}

/*
 * The moment (us after the start) the integral of the rate reaches x
 * writes: within a stage, the rate is r(t) = a + b t (t in seconds), and
 * the writes due by t are a t + b t^2 / 2.
 */
static double
time_of_write(const fp_schedule *s, double x)
{
	int			lo = 0,
				hi = s->nstages;
	const fp_stage *st;
	double		y,
				a,
				b,
				t;

	if (x >= s->start_writes[s->nstages])
		return INFINITY;
	/* the last stage whose first write is at or before x */
	while (hi - lo > 1)
	{
		int			mid = (lo + hi) / 2;

		if (s->start_writes[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	st = &s->stages[lo];
	y = x - s->start_writes[lo];
	a = st->from;
	b = (st->to - st->from) / st->duration_s;
	if (fabs(b) < 1e-12)
		t = y / a;
	else
		/* the root of b/2 t^2 + a t - y = 0 that is >= 0, in a form that
		 * stays exact when b is small */
		t = 2 * y / (a + sqrt(a * a + 2 * b * y));
	return s->start_us[lo] + t * 1e6;
}

int64_t
fp_schedule_due_us(const fp_schedule *s, int index, uint64_t seq)
{
	uint64_t	group = (seq - 1) / (uint64_t) s->burst;
	double		x = ((double) group * s->clients + index) * s->burst;
	double		t = time_of_write(s, x);

	return isinf(t) ? INT64_MAX : (int64_t) t;
}

double
fp_schedule_writes_by(const fp_schedule *s, double t_us)
{
	int			i = fp_schedule_stage_at(s, t_us);
	const fp_stage *st = &s->stages[i];
	double		t = fmin(fmax(t_us - s->start_us[i], 0), st->duration_s * 1e6) / 1e6;

	/* a t + b t^2 / 2, as in time_of_write */
	return s->start_writes[i] + st->from * t + (st->to - st->from) / st->duration_s * t * t / 2;
}

int
fp_schedule_stage_at(const fp_schedule *s, double t_us)
{
	for (int i = 0; i < s->nstages; i++)
		if (t_us < s->start_us[i + 1])
			return i;
	return s->nstages - 1;
}

double
fp_schedule_seconds(const fp_schedule *s)
{
	return s->start_us[s->nstages] / 1e6;
}

/*
 * The number that starts p[0..len) and, in *unit, what follows it (in
 * unitbuf); -1 if there is no positive finite number.
 */
static double
leading_number(const char *p, size_t len, char *unitbuf, size_t unitsize)
{
	char		buf[32];
	char	   *end;
	double		v;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	v = strtod(buf, &end);
	if (end == buf || !isfinite(v) || v <= 0)
		return -1;
	snprintf(unitbuf, unitsize, "%s", end);
	return v;
}

/* "30s", "2m", "500ms", "45": seconds, or -1. */
static double
parse_duration(const char *p, size_t len)
{
	char		unit[32];
	double		v = leading_number(p, len, unit, sizeof(unit));

	if (v < 0)
		return -1;
	if (strcmp(unit, "") == 0 || strcmp(unit, "s") == 0)
		return v;
	if (strcmp(unit, "m") == 0)
		return v * 60;
	if (strcmp(unit, "ms") == 0)
		return v / 1000;
	return -1;
}

/* Writes per second, nothing after the number; -1 if not. */
static double
parse_rate(const char *p, size_t len)
{
	char		unit[32];
	double		v = leading_number(p, len, unit, sizeof(unit));

	return v < 0 || unit[0] != '\0' || v > 1e8 ? -1 : v;
}

int
fp_stages_parse(const char *text, fp_stage *out, int max, char *err, size_t errlen)
{
	const char *p = text;
	int			n = 0;

	while (*p)
	{
		size_t		len = strcspn(p, ",");
		const char *at = memchr(p, '@', len);
		const char *dash;
		fp_stage	st;

		if (n == max)
		{
			snprintf(err, errlen, "too many stages (at most %d)", max);
			return -1;
		}
		if (at == NULL)
		{
			snprintf(err, errlen, "stage '%.*s' is not DURATION@RATE (e.g. 30s@8000 or 60s@1000-8000)",
					 (int) len, p);
			return -1;
		}
		st.duration_s = parse_duration(p, (size_t) (at - p));
		dash = memchr(at + 1, '-', len - (size_t) (at + 1 - p));
		st.from = parse_rate(at + 1, (size_t) ((dash ? dash : p + len) - (at + 1)));
		st.to = dash ? parse_rate(dash + 1, (size_t) (p + len - (dash + 1))) : st.from;
		if (st.duration_s <= 0 || st.from <= 0 || st.to <= 0)
		{
			snprintf(err, errlen, "stage '%.*s': the duration must be like 30s, 2m or 500ms and "
					 "the rate a number of writes per second above 0", (int) len, p);
			return -1;
		}
		out[n++] = st;
		p += len;
		if (*p == ',')
		{
			p++;
			if (*p == '\0')
			{
				snprintf(err, errlen, "the stage list ends with a comma");
				return -1;
			}
		}
	}
	if (n == 0)
	{
		snprintf(err, errlen, "no stages given");
		return -1;
	}
	{
		double		total = 0;

		for (int i = 0; i < n; i++)
			total += out[i].duration_s;
		/* as --duration: beyond it the microsecond clock arithmetic overflows */
		if (total > FP_STAGES_MAX_S)
		{
			snprintf(err, errlen, "the stages last %.0f s in all; at most %d (31 days)",
					 total, FP_STAGES_MAX_S);
			return -1;
		}
	}
	return n;
}
