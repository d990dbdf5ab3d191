/*
 * report_svg_server.c - the server's charts and its part of #fp-data; see
 * report_svg_server.h.
 *
 * Classes a test or a reader looks for: "series-commits" (the server's
 * commits per second), "series-client-acks" (the client's acks, under it),
 * "sample ok" / "sample failed" (one marker per point drawn: a sample, or
 * in a long run a bin of them), "series-lag lag-K" (standby K's lag, its
 * name in data-standby; "lag-points lag-K" its dots).
 */
#define _POSIX_C_SOURCE 200809L

#include "report_svg_server.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report_html.h"

#define DENSE 300				/* more points than this: smaller dots */

typedef double (*point_value) (const fp_rsv_point *p, int k);

static double v_commits(const fp_rsv_point *p, int k) { (void) k; return p->commits; }
static double v_lag_ms(const fp_rsv_point *p, int k) { return p->lag_ms[k]; }
static double v_lag_bytes(const fp_rsv_point *p, int k) { return p->lag_bytes[k]; }

/* A line through the points that have a value; the others break it. */
static void
point_line(FILE *f, const fp_chart *c, const fp_svg_server *s, point_value v, int k)
{
	bool		pen = false;

	for (int i = 0; i < s->n; i++)
	{
		double		y = v(&s->pts[i], k);

		if (isnan(y))
		{
			pen = false;
			continue;
		}
		fprintf(f, "%c%.1f %.1f", pen ? 'L' : 'M', fp_chart_x(c, s->pts[i].t), fp_chart_y(c, y));
		if (!pen && (i + 1 == s->n || isnan(v(&s->pts[i + 1], k))))
			fprintf(f, "h0.1");	/* a lone point still shows (round caps) */
		pen = true;
	}
}

/* A cross near the bottom of the plot at each point with a failed sample;
 * with ok_too, a dot for each other point (on the commits line, or hollow
 * at the bottom when it has no rate). */
static void
sample_marks(FILE *f, const fp_chart *c, const fp_svg_server *s, bool ok_too)
{
	double		bottom = FP_MT + FP_PH - 5;
	double		r = s->n > DENSE ? 1.1 : 2.2;

	fprintf(f, "<g class=\"samples\">");
	for (int i = 0; i < s->n; i++)
	{
		const fp_rsv_point *p = &s->pts[i];
		double		x = fp_chart_x(c, p->t);

		if (p->failed > 0)
			fprintf(f, "<path class=\"sample failed\" d=\"M%.1f %.1fl6 6m0 -6l-6 6\"/>", x - 3, bottom - 3);
		else if (ok_too && !isnan(p->commits))
			fprintf(f, "<circle class=\"sample ok\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>",
					x, fp_chart_y(c, p->commits), r);
		else if (ok_too)
			fprintf(f, "<circle class=\"sample ok norate\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>", x, bottom, r);
	}
	fprintf(f, "</g>\n");
}

static void
commits_chart(FILE *f, const fp_svg_server *s, const fp_bin *bins, int nbins, int bin_s,
			  double span_s, const fp_marks *m)
{
	fp_chart	c = {.span_s = span_s};

	for (int i = 0; i < nbins; i++)
		c.ymax = fmax(c.ymax, bins[i].has_rate ? bins[i].acked : 0);
	for (int i = 0; i < s->n; i++)
		c.ymax = fmax(c.ymax, isnan(s->pts[i].commits) ? 0 : s->pts[i].commits);
	c.ymax = fp_chart_nice_ceil(c.ymax * 1.05);
	fp_chart_begin(f, "server-chart", "Server commits per second against client acknowledgements",
				   "<i class=\"k-acks\"></i>client acks/s <i class=\"k-commits\"></i>server commits/s "
				   "<i class=\"k-norate\"></i>first sample of a server (no rate yet) "
				   "<b class=\"k-failed-sample\">&times;</b> sample failed <i class=\"k-outage\"></i>outage "
				   "<i class=\"k-promo\"></i>promotion");
	fp_chart_axes(f, &c);
	fp_chart_marks(f, &c, m, false);
	fp_svg_acks_line(f, &c, bins, nbins, bin_s, "series-client-acks");
	fprintf(f, "<path class=\"series-commits\" d=\"");
	point_line(f, &c, s, v_commits, 0);
	fprintf(f, "\"/>\n");
	sample_marks(f, &c, s, true);
	fp_chart_end(f);
}

