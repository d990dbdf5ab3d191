/*
 * report_svg.c - the report's timeline charts as inline SVG; see
 * report_svg.h.
 *
 * Coordinates are in a fixed viewBox (CW x CH) that the page's CSS scales
 * to the window's width, so the C code never needs to know the screen.
 * Every element a test or a reader looks for has a class: "outage-band",
 * "promotion", "series-tps", "series-p50", "series-p99", "bar-failed", ...
 */
#define _POSIX_C_SOURCE 200809L

#include "report_svg.h"

#include <math.h>
#include <stdlib.h>

#include "report_html.h"

#define CW 960.0				/* viewBox width */
#define CH 210.0				/* viewBox height */
#define ML 62.0					/* margins: left (y labels), right, top, bottom */
#define MR 14.0
#define MT 14.0
#define MB 26.0
#define PW (CW - ML - MR)		/* plot width and height */
#define PH (CH - MT - MB)

/* One chart's scales. */
typedef struct chart
{
	double		span_s;			/* seconds across the plot */
	double		ymax;			/* linear: top of the y axis */
	double		lmin, lmax;		/* log: decades at bottom and top */
	bool		log;
} chart;

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

/* A round number >= v: 1, 2, 2.5 or 5 times a power of ten. */
static double
nice_ceil(double v)
{
	double		p, m;

	if (v <= 0)
		return 1;
	p = pow(10, floor(log10(v)));
	m = v / p;
	return p * (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10);
}

static double
x_of(const chart *c, double t)
{
	double		x = ML + PW * t / c->span_s;

	return x < ML ? ML : x > ML + PW ? ML + PW : x;
}

static double
y_of(const chart *c, double v)
{
	double		f;

	if (c->log)
		f = v > 0 ? (log10(v) - c->lmin) / (c->lmax - c->lmin) : 0;
	else
		f = c->ymax > 0 ? v / c->ymax : 0;
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	return MT + PH * (1 - f);
}

static void
fmt_count(char *buf, size_t size, double v)
{
	if (v >= 1e6)
		snprintf(buf, size, "%gM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, size, "%gk", v / 1e3);
	else
		snprintf(buf, size, "%g", v);
}

static void
fmt_ms(char *buf, size_t size, double ms)
{
	if (ms >= 1000)
		snprintf(buf, size, "%g s", ms / 1000);
	else
		snprintf(buf, size, "%g ms", ms);
}

static void
fmt_secs(char *buf, size_t size, double t, double span)
{
	if (span >= 120)
		snprintf(buf, size, "%d:%02d", (int) t / 60, (int) t % 60);
	else
		snprintf(buf, size, "%g s", t);
}

/* Grid lines and labels of both axes. */
static void
axes(FILE *f, const chart *c)
{
	static const double steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
	7200, 21600, 43200, 86400};
	double		step = steps[0];
	char		buf[32];

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && c->span_s / step > 10; i++)
		step = steps[i];
	fprintf(f, "<g class=\"axis\">");
	for (double t = 0; t <= c->span_s + 1e-9; t += step)
	{
		fmt_secs(buf, sizeof(buf), t, c->span_s);
		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
				"<text class=\"xl\" x=\"%.1f\" y=\"%.1f\">%s</text>",
				x_of(c, t), x_of(c, t), MT, MT + PH, x_of(c, t), CH - 8, buf);
	}
	if (c->log)
		for (double d = c->lmin; d <= c->lmax + 1e-9; d += 1)
		{
			fmt_ms(buf, sizeof(buf), pow(10, d));
			fprintf(f, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
					"<text class=\"yl\" x=\"%.1f\" y=\"%.1f\">%s</text>",
					ML, ML + PW, y_of(c, pow(10, d)), y_of(c, pow(10, d)), ML - 6, y_of(c, pow(10, d)) + 4, buf);
		}
	else
		for (int i = 0; i <= 4; i++)
		{
			double		v = c->ymax * i / 4;

			fmt_count(buf, sizeof(buf), v);
			fprintf(f, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
					"<text class=\"yl\" x=\"%.1f\" y=\"%.1f\">%s</text>",
					ML, ML + PW, y_of(c, v), y_of(c, v), ML - 6, y_of(c, v) + 4, buf);
		}
	fprintf(f, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></g>\n",
			ML, MT, PW, PH);
}

/* The outage band and the promotion line; the first chart's get ids. */
static void
marks(FILE *f, const chart *c, const fp_marks *m, bool first)
{
	if (m->outage)
	{
		double		x0 = x_of(c, m->outage_from);
		double		x1 = x_of(c, m->recovered ? m->outage_to : c->span_s);

		if (x1 - x0 < 3)		/* a sub-second outage stays visible */
			x1 = x0 + 3;
		fprintf(f, "<rect class=\"outage-band\"%s x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
				"<title>outage: %.3f s to %s</title></rect>\n",
				first ? " id=\"outage-band\"" : "", x0, MT, x1 - x0, PH, m->outage_from,
				m->recovered ? "" : "the end (not recovered)");
	}
	if (m->promotion)
	{
		double		x = x_of(c, m->promotion_at);

		fprintf(f, "<g class=\"promotion\"%s><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
				first ? " id=\"promotion-mark\"" : "", x, x, MT, MT + PH);
		if (first)
		{
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 4, MT + 12);
			fp_html_puts(f, m->promotion_label ? m->promotion_label : "promoted");
			fprintf(f, "</text>");
		}
		fprintf(f, "</g>\n");
	}
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
line(FILE *f, const chart *c, const fp_bin *bins, int n, int bin_s, bin_value v,
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
		fprintf(f, "%c%.1f %.1f", pen ? 'L' : 'M', x_of(c, (i + 0.5) * bin_s), y_of(c, v(&bins[i])));
		if (!pen && !drawn(bins, n, i + 1, latency))
			fprintf(f, "h0.1");	/* a lone point still shows (round caps) */
		pen = true;
	}
	fprintf(f, "\"/>\n");
}

