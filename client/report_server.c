/*
 * report_server.c - the server's samples as points on the report's time
 * axis; see report_server.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "report_server.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonl.h"
#include "server_samples.h"

#define ERROR_MAX 200			/* a failed sample's reason is cut here */

/* A number under key, or NAN when absent, null or not a number. */
static double
number(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The standbys' lag in sample s, into p. */
static void
lags(fp_rserver *sv, fp_rsv_point *p, const json_t *s)
{
	for (int k = 0; k < FP_RSV_STANDBYS; k++)
	{
		const json_t *row = k < sv->nstandby ? fp_ss_standby(s, sv->standby[k]) : NULL;

		p->lag_ms[k] = number(row, "replay_lag_ms");
		p->lag_bytes[k] = number(row, "lag_bytes");
		sv->has_lag_ms |= !isnan(p->lag_ms[k]);
		sv->has_lag_bytes |= !isnan(p->lag_bytes[k]);
	}
}

/* A failed sample's reason, cut to ERROR_MAX bytes; NULL out of memory. */
static char *
error_text(const json_t *s)
{
	const char *e = json_string_value(json_object_get(s, "error"));

	return strndup(e ? e : "no reason given", ERROR_MAX);
}

int
fp_rsv_from_samples(fp_rserver *sv, const json_t *samples, int64_t origin_us)
{
	const char *names[FP_RSV_STANDBYS];
	size_t		n = json_array_size(samples);
	fp_ss_prev	prev = {0};
	size_t		i;
	json_t	   *s;

	sv->state = FP_RSV_READ;
	sv->nstandby = fp_ss_standby_names(samples, names, FP_RSV_STANDBYS);
	for (int k = 0; k < sv->nstandby; k++)
		snprintf(sv->standby[k], sizeof(sv->standby[k]), "%s", names[k]);
	if (n > 0 && (sv->pts = calloc(n, sizeof(fp_rsv_point))) == NULL)
		return -1;
	json_array_foreach(samples, i, s)
	{
		fp_rsv_point *p = &sv->pts[sv->n++];
		fp_ss_rates r;

		fp_ss_step(&prev, s, &r);
		p->t = (json_integer_value(json_object_get(s, "t_us")) - origin_us) / 1e6;
		p->samples = 1;
		p->commits = r.has_commits ? r.commits : NAN;
		sv->has_commits |= r.has_commits;
		if (!json_is_true(json_object_get(s, "ok")))
		{
			p->failed = 1;
			sv->failed++;
			if ((p->error = error_text(s)) == NULL)
				return -1;
		}
		else if (json_is_integer(json_object_get(s, "tli")))
			p->tli = (int) json_integer_value(json_object_get(s, "tli"));
		lags(sv, p, s);
	}
	return 0;
}

int
fp_rsv_load(fp_rserver *sv, const char *path, bool named, int64_t origin_us, char *err, size_t errlen)
{
	json_t	   *samples;
	int			rc;

	snprintf(sv->path, sizeof(sv->path), "%s", path);
	if (!named && access(path, F_OK) != 0 && errno == ENOENT)
	{
		sv->state = FP_RSV_NONE;
		return 0;
	}
	samples = fp_jsonl_read(path, &sv->torn, &sv->skipped, sv->note, sizeof(sv->note));
	if (samples == NULL && named)
	{
		snprintf(err, errlen, "%s; give --server-metrics the LEDGER.server.jsonl that failprobe run wrote", sv->note);
		return -1;
	}
	if (samples == NULL)
	{
		sv->state = FP_RSV_UNREADABLE;
		return 0;
	}
	rc = fp_rsv_from_samples(sv, samples, origin_us);
	json_decref(samples);
	if (rc != 0)
		snprintf(err, errlen, "out of memory reading %s", path);
	return rc;
}

double
fp_rsv_last_t(const fp_rserver *sv)
{
	double		last = 0;

	for (int i = 0; i < sv->n; i++)
		last = fmax(last, sv->pts[i].t);
	return last;
}

/* Point p into bin b (whose samples so far have b->samples of them). */
static void
bin_add(fp_rsv_point *b, const fp_rsv_point *p, int *rates)
{
	if (!isnan(p->commits))
	{
		b->commits = (*rates == 0 ? 0 : b->commits) + p->commits;
		(*rates)++;
	}
	for (int k = 0; k < FP_RSV_STANDBYS; k++)
	{
		b->lag_ms[k] = isnan(b->lag_ms[k]) ? p->lag_ms[k] : fmax(b->lag_ms[k], p->lag_ms[k]);
		b->lag_bytes[k] = isnan(b->lag_bytes[k]) ? p->lag_bytes[k] : fmax(b->lag_bytes[k], p->lag_bytes[k]);
	}
	if (p->error && b->error == NULL)
		b->error = p->error;
	if (p->tli)
		b->tli = p->tli;
	b->samples++;
	b->failed += p->failed;
}

fp_rsv_point *
fp_rsv_bins(const fp_rserver *sv, int bin_s, int *n)
{
	int			nb = sv->n == 0 ? 0 : bin_s <= 1 ? sv->n : (int) (fp_rsv_last_t(sv) / bin_s) + 1;
	fp_rsv_point *bins = nb > 0 ? calloc((size_t) nb, sizeof(fp_rsv_point)) : NULL;
	int		   *rates = bin_s > 1 && nb > 0 ? calloc((size_t) nb, sizeof(int)) : NULL;
	int			k = 0;

	*n = 0;
	if (nb > 0 && (bins == NULL || (bin_s > 1 && rates == NULL)))
	{
		free(bins);
		free(rates);
		*n = -1;
		return NULL;
	}
	if (bin_s <= 1)
	{
		if (nb > 0)
			memcpy(bins, sv->pts, (size_t) nb * sizeof(fp_rsv_point));
		*n = nb;
		return bins;
	}
	for (int i = 0; i < nb; i++)
	{
		bins[i].t = (i + 0.5) * bin_s;
		bins[i].commits = NAN;
		for (int j = 0; j < FP_RSV_STANDBYS; j++)
			bins[i].lag_ms[j] = bins[i].lag_bytes[j] = NAN;
	}
	for (int i = 0; i < sv->n; i++)
	{
		int			b = sv->pts[i].t <= 0 ? 0 : (int) (sv->pts[i].t / bin_s);

		bin_add(&bins[b], &sv->pts[i], &rates[b]);
	}
	for (int i = 0; i < nb; i++)	/* averages; bins without samples dropped */
	{
		if (bins[i].samples == 0)
			continue;
		if (rates[i] > 0)
			bins[i].commits /= rates[i];
		bins[k++] = bins[i];
	}
	free(rates);
	*n = k;
	return bins;
}

void
fp_rsv_free(fp_rserver *sv)
{
	for (int i = 0; i < sv->n; i++)
		free((char *) sv->pts[i].error);
	free(sv->pts);
	sv->pts = NULL;
	sv->n = 0;
}