/* Whether the lag chart is in ms: the unit more samples have (ms on a tie). */
static bool
lag_in_ms(const fp_svg_server *s)
{
	int			ms = 0, bytes = 0;

	for (int i = 0; i < s->n; i++)
		for (int k = 0; k < s->sv->nstandby; k++)
		{
			ms += !isnan(s->pts[i].lag_ms[k]);
			bytes += !isnan(s->pts[i].lag_bytes[k]);
		}
	return ms >= bytes;
}

/* A line through standby k's lag, and a dot on each value (a sparse
 * series stays visible). */
static void
lag_series(FILE *f, const fp_chart *c, const fp_svg_server *s, point_value v, int k)
{
	fprintf(f, "<path class=\"series-lag lag-%d\" data-standby=\"", k);
	fp_html_puts(f, s->sv->standby[k]);
	fprintf(f, "\" d=\"");
	point_line(f, c, s, v, k);
	fprintf(f, "\"/>\n<g class=\"lag-points lag-%d\">", k);
	for (int i = 0; i < s->n; i++)
		if (!isnan(v(&s->pts[i], k)))
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>", fp_chart_x(c, s->pts[i].t),
					fp_chart_y(c, v(&s->pts[i], k)), s->n > DENSE ? 1.0 : 1.8);
	fprintf(f, "</g>\n");
}

static void
lag_chart(FILE *f, const fp_svg_server *s, double span_s, const fp_marks *m)
{
	fp_chart	c = {.span_s = span_s};
	bool		ms = lag_in_ms(s);
	point_value v = ms ? v_lag_ms : v_lag_bytes;
	double		lo = 0, hi = 0;

	for (int i = 0; i < s->n; i++)
		for (int k = 0; k < s->sv->nstandby; k++)
		{
			double		y = v(&s->pts[i], k);

			if (!isnan(y) && y > 0 && (lo == 0 || y < lo))
				lo = y;
			hi = isnan(y) ? hi : fmax(hi, y);
		}
	if (ms)
		fp_chart_log_range(&c, lo, hi);
	else
	{
		c.bytes = true;
		c.ymax = fp_chart_nice_ceil(hi * 1.05);
	}
	fprintf(f, "<figure class=\"chart\" id=\"lag-chart\" data-unit=\"%s\"><figcaption>"
			"<span class=\"ct\">%s</span><span class=\"legend\">", ms ? "ms" : "bytes",
			ms ? "Replication lag per standby: replay lag (log scale)"
			: "Replication lag per standby: bytes sent, not yet replayed");
	for (int k = 0; k < s->sv->nstandby; k++)
	{
		fprintf(f, "<i class=\"k-lag lag-%d\"></i>", k);
		fp_html_puts(f, s->sv->standby[k]);
		fprintf(f, " ");
	}
	fprintf(f, "<b class=\"k-failed-sample\">&times;</b> sample failed</span></figcaption>\n"
			"<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"replication lag per standby\">\n",
			FP_CW, FP_CH);
	fp_chart_axes(f, &c);
	fp_chart_marks(f, &c, m, false);
	for (int k = 0; k < s->sv->nstandby; k++)
		lag_series(f, &c, s, v, k);
	sample_marks(f, &c, s, false);
	fp_chart_end(f);
}

/* What the samples are and how to read them against the client. */
static void
intro(FILE *f, const fp_svg_server *s, int bin_s)
{
	const fp_rserver *sv = s->sv;

	fprintf(f, "<p class=\"note\" id=\"server-note\">From <code>");
	fp_html_puts(f, sv->path);
	fprintf(f, "</code>: %d samples, %d failed (the server could not be reached or did not answer)",
			sv->n, sv->failed);
	if (sv->skipped > 0)
		fprintf(f, ", <span id=\"server-skipped\">%zu damaged line%s skipped</span>",
				sv->skipped, sv->skipped == 1 ? "" : "s");
	if (sv->torn)
		fprintf(f, ", a torn last line left out (the client was killed)");
	if (bin_s > 1)
		fprintf(f, "; drawn in bins of %d seconds (commits averaged, lag the highest)", bin_s);
	fprintf(f, ". The server counts every transaction committed in the database (the sampler's "
			"own and the extension's heartbeats too). Each backend adds its counts to "
			"pg_stat_database at most once a second, later when the statistics are busy, so the "
			"server's line is lumpy and lags the client's; counts not yet added when a server "
			"crashes never appear.</p>\n");
}

