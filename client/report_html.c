/*
 * report_html.c - the report page: head, verdict, the large figures, the
 * outage in words and the charts; the tables follow (report_tables.c).
 *
 * The figures come from the ledger, streamed by report_series.c, so that
 * the page needs nothing but the ledger; the run JSON adds the servers'
 * names, the verify JSON what was lost.  Elements a reader's script or a
 * test looks for carry ids: verdict, fig-lost, fig-rpo, fig-rto,
 * fig-detection, fig-peak, fig-sustained, fig-p99, fig-sent, fig-acked,
 * fig-failed, fig-in-doubt, fig-missed, outage-band, promotion-mark; and
 * under the client's charts the server's (report_svg_server.c):
 * server-metrics, server-chart, lag-chart, or server-none.
 */
#define _POSIX_C_SOURCE 200809L

#include "report_html.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_assets.h"
#include "report_svg.h"
#include "report_svg_server.h"

/* The large figures at the top.  A negative value is "not applicable". */
typedef struct figs
{
	bool		verified;
	double		lost;			/* acknowledged writes lost (verify) */
	double		rpo_ms;			/* verify's; < 0 null */
	double		corrupt;
	double		rto_ms;			/* from the ledger */
	double		verify_rto_ms;	/* verify's, shown beside when it differs */
	double		detection_ms;
	uint64_t	peak;
	double		sustained;
	double		p50_ms, p99_ms, max_ms;
	fp_marks	marks;
	char		promo_label[160];
} figs;

static size_t
utf8_len(const unsigned char *p)
{
	int			n = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 && p[0] < 0xE0 ? 2 : 0;

	if (p[0] >= 0xF5)
		return 0;
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return (size_t) n;
}

size_t
fp_html_escape(const char *s, char *out, size_t size)
{
	size_t		n = 0;

#define PUT(str, len) do { \
		for (size_t k_ = 0; k_ < (len); k_++, n++) \
			if (n + 1 < size) out[n] = (str)[k_]; \
	} while (0)
	for (const unsigned char *p = (const unsigned char *) s; p && *p;)
	{
		size_t		u;

		switch (*p)
		{
			case '&': PUT("&amp;", 5); p++; continue;
			case '<': PUT("&lt;", 4); p++; continue;
			case '>': PUT("&gt;", 4); p++; continue;
			case '"': PUT("&quot;", 6); p++; continue;
			case '\'': PUT("&#39;", 5); p++; continue;
		}
		if (*p < 0x80)
		{
			if (*p >= 0x20 || *p == '\t' || *p == '\n')
				PUT((const char *) p, 1);
			p++;
		}
		else if ((u = utf8_len(p)) > 0)
		{
			PUT((const char *) p, u);
			p += u;
		}
		else
		{
			PUT("\xEF\xBF\xBD", 3);
			p++;
		}
	}
#undef PUT
	if (size > 0)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

void
fp_html_puts(FILE *f, const char *s)
{
	char		small[512];
	size_t		need;
	char	   *big;

	if (s == NULL)
		return;
	need = fp_html_escape(s, small, sizeof(small));
	if (need < sizeof(small))
	{
		fputs(small, f);
		return;
	}
	if ((big = malloc(need + 1)) == NULL)
		return;
	fp_html_escape(s, big, need + 1);
	fputs(big, f);
	free(big);
}

void
fp_html_count(char *buf, size_t size, unsigned long long v)
{
	char		digits[32];
	int			len = snprintf(digits, sizeof(digits), "%llu", v);
	size_t		n = 0;

	for (int i = 0; i < len && n + 1 < size; i++)
	{
		if (i > 0 && (len - i) % 3 == 0 && n + 2 < size)
			buf[n++] = ',';
		buf[n++] = digits[i];
	}
	buf[n] = '\0';
}

