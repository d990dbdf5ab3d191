/*
 * verify_ranges.c - compact worker:seq ranges (verify_ranges.h).
 */
#include "verify_ranges.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
fpv_ranges_free(fpv_ranges *rs)
{
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

int
fpv_ranges_add(fpv_ranges *rs, int64_t worker, int64_t seq)
{
	fpv_range  *last = rs->n ? &rs->r[rs->n - 1] : NULL;

	if (last && last->worker == worker && seq >= last->from && seq <= last->to)
		return 0;				/* a duplicate */
	rs->writes++;
	if (last && last->worker == worker && last->to + 1 == seq)
	{
		last->to = seq;
		return 0;
	}
	if (rs->n == rs->cap)
	{
		size_t		cap = rs->cap ? rs->cap * 2 : 64;
		fpv_range  *r = realloc(rs->r, cap * sizeof(*r));

		if (r == NULL)
			return -1;
		rs->r = r;
		rs->cap = cap;
	}
	rs->r[rs->n++] = (fpv_range) {.worker = worker, .from = seq, .to = seq};
	return 0;
}

int
fpv_ranges_from_store(fpv_ranges *rs, const fpv_store *s, uint8_t mask, uint8_t want)
{
	for (uint32_t w = 0; w < s->nworkers; w++)
	{
		const fpv_worker *wk = &s->w[w];

		for (uint64_t seq = 1; wk->state && seq <= wk->max_seq; seq++)
			if ((wk->state[seq] & mask) == want &&
				fpv_ranges_add(rs, w, (int64_t) seq) != 0)
				return -1;
	}
	return 0;
}

static int
pair_cmp(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

int
fpv_ranges_from_pairs(fpv_ranges *rs, int64_t *pairs, size_t n)
{
	qsort(pairs, n, 2 * sizeof(int64_t), pair_cmp);
	for (size_t i = 0; i < n; i++)
		if (fpv_ranges_add(rs, pairs[2 * i], pairs[2 * i + 1]) != 0)
			return -1;
	return 0;
}

fpv_range *
fpv_ranges_find(const fpv_ranges *rs, int64_t worker, int64_t seq)
{
	size_t		lo = 0, hi = rs->n;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		const fpv_range *r = &rs->r[mid];

		if (r->worker < worker || (r->worker == worker && r->to < seq))
			lo = mid + 1;
		else if (r->worker > worker || r->from > seq)
			hi = mid;
		else
			return (fpv_range *) r;
	}
	return NULL;
}

void
fpv_range_note_time(fpv_range *r, int64_t t)
{
	if (t == 0)
		return;
	if (r->first_us == 0 || t < r->first_us)
		r->first_us = t;
	if (t > r->last_us)
		r->last_us = t;
}

void
fpv_range_format(const fpv_range *r, char *buf, size_t size)
{
	if (r->from == r->to)
		snprintf(buf, size, "%lld:%lld", (long long) r->worker, (long long) r->from);
	else
		snprintf(buf, size, "%lld:%lld-%lld", (long long) r->worker, (long long) r->from,
				 (long long) r->to);
}
