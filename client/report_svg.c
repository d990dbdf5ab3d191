/*
 * report_svg.c - the report's timeline charts as inline SVG; see
 * report_svg.h.
 *
 * Scales, axes and marks come from report_chart.c.  Every element a test
 * or a reader looks for has a class: "series-tps", "series-p50",
 * "series-p99", "bar-failed", ...
 */
#define _POSIX_C_SOURCE 200809L

#include "report_svg.h"

#include <math.h>
#include <stdlib.h>

#include "report_chart.h"
#include "report_svg_server.h"

/*
 * Divide the last bin by the time it covers: a run ends inside its last
 * second, and counting that second as a whole one would draw a drop in
 * throughput that never happened.  A last bin that covers less than half
 * of its time is left out of the throughput line altogether.
 */
static void
last_bin_coverage(fp_bin *last, const fp_rseries *s, int i, int b)
{
	double		covered = (s->last_done_us - s->origin_us) / 1e6 - (double) i * b;
	double		scale;

	last->has_rate = covered >= 0.5 * b;
	if (!last->has_rate || covered >= b)
		return;
	scale = b / covered;
	last->acked *= scale;
	last->failed *= scale;
	last->in_doubt *= scale;
	last->missed *= scale;
}

fp_bin *
fp_svg_bins(const fp_rseries *s, int *nbins, int *bin_s)
{
	int			b = s->n > FP_SVG_MAX_BINS ? (s->n + FP_SVG_MAX_BINS - 1) / FP_SVG_MAX_BINS : 1;
	int			n = (s->n + b - 1) / b;
	fp_bin	   *bins = n > 0 ? calloc((size_t) n, sizeof(fp_bin)) : NULL;

	*nbins = bins ? n : 0;
	*bin_s = b;
	for (int i = 0; bins && i < s->n; i++)
	{
		fp_bin	   *x = &bins[i / b];
		const fp_rsec *e = &s->sec[i];

		x->acked += e->acked / (double) b;
		x->failed += e->failed / (double) b;
		x->in_doubt += e->in_doubt / (double) b;
		x->missed += e->missed / (double) b;
		x->has_rate = true;
		if (e->acked == 0)
			continue;
		x->p50_ms += e->p50_us / 1000.0;	/* summed here, averaged below */
		x->p99_ms = fmax(x->p99_ms, e->p99_us / 1000.0);
		x->has_latency = true;
	}
	for (int i = 0; bins && i < n; i++)
	{
		int			k = 0;

		for (int j = i * b; j < (i + 1) * b && j < s->n; j++)
			k += s->sec[j].acked > 0;
		if (k > 0)
			bins[i].p50_ms /= k;
	}
	if (bins)
		last_bin_coverage(&bins[n - 1], s, n - 1, b);
	return bins;
}

typedef double (*bin_value) (const fp_bin *b);

static double v_acked(const fp_bin *b) { return b->acked; }
static double v_p50(const fp_bin *b) { return b->p50_ms; }
static double v_p99(const fp_bin *b) { return b->p99_ms; }

/* Whether bin i has a value to draw: latency needs acks, a rate enough time. */
static bool
drawn(const fp_bin *bins, int n, int i, bool latency)
{
	return i < n && (latency ? bins[i].has_latency : bins[i].has_rate);
}

/* A line through the bins' midpoints; bins without a value break it. */
static void
line(FILE *f, const fp_chart *c, const fp_bin *bins, int n, int bin_s, bin_value v,
	 bool latency, const char *cls)
{
	bool		pen = false;

	fprintf(f, "<path class=\"%s\" d=\"", cls);
	for (int i = 0; i < n; i++)
	{
		if (!drawn(bins, n, i, latency))
		{
			pen = false;
			continue;
		}
		fprintf(f, "%c%.1f %.1f", pen ? 'L' : 'M', fp_chart_x(c, (i + 0.5) * bin_s),
				fp_chart_y(c, v(&bins[i])));
		if (!pen && !drawn(bins, n, i + 1, latency))
			fprintf(f, "h0.1");	/* a lone point still shows (round caps) */
		pen = true;
	}
	fprintf(f, "\"/>\n");
}

void
fp_svg_acks_line(FILE *f, const fp_chart *c, const fp_bin *bins, int n, int bin_s, const char *cls)
{
	line(f, c, bins, n, bin_s, v_acked, false, cls);
}

static void
tps_chart(FILE *f, const fp_bin *bins, int n, int bin_s, double span_s, const fp_marks *m)
{
	fp_chart	c = {.span_s = span_s};

	for (int i = 0; i < n; i++)
		c.ymax = fmax(c.ymax, bins[i].acked);
	c.ymax = fp_chart_nice_ceil(c.ymax * 1.05);
	fp_chart_begin(f, "chart-tps", "Throughput: acknowledged writes per second",
				   "<i class=\"k-tps\"></i>acks/s <i class=\"k-outage\"></i>outage <i class=\"k-promo\"></i>promotion");
	fp_chart_axes(f, &c);
	fp_chart_marks(f, &c, m, true);
	line(f, &c, bins, n, bin_s, v_acked, false, "series-tps");
	fp_chart_end(f);
}

