/*
 * report_series.c - per-second figures of a run from one pass over its
 * ledger; see report_series.h for what is counted where.
 *
 * Memory is one small fp_rsec per second of the run plus FP_RS_WINDOW
 * latency histograms, whatever the number of records: a 10-million-record
 * ledger is read at the speed of the disk.
 */
#define _POSIX_C_SOURCE 200809L

#include "report_series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
fp_rs_init(fp_rseries *s, int64_t origin_us)
{
	memset(s, 0, sizeof(*s));
	s->origin_us = origin_us;
	for (int i = 0; i < FP_RS_WINDOW; i++)
		s->live_sec[i] = -1;
	fp_outage_init(&s->outage);
	fp_rp_init(&s->promotion);
	return fp_hist_init(&s->all);
}

void
fp_rs_free(fp_rseries *s)
{
	for (int i = 0; i < FP_RS_WINDOW; i++)
		fp_hist_free(&s->live[i]);
	fp_hist_free(&s->all);
	fp_outage_free(&s->outage);
	free(s->sec);
	s->sec = NULL;
	s->n = s->cap = 0;
}

/* The second a time falls in; -1 when it is beyond any run. */
static int
second_of(const fp_rseries *s, int64_t when)
{
	int64_t		d;

	if (when <= s->origin_us)
		return 0;
	d = (when - s->origin_us) / 1000000;
	return d < FP_RS_MAX_SECONDS ? (int) d : -1;
}

/* The entry of second t, growing the array; NULL out of memory. */
static fp_rsec *
sec_at(fp_rseries *s, int t)
{
	if (t >= s->cap)
	{
		int			cap = s->cap ? s->cap : 64;
		fp_rsec    *p;

		while (cap <= t)
			cap *= 2;
		p = realloc(s->sec, (size_t) cap * sizeof(fp_rsec));
		if (p == NULL)
			return NULL;
		memset(p + s->cap, 0, (size_t) (cap - s->cap) * sizeof(fp_rsec));
		s->sec = p;
		s->cap = cap;
	}
	if (t >= s->n)
		s->n = t + 1;
	return &s->sec[t];
}

/* Percentiles of the second held in slot i, into its entry; frees the slot. */
static void
close_slot(fp_rseries *s, int i)
{
	fp_hist    *h = &s->live[i];
	fp_rsec    *e = &s->sec[s->live_sec[i]];

	e->p50_us = fp_hist_percentile(h, 50);
	e->p99_us = fp_hist_percentile(h, 99);
	e->max_us = h->max;
	fp_hist_reset(h);
	s->live_sec[i] = -1;
}

/*
 * The open histogram of second t, or NULL when t was closed already (its
 * slot went to a second FP_RS_WINDOW or more later) or out of memory.  A
 * slot is reused, and its old second closed, only by a later second.
 */
static fp_hist *
live_hist(fp_rseries *s, int t)
{
	int			i = t % FP_RS_WINDOW;

	if (s->live_sec[i] == t)
		return &s->live[i];
	if (s->live_sec[i] > t)
		return NULL;
	if (s->live_sec[i] >= 0)
		close_slot(s, i);
	if (s->live[i].counts == NULL && fp_hist_init(&s->live[i]) != 0)
		return NULL;
	s->live_sec[i] = t;
	return &s->live[i];
}

static void
count_state(fp_rseries *s, const fp_record *rec)
{
	char		code[6] = "";
	int			i;

	memcpy(code, rec->sqlstate, 5);
	for (i = 0; i < s->nstates; i++)
		if (strcmp(s->states[i].code, code) == 0)
			break;
	if (i == s->nstates)
	{
		if (i == FP_RS_MAX_STATES)
			return;
		memcpy(s->states[i].code, code, sizeof(code));
		s->nstates++;
	}
	if (rec->outcome == FP_OUT_FAILED)
		s->states[i].failed++;
	else
		s->states[i].in_doubt++;
}

static void
count_ack(fp_rseries *s, fp_rsec *e, int t, const fp_record *rec)
{
	uint64_t	lat = rec->done_us > rec->scheduled_us ?
		(uint64_t) (rec->done_us - rec->scheduled_us) : 0;
	fp_hist    *h = live_hist(s, t);

	e->acked++;
	s->acked++;
	fp_hist_record(&s->all, lat);
	if (h)
		fp_hist_record(h, lat);
	else
		s->late++;
}

