/*
 * report_input.c - loading and checking what a report is made from; see
 * report_input.h.
 *
 * Every input is read before the page is written, so that bad input ends
 * in a one-line error and no half-written page.
 */
#define _POSIX_C_SOURCE 200809L

#include "report_input.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON file that must hold an object; NULL and err filled otherwise. */
static json_t *
load_object(const char *path, const char *what, const char *hint, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t	   *j = json_load_file(path, 0, &jerr);

	if (j == NULL)
	{
		snprintf(err, errlen, "cannot read %s %s: %s (line %d); %s",
				 what, path, jerr.text, jerr.line, hint);
		return NULL;
	}
	if (!json_is_object(j))
	{
		json_decref(j);
		snprintf(err, errlen, "%s %s is not a JSON object; %s", what, path, hint);
		return NULL;
	}
	return j;
}

/* Whether a run's or verify's JSON j (from path) is of another run than the ledger's. */
static bool
other_run(const json_t *j, const char *path, const char *what, uint64_t run_id,
		  char *err, size_t errlen)
{
	json_t	   *v = j ? json_object_get(j, "run_id") : NULL;

	if (j == NULL || !json_is_integer(v) || (uint64_t) json_integer_value(v) == run_id)
		return false;
	snprintf(err, errlen, "%s JSON %s is of run %" JSON_INTEGER_FORMAT ", the ledger of run %" PRIu64
			 "; give the files of one run", what, path, json_integer_value(v), run_id);
	return true;
}

int
fp_report_load(fp_report_input *in, char *err, size_t errlen)
{
	json_error_t jerr;

	if (in->run_path &&
		(in->run = load_object(in->run_path, "run JSON", "give the file 'failprobe run --json' wrote",
							   err, errlen)) == NULL)
		return -1;
	if (in->verify_path &&
		(in->verify = load_object(in->verify_path, "verify JSON",
								  "give the file 'failprobe verify --json' wrote", err, errlen)) == NULL)
		return -1;
	if (fp_rs_scan(&in->series, in->ledger_path, &in->hdr, &in->truncated,
				   in->end_note, sizeof(in->end_note), err, errlen) != 0)
		return -1;
	if (in->server_path &&
		fp_rsv_load(&in->server, in->server_path, in->server_named, in->hdr.start_us, err, errlen) != 0)
		return -1;
	if (other_run(in->run, in->run_path, "run", in->hdr.run_id, err, errlen) ||
		other_run(in->verify, in->verify_path, "verify", in->hdr.run_id, err, errlen))
		return -1;
	in->meta = json_loads(in->hdr.meta, 0, &jerr);
	if (in->meta && !json_is_object(in->meta))
	{
		json_decref(in->meta);
		in->meta = NULL;
	}
	return 0;
}

void
fp_report_input_free(fp_report_input *in)
{
	json_decref(in->meta);
	json_decref(in->run);
	json_decref(in->verify);
	fp_rs_free(&in->series);
	fp_rsv_free(&in->server);
	in->meta = in->run = in->verify = NULL;
}

bool
fp_rj_number(const json_t *obj, const char *key, double *out)
{
	json_t	   *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

const char *
fp_rj_string(const json_t *obj, const char *key)
{
	json_t	   *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* n digits at *p as a number, advancing *p; -1 if they are not digits. */
static int
digits(const char **p, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++, (*p)++)
	{
		if (!isdigit((unsigned char) **p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* "Z", "+HH", "+HHMM", "+HH:MM" or nothing: the offset in seconds, or a
 * value outside +-1 day when it does not parse. */
static int
zone_offset(const char *p)
{
	int			sign, h, m = 0;

	if (*p == '\0' || strcmp(p, "Z") == 0)
		return 0;
	if (*p != '+' && *p != '-')
		return 1 << 20;
	sign = *p++ == '-' ? -1 : 1;
	if ((h = digits(&p, 2)) < 0)
		return 1 << 20;
	if (*p == ':')
		p++;
	if (*p && (m = digits(&p, 2)) < 0)
		return 1 << 20;
	return *p ? 1 << 20 : sign * (h * 3600 + m * 60);
}

int64_t
fp_rj_parse_time(const char *text)
{
	const char *p = text;
	int			y, mo, d, h, mi, s, off;
	int64_t		us = 0;
	int			scale = 100000;

	if (p == NULL || (y = digits(&p, 4)) < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 1 ||
		*p++ != '-' || (d = digits(&p, 2)) < 1 || (*p != 'T' && *p != ' ') || !*p++ ||
		(h = digits(&p, 2)) < 0 || *p++ != ':' || (mi = digits(&p, 2)) < 0 ||
		*p++ != ':' || (s = digits(&p, 2)) < 0 || mo > 12 || d > 31 || h > 23 || mi > 59 || s > 60)
		return 0;
	if (*p == '.')
		for (p++; isdigit((unsigned char) *p); p++, scale /= 10)
			us += (*p - '0') * scale;
	if ((off = zone_offset(p)) > 86400 || off < -86400)
		return 0;
	return ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) - off) * 1000000 + us;
}

/* Every promotion time in j (see fp_rj_promotion_us): the one inside
 * [lo, hi] nearest to lo wins, so that an older promotion recorded on the
 * same server is not taken for this run's. */
static void
promotion_in(const json_t *j, int depth, int64_t lo, int64_t hi, int64_t *best)
{
	const char *key;
	json_t	   *v;
	size_t		i;

	if (depth > 4)
		return;
	if (json_is_object(j))
	{
		const char *kind = fp_rj_string(j, "kind");
		int64_t		t = fp_rj_parse_time(fp_rj_string(j, "promoted_at"));

		if (t == 0 && kind && strcmp(kind, "promoted") == 0)
			t = fp_rj_parse_time(fp_rj_string(j, "at"));
		if (t != 0 && t >= lo && t <= hi && (*best == 0 || t < *best))
			*best = t;
		json_object_foreach((json_t *) j, key, v)
			promotion_in(v, depth + 1, lo, hi, best);
	}
	else if (json_is_array(j))
		json_array_foreach(j, i, v)
			promotion_in(v, depth + 1, lo, hi, best);
}

int64_t
fp_rj_promotion_us(const json_t *verify, int64_t from_us, int64_t to_us)
{
	int64_t		best = 0;

	if (verify)
		promotion_in(verify, 0, from_us, to_us, &best);
	return best;
}

/* v itself when it is a non-empty array of objects, else such an array
 * among its members ({"list": [...]}, as verify writes), else NULL. */
static const json_t *
object_list(const json_t *v)
{
	const char *key;
	json_t	   *m;

	if (json_is_array(v))
		return json_array_size(v) > 0 && json_is_object(json_array_get(v, 0)) ? v : NULL;
	if (!json_is_object(v))
		return NULL;
	json_object_foreach((json_t *) v, key, m)
		if (json_is_array(m) && json_array_size(m) > 0 && json_is_object(json_array_get(m, 0)))
			return m;
	return NULL;
}

const json_t *
fp_rj_lost_list(const json_t *verify, const char **key_out)
{
	const char *key;
	json_t	   *v;
	const json_t *list;

	*key_out = NULL;
	if (!json_is_object(verify))
		return NULL;
	/* verify's own name first; then any other top-level key about lost writes */
	if ((list = object_list(json_object_get(verify, "lost_ranges"))) != NULL)
	{
		*key_out = "lost_ranges";
		return list;
	}
	json_object_foreach((json_t *) verify, key, v)
		if (strstr(key, "lost") && (list = object_list(v)) != NULL)
		{
			*key_out = key;
			return list;
		}
	return NULL;
}