/* Why there is nothing to draw. */
static void
none(FILE *f, const fp_rserver *sv)
{
	fprintf(f, "<p class=\"note\" id=\"server-none\"><b>No server metrics</b>: ");
	if (sv->state == FP_RSV_OFF)
		fprintf(f, "left out (<code>--no-server-metrics</code>).");
	else
	{
		fprintf(f, "<code>");
		fp_html_puts(f, sv->path);
		fprintf(f, "</code> %s", sv->state == FP_RSV_NONE ?
				"is not there (the run had <code>--no-server-metrics</code>, or its client did not "
				"sample the server)." : sv->state == FP_RSV_READ ? "holds no samples." : "cannot be read: ");
		if (sv->state == FP_RSV_UNREADABLE)
			fp_html_puts(f, sv->note);
	}
	fprintf(f, "</p>\n");
}

void
fp_svg_server_charts(FILE *f, const fp_svg_server *s, const fp_bin *bins, int nbins, int bin_s,
					 double span_s, const fp_marks *m)
{
	fprintf(f, "<h3 id=\"server-metrics\">The server's view</h3>\n");
	if (s->n == 0)
	{
		none(f, s->sv);
		return;
	}
	intro(f, s, bin_s);
	commits_chart(f, s, bins, nbins, bin_s, span_s, m);
	if (s->sv->has_lag_ms || s->sv->has_lag_bytes)
		lag_chart(f, s, span_s, m);
	else
		fprintf(f, "<p class=\"note\" id=\"lag-none\">No replication lag in the samples: no standby "
				"was streaming from the server sampled, or the role lacks <code>pg_read_all_stats</code> "
				"(grant <code>pg_monitor</code>).</p>\n");
}

void
fp_svg_json_string(FILE *f, const char *s)
{
	char	   *copy = strdup(s ? s : "");
	json_t	   *j = copy ? json_string(copy) : NULL;
	char	   *text;

	if (copy && j == NULL)		/* not UTF-8: keep the ASCII */
	{
		for (char *p = copy; *p; p++)
			if ((unsigned char) *p >= 0x80)
				*p = '?';
		j = json_string(copy);
	}
	text = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	if (text == NULL)
		fputs("\"\"", f);
	for (const char *p = text; p && *p; p++)
	{
		if (*p == '<' || *p == '>' || *p == '&')
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	free(text);
	json_decref(j);
	free(copy);
}

/* "name":[v of each point, null for NAN] */
static void
number_array(FILE *f, const char *name, const fp_svg_server *s, point_value v, int k, const char *fmt)
{
	fprintf(f, "\"%s\":[", name);
	for (int i = 0; i < s->n; i++)
	{
		double		y = v(&s->pts[i], k);

		fputs(i ? "," : "", f);
		if (isnan(y))
			fputs("null", f);
		else
			fprintf(f, fmt, y);
	}
	fprintf(f, "]");
}

static double v_t(const fp_rsv_point *p, int k) { (void) k; return p->t; }
static double v_tli(const fp_rsv_point *p, int k) { (void) k; return p->tli ? p->tli : NAN; }

void
fp_svg_server_json(FILE *f, const fp_svg_server *s)
{
	if (s == NULL || s->n == 0)
	{
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"samples\":%d,\"failed_samples\":%d,\"skipped_lines\":%zu,\"torn\":%s,\"points\":%d,"
			"\"lag_unit\":\"%s\",", s->sv->n, s->sv->failed, s->sv->skipped, s->sv->torn ? "true" : "false",
			s->n, lag_in_ms(s) ? "ms" : "bytes");
	number_array(f, "t", s, v_t, 0, "%.3f");
	fprintf(f, ",\"ok\":[");
	for (int i = 0; i < s->n; i++)
		fprintf(f, "%s%s", i ? "," : "", s->pts[i].failed ? "false" : "true");
	fprintf(f, "],");
	number_array(f, "commits", s, v_commits, 0, "%.1f");
	fputc(',', f);
	number_array(f, "tli", s, v_tli, 0, "%.0f");
	fprintf(f, ",\"error\":[");
	for (int i = 0; i < s->n; i++)
	{
		fputs(i ? "," : "", f);
		if (s->pts[i].error)
			fp_svg_json_string(f, s->pts[i].error);
		else
			fputs("null", f);
	}
	fprintf(f, "],\"standbys\":[");
	for (int k = 0; k < s->sv->nstandby; k++)
	{
		fprintf(f, "%s{\"name\":", k ? "," : "");
		fp_svg_json_string(f, s->sv->standby[k]);
		fputc(',', f);
		number_array(f, "lag_ms", s, v_lag_ms, k, "%.4g");
		fputc(',', f);
		number_array(f, "lag_bytes", s, v_lag_bytes, k, "%.0f");
		fputc('}', f);
	}
	fprintf(f, "]}");
}