static void
latency_chart(FILE *f, const fp_bin *bins, int n, int bin_s, double span_s, const fp_marks *m)
{
	fp_chart	c = {.span_s = span_s};
	double		lo = 0, hi = 0;

	for (int i = 0; i < n; i++)
	{
		if (!bins[i].has_latency)
			continue;
		if (bins[i].p50_ms > 0 && (lo == 0 || bins[i].p50_ms < lo))
			lo = bins[i].p50_ms;
		hi = fmax(hi, bins[i].p99_ms);
	}
	fp_chart_log_range(&c, lo, hi);
	fp_chart_begin(f, "chart-latency", "Latency from the scheduled time (log scale)",
				   "<i class=\"k-p50\"></i>p50 <i class=\"k-p99\"></i>p99");
	fp_chart_axes(f, &c);
	fp_chart_marks(f, &c, m, false);
	line(f, &c, bins, n, bin_s, v_p50, true, "series-p50");
	line(f, &c, bins, n, bin_s, v_p99, true, "series-p99");
	fp_chart_end(f);
}

static void
problem_chart(FILE *f, const fp_bin *bins, int n, int bin_s, double span_s, const fp_marks *m)
{
	fp_chart	c = {.span_s = span_s};
	double		w = FP_PW * bin_s / span_s;

	for (int i = 0; i < n; i++)
		c.ymax = fmax(c.ymax, bins[i].failed + bins[i].in_doubt + bins[i].missed);
	c.ymax = fp_chart_nice_ceil(c.ymax * 1.05);
	fp_chart_begin(f, "chart-problems", "Problems per second",
				   "<i class=\"k-failed\"></i>failed <i class=\"k-doubt\"></i>in doubt <i class=\"k-missed\"></i>missed (never sent)");
	fp_chart_axes(f, &c);
	fp_chart_marks(f, &c, m, false);
	for (int i = 0; i < n; i++)
	{
		const double v[3] = {bins[i].failed, bins[i].in_doubt, bins[i].missed};
		static const char *cls[3] = {"bar-failed", "bar-doubt", "bar-missed"};
		double		base = 0;

		for (int k = 0; k < 3; k++)
		{
			if (v[k] <= 0)
				continue;
			fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\"/>",
					cls[k], fp_chart_x(&c, (double) i * bin_s) + w * 0.1, fp_chart_y(&c, base + v[k]),
					fmax(w * 0.8, 1), fmax(fp_chart_y(&c, base) - fp_chart_y(&c, base + v[k]), 1));
			base += v[k];
		}
	}
	fprintf(f, "\n");
	fp_chart_end(f);
}

double
fp_svg_span(int nbins, int bin_s, double last_t)
{
	double		span = (double) nbins * bin_s;

	if (last_t > span)
		span = ceil(last_t / bin_s) * bin_s;
	return span > 0 ? span : bin_s;
}

void
fp_svg_charts(FILE *f, const fp_bin *bins, int nbins, int bin_s, double span_s, const fp_marks *m)
{
	if (nbins == 0)
	{
		fprintf(f, "<p class=\"note\">The ledger holds no records: nothing to draw.</p>\n");
		return;
	}
	if (bin_s > 1)
		fprintf(f, "<p class=\"note\">Drawn in bins of %d seconds: rates are averages over "
				"a bin, p99 its highest second.</p>\n", bin_s);
	tps_chart(f, bins, nbins, bin_s, span_s, m);
	latency_chart(f, bins, nbins, bin_s, span_s, m);
	problem_chart(f, bins, nbins, bin_s, span_s, m);
}

static void
array(FILE *f, const char *name, const fp_bin *bins, int n, bin_value v, bool needs_latency)
{
	fprintf(f, "\"%s\":[", name);
	for (int i = 0; i < n; i++)
	{
		if (needs_latency && !bins[i].has_latency)
			fprintf(f, "%snull", i ? "," : "");
		else
			fprintf(f, "%s%.6g", i ? "," : "", v(&bins[i]));
	}
	fprintf(f, "]");
}

static double v_failed(const fp_bin *b) { return b->failed; }
static double v_doubt(const fp_bin *b) { return b->in_doubt; }
static double v_missed(const fp_bin *b) { return b->missed; }

/* The series of #fp-data, in the order the tests and readers expect. */
static const struct
{
	const char *name;
	bin_value	v;
	bool		needs_latency;	/* null in a bin without acknowledgements */
}			data_series[] = {
	{"acked", v_acked, false},
	{"p50", v_p50, true},
	{"p99", v_p99, true},
	{"failed", v_failed, false},
	{"in_doubt", v_doubt, false},
	{"missed", v_missed, false},
};

/* The outage and promotion, in seconds; null where there is none. */
static void
marks_json(FILE *f, const fp_marks *m)
{
	if (m->outage && m->recovered)
		fprintf(f, ",\"outage\":[%.3f,%.3f]", m->outage_from, m->outage_to);
	else if (m->outage)
		fprintf(f, ",\"outage\":[%.3f,null]", m->outage_from);
	else
		fprintf(f, ",\"outage\":null");
	if (m->promotion)
		fprintf(f, ",\"promotion\":%.3f", m->promotion_at);
	else
		fprintf(f, ",\"promotion\":null");
}

void
fp_svg_data_json(FILE *f, const fp_bin *bins, int nbins, int bin_s, double span_s,
				 const fp_marks *m, const fp_svg_server *server)
{
	fprintf(f, "<script type=\"application/json\" id=\"fp-data\">{\"bin_s\":%d,\"span_s\":%g,\"plot\":"
			"[%.1f,%.1f,%.1f]", bin_s, span_s, FP_ML, FP_PW, FP_CW);
	marks_json(f, m);
	for (size_t i = 0; i < sizeof(data_series) / sizeof(data_series[0]); i++)
	{
		fprintf(f, ",");
		array(f, data_series[i].name, bins, nbins, data_series[i].v, data_series[i].needs_latency);
	}
	fprintf(f, ",\"server\":");
	fp_svg_server_json(f, server);
	fprintf(f, "}</script>\n");
}