static void
iso(char *buf, size_t size, int64_t us)
{
	time_t		s = (time_t) (us / 1000000);
	struct tm	tm;

	gmtime_r(&s, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* host:port of a server id from the run JSON's servers list, or "". */
static void
server_name(const fp_report_input *in, uint32_t id, char *buf, size_t size)
{
	json_t	   *list = in->run ? json_object_get(in->run, "servers") : NULL;
	size_t		i;
	json_t	   *s;

	buf[0] = '\0';
	json_array_foreach(list, i, s)
	{
		double		sid;
		const char *host = fp_rj_string(s, "host");
		const char *port = fp_rj_string(s, "port");

		if (fp_rj_number(s, "id", &sid) && sid == id && host)
			snprintf(buf, size, "%s%s%s", host, port ? ":" : "", port ? port : "");
	}
}

static void
promotion_mark(figs *g, const fp_report_input *in)
{
	const fp_rpromo *p = &in->series.promotion;
	int64_t		at = fp_rj_promotion_us(in->verify, in->series.first_due_us,
										in->series.last_done_us);
	char		name[160];

	if (at != 0)
		snprintf(g->promo_label, sizeof(g->promo_label), "promoted (failprobe.events)");
	else if ((at = p->at_us) != 0)
	{
		server_name(in, p->server_id, name, sizeof(name));
		if (p->tli)
			snprintf(g->promo_label, sizeof(g->promo_label), "first ack on timeline %u%s%s",
					 p->tli, name[0] ? ", " : "", name);
		else
			snprintf(g->promo_label, sizeof(g->promo_label), "first ack from %s",
					 name[0] ? name : "another server");
	}
	g->marks.promotion = at != 0;
	g->marks.promotion_at = (at - in->series.origin_us) / 1e6;
	g->marks.promotion_label = g->promo_label;
}

static void
compute(figs *g, const fp_report_input *in)
{
	const fp_rseries *s = &in->series;
	const fp_outage *o = &s->outage.outage;

	memset(g, 0, sizeof(*g));
	g->verified = in->verify != NULL;
	if (!fp_rj_number(in->verify, "acked_lost", &g->lost))
		g->lost = -1;
	if (!fp_rj_number(in->verify, "rpo_ms", &g->rpo_ms))
		g->rpo_ms = -1;
	if (!fp_rj_number(in->verify, "rto_ms", &g->verify_rto_ms))
		g->verify_rto_ms = -1;
	fp_rj_number(in->verify, "corrupt", &g->corrupt);
	g->rto_ms = fp_outage_rto_ms(o);
	g->detection_ms = fp_outage_detection_ms(o);
	g->peak = fp_rs_peak_tps(s);
	g->sustained = fp_rs_sustained_tps(s);
	g->p50_ms = fp_hist_percentile(&s->all, 50) / 1000.0;
	g->p99_ms = fp_hist_percentile(&s->all, 99) / 1000.0;
	g->max_ms = s->all.max / 1000.0;
	if (o->first_problem != 0)
	{
		int64_t		from = o->last_ack_before ? o->last_ack_before : o->first_problem;

		g->marks.outage = true;
		g->marks.outage_from = (from - s->origin_us) / 1e6;
		g->marks.recovered = o->first_ack_after != 0;
		g->marks.outage_to = (o->first_ack_after - s->origin_us) / 1e6;
	}
	promotion_mark(g, in);
}

static void
meta_item(FILE *f, const json_t *meta, const char *key, const char *fmt_before, const char *after)
{
	json_t	   *v = json_is_object(meta) ? json_object_get(meta, key) : NULL;
	char		buf[64];

	if (json_is_string(v))
	{
		fputs(fmt_before, f);
		fp_html_puts(f, json_string_value(v));
		fputs(after, f);
	}
	else if (json_is_number(v))
	{
		snprintf(buf, sizeof(buf), "%g", json_number_value(v));
		fprintf(f, "%s%s%s", fmt_before, buf, after);
	}
}

static void
head(FILE *f, const fp_report_input *in)
{
	char		when[64];

	iso(when, sizeof(when), in->hdr.start_us);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			"<meta name=\"generator\" content=\"failprobe report\">\n"
			"<title>failprobe run %" PRIu64 " - %s</title>\n<style>\n%s</style>\n</head>\n<body>\n",
			in->hdr.run_id, when, fp_report_css);
	fprintf(f, "<header class=\"top\"><div class=\"title\"><h1>Failover drill</h1>\n"
			"<p class=\"meta\">run <b>%" PRIu64 "</b> &middot; started %s", in->hdr.run_id, when);
	meta_item(f, in->meta, "mode", " &middot; ", " mode");
	meta_item(f, in->meta, "table", " &middot; table <code>", "</code>");
	meta_item(f, in->meta, "rate", " &middot; target ", "/s");
	meta_item(f, in->meta, "stages", " &middot; stages <code>", "</code>");
	meta_item(f, in->meta, "clients", " &middot; ", " clients");
	meta_item(f, in->meta, "protocol", " &middot; ", " protocol");
	meta_item(f, in->meta, "pipeline", " &middot; pipeline ", "");
	meta_item(f, in->meta, "server_version", " &middot; PostgreSQL ", "");
	fprintf(f, "</p></div>\n");
}

/* verify's own verdict in words, when its JSON has one. */
static void
verify_why(FILE *f, const fp_report_input *in)
{
	json_t	   *v = in->verify ? json_object_get(in->verify, "verdict") : NULL;
	const char *why = fp_rj_string(v, "why");

	if (why == NULL || why[0] == '\0')
		return;
	fprintf(f, "<span class=\"why\">failprobe verify: ");
	fp_html_puts(f, why);
	fprintf(f, "</span>");
}

static void
verdict(FILE *f, const figs *g, const fp_report_input *in)
{
	char		n[32];

	if (!g->verified || g->lost < 0)
	{
		fprintf(f, "<div id=\"verdict\" class=\"verdict unknown\"><b>Not verified</b>"
				"<span>run <code>failprobe verify --json</code> and pass it with --verify-json "
				"to find out whether acknowledged writes were lost</span></div>\n");
		return;
	}
	fp_html_count(n, sizeof(n), (unsigned long long) g->lost);
	if (g->lost == 0)
		fprintf(f, "<div id=\"verdict\" class=\"verdict ok\"><b>No acknowledged write lost</b>"
				"<span>every write the server confirmed is on the promoted node</span>");
	else
		fprintf(f, "<div id=\"verdict\" class=\"verdict bad\"><b>%s acknowledged write%s lost</b>"
				"<span>the server confirmed %s and the promoted node does not have %s</span>",
				n, g->lost == 1 ? "" : "s", g->lost == 1 ? "it" : "them", g->lost == 1 ? "it" : "them");
	verify_why(f, in);
	fprintf(f, "</div>\n");
}

/* One large figure: value, unit, label, and a line under it. */
static void
card(FILE *f, const char *id, const char *cls, const char *value, const char *unit,
	 const char *label, const char *sub)
{
	fprintf(f, "<div class=\"fig %s\" id=\"%s\"><div class=\"v\">%s<small>%s</small></div>"
			"<div class=\"k\">%s</div><div class=\"s\">%s</div></div>\n",
			cls, id, value, unit, label, sub);
}

static void
ms_text(char *buf, size_t size, double ms)
{
	snprintf(buf, size, ms >= 100 ? "%.0f" : ms >= 10 ? "%.1f" : "%.2f", ms);
}

static void
figures(FILE *f, const figs *g)
{
	char		v[64], sub[160];
	bool		verified = g->verified && g->lost >= 0;

	fprintf(f, "<section class=\"figures\">\n");
	if (verified)
		fp_html_count(v, sizeof(v), (unsigned long long) g->lost);
	card(f, "fig-lost", !verified ? "na" : g->lost == 0 ? "good" : "bad",
		 verified ? v : "&ndash;", "", "Lost writes (RPO)",
		 verified ? (g->corrupt > 0 ? "acknowledged, then missing; and corrupt rows: see below" :
					 "acknowledged, then missing on the promoted node")
		 : "not verified");
	if (verified && g->rpo_ms >= 0)
		ms_text(v, sizeof(v), g->rpo_ms);
	/* one lost write spans 0 ms: the loss, not the span, makes it bad */
	card(f, "fig-rpo", !verified ? "na" : g->rpo_ms > 0 || g->lost > 0 ? "bad" : "good",
		 verified && g->rpo_ms >= 0 ? v : verified ? "0" : "&ndash;", verified ? " ms" : "",
		 "RPO", verified ? "time span of the lost writes" : "not verified");
	snprintf(v, sizeof(v), "%.1f", g->rto_ms);
	sub[0] = '\0';
	if (g->verify_rto_ms >= 0 && (g->verify_rto_ms - g->rto_ms > 0.05 || g->rto_ms - g->verify_rto_ms > 0.05))
		snprintf(sub, sizeof(sub), "verify says %.1f ms", g->verify_rto_ms);
	card(f, "fig-rto", g->rto_ms >= 0 ? "" : "na", g->rto_ms >= 0 ? v : g->marks.outage ? "not recovered" : "no outage",
		 g->rto_ms >= 0 ? " ms" : "", "RTO",
		 sub[0] ? sub : "last ack before the outage to the first after");
	snprintf(v, sizeof(v), "%.1f", g->detection_ms);
	card(f, "fig-detection", g->detection_ms >= 0 ? "" : "na", g->detection_ms >= 0 ? v : "&ndash;",
		 g->detection_ms >= 0 ? " ms" : "", "Detection", "last ack to the first failed or missed write");
	fp_html_count(v, sizeof(v), g->peak);
	card(f, "fig-peak", "", v, " /s", "Peak TPS", "acks in the busiest second");
	fp_html_count(v, sizeof(v), (unsigned long long) (g->sustained + 0.5));
	card(f, "fig-sustained", "", v, " /s", "Sustained TPS", "median of the per-second acks");
	ms_text(v, sizeof(v), g->p99_ms);
	snprintf(sub, sizeof(sub), "p50 %.2f ms &middot; max %.1f ms", g->p50_ms, g->max_ms);
	card(f, "fig-p99", "", v, " ms", "p99 latency", sub);
	fprintf(f, "</section>\n");
}

static void
count_cell(FILE *f, const char *id, const char *cls, const char *label, uint64_t v, const char *title)
{
	char		n[32];

	fp_html_count(n, sizeof(n), (unsigned long long) v);
	fprintf(f, "<div class=\"count %s\" id=\"%s\" title=\"%s\"><b>%s</b><span>%s</span></div>\n",
			cls, id, title, n, label);
}

static void
counts(FILE *f, const fp_report_input *in)
{
	const fp_rseries *s = &in->series;
	double		doubt_committed;

	fprintf(f, "<section class=\"counts\">\n");
	count_cell(f, "fig-sent", "", "sent", s->acked + s->failed + s->in_doubt, "acked + failed + in doubt");
	count_cell(f, "fig-acked", "c-acked", "acked", s->acked, "the server confirmed the commit");
	count_cell(f, "fig-failed", s->failed ? "c-failed" : "", "failed", s->failed,
			   "the server reported an error: not committed");
	count_cell(f, "fig-in-doubt", s->in_doubt ? "c-doubt" : "", "in doubt", s->in_doubt,
			   "sent, but the connection ended before the answer");
	if (fp_rj_number(in->verify, "in_doubt_committed", &doubt_committed))
		fprintf(f, "<div class=\"count\" id=\"fig-in-doubt-committed\"><b>%.0f</b>"
				"<span>of them committed</span></div>\n", doubt_committed);
	count_cell(f, "fig-missed", s->missed ? "c-missed" : "", "missed", s->missed,
			   "came due while the connection was down: never sent");
	fprintf(f, "</section>\n");
}

/* The outage in one sentence, with the servers on either side. */
static void
outage_text(FILE *f, const fp_report_input *in)
{
	const fp_outage *o = &in->series.outage.outage;
	double		t0 = in->series.origin_us / 1e6;
	char		a[160], b[160];

	if (o->first_problem == 0)
	{
		fprintf(f, "<p class=\"outage-text\">No outage: every write due was acknowledged.</p>\n");
		return;
	}
	server_name(in, o->server_before, a, sizeof(a));
	server_name(in, o->server_after, b, sizeof(b));
	fprintf(f, "<p class=\"outage-text\"><span class=\"swatch\"></span>Outage: the last acknowledgement "
			"before it at <b>%.3f s</b>", o->last_ack_before ? o->last_ack_before / 1e6 - t0 : 0);
	if (a[0] || o->tli_before)
	{
		fprintf(f, " (");
		fp_html_puts(f, a);
		fprintf(f, "%stimeline %u)", a[0] ? ", " : "", o->tli_before);
	}
	fprintf(f, ", the first problem at <b>%.3f s</b>", o->first_problem / 1e6 - t0);
	if (o->first_ack_after == 0)
	{
		fprintf(f, "; writes were <b>not acknowledged again</b> before the run ended.</p>\n");
		return;
	}
	fprintf(f, ", writes acknowledged again at <b>%.3f s</b>", o->first_ack_after / 1e6 - t0);
	if (b[0] || o->tli_after)
	{
		fprintf(f, " (");
		fp_html_puts(f, b);
		fprintf(f, "%stimeline %u)", b[0] ? ", " : "", o->tli_after);
	}
	fprintf(f, ". Times are seconds since the run started.</p>\n");
}

static void
notes(FILE *f, const fp_report_input *in)
{
	if (in->truncated)
	{
		fprintf(f, "<div class=\"warn\" id=\"ledger-truncated\"><b>The ledger ends in a truncated tail</b> "
				"(the client was killed while writing it): ");
		fp_html_puts(f, in->end_note);
		fprintf(f, ". The records before it are shown; at most the client's last flush interval is missing.</div>\n");
	}
	if (in->series.late > 0)
		fprintf(f, "<div class=\"warn\">%" PRIu64 " acknowledgements reached the ledger more than %d s "
				"after their second: they are counted, but not in that second's percentiles.</div>\n",
				in->series.late, FP_RS_WINDOW);
	if (in->series.out_of_range > 0)
		fprintf(f, "<div class=\"warn\">%" PRIu64 " records carry times outside the run or an unknown "
				"outcome and are left out of the charts.</div>\n", in->series.out_of_range);
}

static void
charts(FILE *f, const fp_report_input *in, const figs *g)
{
	int			nbins, bin_s, npts;
	fp_bin	   *bins = fp_svg_bins(&in->series, &nbins, &bin_s);
	fp_rsv_point *pts = fp_rsv_bins(&in->server, bin_s, &npts);
	fp_svg_server server = {.sv = &in->server, .pts = pts, .n = npts > 0 ? npts : 0};
	double		span = fp_svg_span(nbins, bin_s, fp_rsv_last_t(&in->server));

	fprintf(f, "<section class=\"charts\">\n<h2>Timeline</h2>\n");
	outage_text(f, in);
	fp_svg_charts(f, bins, nbins, bin_s, span, &g->marks);
	fp_svg_server_charts(f, &server, bins, nbins, bin_s, span, &g->marks);
	fprintf(f, "<div id=\"tip\" class=\"tip\" hidden></div>\n");
	fp_svg_data_json(f, bins, nbins, bin_s, span, &g->marks, &server);
	fprintf(f, "</section>\n");
	free(pts);
	free(bins);
}

int
fp_html_page(FILE *f, const fp_report_input *in)
{
	figs		g;

	compute(&g, in);
	head(f, in);
	verdict(f, &g, in);
	fprintf(f, "</header>\n<main>\n");
	notes(f, in);
	figures(f, &g);
	counts(f, in);
	charts(f, in, &g);
	fp_html_tables(f, in);
	fprintf(f, "</main>\n<footer>Written by <code>failprobe report</code> from ledger <code>");
	fp_html_puts(f, in->ledger_path);
	fprintf(f, "</code>%s", in->run_path ? ", run JSON <code>" : "");
	fp_html_puts(f, in->run_path);
	fprintf(f, "%s%s", in->run_path ? "</code>" : "", in->verify_path ? ", verify JSON <code>" : "");
	fp_html_puts(f, in->verify_path);
	fprintf(f, "%s. Self-contained: no network needed.</footer>\n<script>\n%s</script>\n</body>\n</html>\n",
			in->verify_path ? "</code>" : "", fp_report_js);
	return ferror(f) ? -1 : 0;
}