int
fp_rs_add(fp_rseries *s, const fp_record *rec)
{
	int64_t		when = rec->outcome == FP_OUT_MISSED ? rec->scheduled_us : rec->done_us;
	int			t = second_of(s, when);
	fp_rsec    *e;

	s->records++;
	if (t < 0)
	{
		s->out_of_range++;
		return 0;
	}
	if ((e = sec_at(s, t)) == NULL)
		return -1;
	if (s->first_due_us == 0 || rec->scheduled_us < s->first_due_us)
		s->first_due_us = rec->scheduled_us;
	if (when > s->last_done_us)
		s->last_done_us = when;
	fp_outage_add(&s->outage, rec);
	fp_rp_add(&s->promotion, rec);
	switch (rec->outcome)
	{
		case FP_OUT_ACKED:
			count_ack(s, e, t, rec);
			break;
		case FP_OUT_FAILED:
			e->failed++;
			s->failed++;
			count_state(s, rec);
			break;
		case FP_OUT_IN_DOUBT:
			e->in_doubt++;
			s->in_doubt++;
			count_state(s, rec);
			break;
		case FP_OUT_MISSED:
			e->missed++;
			s->missed++;
			break;
		default:
			s->out_of_range++;	/* an outcome this program does not know */
			break;
	}
	return 0;
}

bool
fp_rs_finish(fp_rseries *s)
{
	bool		second;

	for (int i = 0; i < FP_RS_WINDOW; i++)
		if (s->live_sec[i] >= 0)
			close_slot(s, i);
	second = fp_outage_finish(&s->outage);
	fp_rp_finish(&s->promotion, &s->outage);
	return second;
}

/* The second pass over the first `records` records (as many as the first
 * pass could use). */
static int
second_pass(fp_rseries *s, const char *path, uint64_t records, char *err, size_t errlen)
{
	fp_ledger_header hdr;
	fp_record	rec;
	char		note[256];
	fp_ledger_reader *r = fp_ledger_open(path, &hdr, err, errlen);

	if (r == NULL)
		return -1;
	for (uint64_t i = 0; i < records && fp_ledger_next(r, &rec, note, sizeof(note)) == 1; i++)
		fp_outage_add_second(&s->outage, &rec);
	fp_ledger_close_reader(r);
	return 0;
}

int
fp_rs_scan(fp_rseries *s, const char *path, fp_ledger_header *hdr, bool *truncated,
		   char *end_note, size_t notelen, char *err, size_t errlen)
{
	fp_ledger_reader *r;
	fp_record	rec;
	int			rc;

	*truncated = false;
	end_note[0] = '\0';
	r = fp_ledger_open(path, hdr, err, errlen);
	if (r == NULL)
		return -1;
	if (fp_rs_init(s, hdr->start_us) != 0)
	{
		fp_ledger_close_reader(r);
		snprintf(err, errlen, "out of memory reading ledger %s", path);
		return -1;
	}
	while ((rc = fp_ledger_next(r, &rec, end_note, notelen)) == 1)
		if (fp_rs_add(s, &rec) != 0)
			break;
	if (rc == 1)
		snprintf(err, errlen, "out of memory reading ledger %s", path);
	else if (rc < 0 && !fp_ledger_truncated(r))
		snprintf(err, errlen, "ledger %s is damaged: %s; 'failprobe inspect --ledger %s' shows what is good",
				 path, end_note, path);
	*truncated = rc < 0 && fp_ledger_truncated(r);
	fp_ledger_close_reader(r);
	if (rc == 1 || (rc < 0 && !*truncated))
		return -1;
	if (fp_rs_finish(s))
		return second_pass(s, path, s->records, err, errlen);
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a;
	uint64_t	y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

double
fp_rs_sustained_tps(const fp_rseries *s)
{
	int			from = s->n >= 3 ? 1 : 0;
	int			to = s->n >= 3 ? s->n - 1 : s->n;
	int			k = to - from;
	uint64_t   *v;
	double		med;

	if (k <= 0)
		return 0;
	v = malloc((size_t) k * sizeof(uint64_t));
	if (v == NULL)
		return 0;
	for (int i = 0; i < k; i++)
		v[i] = s->sec[from + i].acked;
	qsort(v, (size_t) k, sizeof(uint64_t), cmp_u64);
	med = k % 2 ? (double) v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2.0;
	free(v);
	return med;
}

uint64_t
fp_rs_peak_tps(const fp_rseries *s)
{
	uint64_t	peak = 0;

	for (int i = 0; i < s->n; i++)
		if (s->sec[i].acked > peak)
			peak = s->sec[i].acked;
	return peak;
}
