/*
 * report_chart.c - scales, axes and marks of the report's SVG charts; see
 * report_chart.h.
 *
 * Every element a test or a reader looks for has a class: "outage-band",
 * "promotion", "grid", "frame", "cursor".
 */
#define _POSIX_C_SOURCE 200809L

#include "report_chart.h"

#include <math.h>

#include "report_html.h"

double
fp_chart_nice_ceil(double v)
{
	double		p, m;

	if (v <= 0)
		return 1;
	p = pow(10, floor(log10(v)));
	m = v / p;
	return p * (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10);
}

double
fp_chart_x(const fp_chart *c, double t)
{
	double		x = FP_ML + FP_PW * t / c->span_s;

	return x < FP_ML ? FP_ML : x > FP_ML + FP_PW ? FP_ML + FP_PW : x;
}

double
fp_chart_y(const fp_chart *c, double v)
{
	double		f;

	if (c->log)
		f = v > 0 ? (log10(v) - c->lmin) / (c->lmax - c->lmin) : 0;
	else
		f = c->ymax > 0 ? v / c->ymax : 0;
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	return FP_MT + FP_PH * (1 - f);
}

void
fp_chart_log_range(fp_chart *c, double lo, double hi)
{
	c->log = true;
	c->lmin = lo > 0 ? floor(log10(lo)) : -1;
	c->lmax = hi > 0 ? ceil(log10(hi)) : 1;
	if (c->lmax - c->lmin < 2)
		c->lmax = c->lmin + 2;
}

void
fp_chart_fmt_count(char *buf, size_t size, double v)
{
	if (v >= 1e6)
		snprintf(buf, size, "%gM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, size, "%gk", v / 1e3);
	else
		snprintf(buf, size, "%g", v);
}

static void
fmt_bytes(char *buf, size_t size, double v)
{
	if (v >= 1e9)
		snprintf(buf, size, "%g GB", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, size, "%g MB", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, size, "%g kB", v / 1e3);
	else
		snprintf(buf, size, "%g B", v);
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

/* One horizontal grid line with its label. */
static void
y_grid(FILE *f, const fp_chart *c, double v, const char *label)
{
	fprintf(f, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"yl\" x=\"%.1f\" y=\"%.1f\">%s</text>",
			FP_ML, FP_ML + FP_PW, fp_chart_y(c, v), fp_chart_y(c, v), FP_ML - 6, fp_chart_y(c, v) + 4, label);
}

void
fp_chart_axes(FILE *f, const fp_chart *c)
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
				fp_chart_x(c, t), fp_chart_x(c, t), FP_MT, FP_MT + FP_PH, fp_chart_x(c, t), FP_CH - 8, buf);
	}
	if (c->log)
		for (double d = c->lmin; d <= c->lmax + 1e-9; d += 1)
		{
			fmt_ms(buf, sizeof(buf), pow(10, d));
			y_grid(f, c, pow(10, d), buf);
		}
	else
		for (int i = 0; i <= 4; i++)
		{
			double		v = c->ymax * i / 4;

			if (c->bytes)
				fmt_bytes(buf, sizeof(buf), v);
			else
				fp_chart_fmt_count(buf, sizeof(buf), v);
			y_grid(f, c, v, buf);
		}
	fprintf(f, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></g>\n",
			FP_ML, FP_MT, FP_PW, FP_PH);
}

void
fp_chart_marks(FILE *f, const fp_chart *c, const fp_marks *m, bool first)
{
	if (m->outage)
	{
		double		x0 = fp_chart_x(c, m->outage_from);
		double		x1 = fp_chart_x(c, m->recovered ? m->outage_to : c->span_s);

		if (x1 - x0 < 3)		/* a sub-second outage stays visible */
			x1 = x0 + 3;
		fprintf(f, "<rect class=\"outage-band\"%s x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
				"<title>outage: %.3f s to %s</title></rect>\n",
				first ? " id=\"outage-band\"" : "", x0, FP_MT, x1 - x0, FP_PH, m->outage_from,
				m->recovered ? "" : "the end (not recovered)");
	}
	if (m->promotion)
	{
		double		x = fp_chart_x(c, m->promotion_at);

		fprintf(f, "<g class=\"promotion\"%s><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
				first ? " id=\"promotion-mark\"" : "", x, x, FP_MT, FP_MT + FP_PH);
		if (first)
		{
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 4, FP_MT + 12);
			fp_html_puts(f, m->promotion_label ? m->promotion_label : "promoted");
			fprintf(f, "</text>");
		}
		fprintf(f, "</g>\n");
	}
}

void
fp_chart_begin(FILE *f, const char *id, const char *title, const char *legend)
{
	fprintf(f, "<figure class=\"chart\" id=\"%s\"><figcaption><span class=\"ct\">%s</span>"
			"<span class=\"legend\">%s</span></figcaption>\n"
			"<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">\n",
			id, title, legend, FP_CW, FP_CH, title);
}

void
fp_chart_end(FILE *f)
{
	fprintf(f, "<line class=\"cursor\" x1=\"0\" x2=\"0\" y1=\"%.1f\" y2=\"%.1f\" visibility=\"hidden\"/>"
			"</svg></figure>\n", FP_MT, FP_MT + FP_PH);
}
