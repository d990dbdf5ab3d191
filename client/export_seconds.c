/*
 * export_seconds.c - per-second counts and latency percentiles of a ledger
 * (export_seconds.h).
 */
#include "export_seconds.h"
#include "export_csv.h"

#include <stdlib.h>
#include <string.h>

int
fp_secs_init(fp_secs *s, int64_t origin_us)
{
	memset(s, 0, sizeof(*s));
	s->origin_us = origin_us;
	s->newest = -1;
	for (int i = 0; i < FP_SECS_WINDOW; i++)
	{
		s->ring_sec[i] = -1;
		if (fp_hist_init(&s->ring[i]) != 0)
			return -1;
	}
	return 0;
}

/* Second of a wall-clock time; times before the origin count in second 0. */
static int64_t
second_of(const fp_secs *s, int64_t us)
{
	return us <= s->origin_us ? 0 : (us - s->origin_us) / 1000000;
}

/* The row of second k, growing the table as needed; NULL out of memory. */
static fp_sec_row *
row(fp_secs *s, int64_t k)
{
	if (k >= s->cap)
	{
		int64_t		cap = s->cap ? s->cap : 256;
		fp_sec_row *rows;

		while (cap <= k)
			cap *= 2;
		rows = realloc(s->rows, (size_t) cap * sizeof(fp_sec_row));
		if (rows == NULL)
			return NULL;
		memset(rows + s->cap, 0, (size_t) (cap - s->cap) * sizeof(fp_sec_row));
		s->rows = rows;
		s->cap = cap;
	}
	if (k >= s->n)
		s->n = k + 1;
	return &s->rows[k];
}

/* Turn the histogram of a ring slot into its second's percentiles. */
static void
close_slot(fp_secs *s, int slot)
{
	fp_hist    *h = &s->ring[slot];
	fp_sec_row *r = &s->rows[s->ring_sec[slot]];

	r->p50_us = fp_hist_percentile(h, 50);
	r->p90_us = fp_hist_percentile(h, 90);
	r->p99_us = fp_hist_percentile(h, 99);
	r->p999_us = fp_hist_percentile(h, 99.9);
	fp_hist_reset(h);
	s->ring_sec[slot] = -1;
}

static void
add_latency(fp_secs *s, int64_t k, fp_sec_row *r, uint64_t us)
{
	int			slot = (int) (k % FP_SECS_WINDOW);

	if (us > r->max_us)
		r->max_us = us;
	if (k <= s->newest - FP_SECS_WINDOW)
	{
		s->late++;
		return;
	}
	if (k > s->newest)
	{
		/* slots that now fall behind the window are final */
		for (int i = 0; i < FP_SECS_WINDOW; i++)
			if (s->ring_sec[i] >= 0 && s->ring_sec[i] <= k - FP_SECS_WINDOW)
				close_slot(s, i);
		s->newest = k;
	}
	s->ring_sec[slot] = k;
	fp_hist_record(&s->ring[slot], us);
	r->latencies++;
}

int
fp_secs_add(fp_secs *s, const fp_record *rec)
{
	fp_sec_row *r;
	int64_t		k;

	if (rec->outcome == FP_OUT_MISSED)
	{
		if ((r = row(s, second_of(s, rec->scheduled_us))) == NULL)
			return -1;
		r->missed++;
		return 0;
	}
	if ((r = row(s, second_of(s, rec->sent_us ? rec->sent_us : rec->scheduled_us))) == NULL)
		return -1;
	r->sent++;
	k = second_of(s, rec->done_us);
	if ((r = row(s, k)) == NULL)
		return -1;
	if (rec->outcome == FP_OUT_ACKED)
	{
		r->acked++;
		add_latency(s, k, r, rec->done_us > rec->scheduled_us ?
					(uint64_t) (rec->done_us - rec->scheduled_us) : 0);
	}
	else if (rec->outcome == FP_OUT_FAILED)
		r->failed++;
	else
		r->in_doubt++;
	return 0;
}

void
fp_secs_finish(fp_secs *s)
{
	for (int i = 0; i < FP_SECS_WINDOW; i++)
		if (s->ring_sec[i] >= 0)
			close_slot(s, i);
}

void
fp_secs_free(fp_secs *s)
{
	for (int i = 0; i < FP_SECS_WINDOW; i++)
		fp_hist_free(&s->ring[i]);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

int
fp_secs_write_csv(const fp_secs *s, FILE *f)
{
	static const char *const names[] = {"second", "t", "sent", "acked", "failed", "in_doubt",
		"missed", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", NULL};
	fp_csv		c;
	char		t[32];

	fp_csv_init(&c, f);
	fp_csv_header(&c, names);
	for (int64_t k = 0; k < s->n; k++)
	{
		const fp_sec_row *r = &s->rows[k];
		const uint64_t pct[] = {r->p50_us, r->p90_us, r->p99_us, r->p999_us, r->max_us};

		fp_csv_int(&c, k);
		fp_csv_time(t, s->origin_us + k * 1000000);
		fp_csv_text(&c, t);
		fp_csv_int(&c, (int64_t) r->sent);
		fp_csv_int(&c, (int64_t) r->acked);
		fp_csv_int(&c, (int64_t) r->failed);
		fp_csv_int(&c, (int64_t) r->in_doubt);
		fp_csv_int(&c, (int64_t) r->missed);
		for (int i = 0; i < 5; i++)
		{
			if (i < 4 ? r->latencies > 0 : r->acked > 0)
				fp_csv_num(&c, pct[i] / 1000.0, 3);
			else
				fp_csv_null(&c);
		}
		fp_csv_end(&c);
	}
	return ferror(f) ? -1 : 0;
}