static void
begin(FILE *f, const char *id, const char *title, const char *legend)
{
	fprintf(f, "<figure class=\"chart\" id=\"%s\"><figcaption><span class=\"ct\">%s</span>"
			"<span class=\"legend\">%s</span></figcaption>\n"
			"<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">\n",
			id, title, legend, CW, CH, title);
}

static void
end(FILE *f)
{
	fprintf(f, "<line class=\"cursor\" x1=\"0\" x2=\"0\" y1=\"%.1f\" y2=\"%.1f\" visibility=\"hidden\"/>"
			"</svg></figure>\n", MT, MT + PH);
}

static void
tps_chart(FILE *f, const fp_bin *bins, int n, int bin_s, const fp_marks *m)
{
	chart		c = {.span_s = (double) n * bin_s};

	for (int i = 0; i < n; i++)
		c.ymax = fmax(c.ymax, bins[i].acked);
	c.ymax = nice_ceil(c.ymax * 1.05);
	begin(f, "chart-tps", "Throughput: acknowledged writes per second",
		  "<i class=\"k-tps\"></i>acks/s <i class=\"k-outage\"></i>outage <i class=\"k-promo\"></i>promotion");
	axes(f, &c);
	marks(f, &c, m, true);
	line(f, &c, bins, n, bin_s, v_acked, false, "series-tps");
	end(f);
}

static void
latency_chart(FILE *f, const fp_bin *bins, int n, int bin_s, const fp_marks *m)
{
	chart		c = {.span_s = (double) n * bin_s, .log = true};
	double		lo = 0, hi = 0;

	for (int i = 0; i < n; i++)
	{
		if (!bins[i].has_latency)
			continue;
		if (bins[i].p50_ms > 0 && (lo == 0 || bins[i].p50_ms < lo))
			lo = bins[i].p50_ms;
		hi = fmax(hi, bins[i].p99_ms);
	}
	c.lmin = lo > 0 ? floor(log10(lo)) : -1;
	c.lmax = hi > 0 ? ceil(log10(hi)) : 1;
	if (c.lmax - c.lmin < 2)
		c.lmax = c.lmin + 2;
	begin(f, "chart-latency", "Latency from the scheduled time (log scale)",
		  "<i class=\"k-p50\"></i>p50 <i class=\"k-p99\"></i>p99");
	axes(f, &c);
	marks(f, &c, m, false);
	line(f, &c, bins, n, bin_s, v_p50, true, "series-p50");
	line(f, &c, bins, n, bin_s, v_p99, true, "series-p99");
	end(f);
}

static void
problem_chart(FILE *f, const fp_bin *bins, int n, int bin_s, const fp_marks *m)
{
	chart		c = {.span_s = (double) n * bin_s};
	double		w = PW / (n > 0 ? n : 1);

	for (int i = 0; i < n; i++)
		c.ymax = fmax(c.ymax, bins[i].failed + bins[i].in_doubt + bins[i].missed);
	c.ymax = nice_ceil(c.ymax * 1.05);
	begin(f, "chart-problems", "Problems per second",
		  "<i class=\"k-failed\"></i>failed <i class=\"k-doubt\"></i>in doubt <i class=\"k-missed\"></i>missed (never sent)");
	axes(f, &c);
	marks(f, &c, m, false);
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
					cls[k], x_of(&c, (double) i * bin_s) + w * 0.1, y_of(&c, base + v[k]),
					fmax(w * 0.8, 1), fmax(y_of(&c, base) - y_of(&c, base + v[k]), 1));
			base += v[k];
		}
	}
	fprintf(f, "\n");
	end(f);
}

void
fp_svg_charts(FILE *f, const fp_bin *bins, int nbins, int bin_s, const fp_marks *m)
{
	if (nbins == 0)
	{
		fprintf(f, "<p class=\"note\">The ledger holds no records: nothing to draw.</p>\n");
		return;
	}
	if (bin_s > 1)
		fprintf(f, "<p class=\"note\">Drawn in bins of %d seconds: rates are averages over "
				"a bin, p99 its highest second.</p>\n", bin_s);
	tps_chart(f, bins, nbins, bin_s, m);
	latency_chart(f, bins, nbins, bin_s, m);
	problem_chart(f, bins, nbins, bin_s, m);
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

void
fp_svg_data_json(FILE *f, const fp_bin *bins, int nbins, int bin_s)
{
	fprintf(f, "<script type=\"application/json\" id=\"fp-data\">{\"bin_s\":%d,\"plot\":"
			"[%.1f,%.1f,%.1f]", bin_s, ML, PW, CW);
	for (size_t i = 0; i < sizeof(data_series) / sizeof(data_series[0]); i++)
	{
		fprintf(f, ",");
		array(f, data_series[i].name, bins, nbins, data_series[i].v, data_series[i].needs_latency);
	}
	fprintf(f, "}</script>\n");
}
