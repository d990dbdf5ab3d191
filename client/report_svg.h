/*
 * report_svg.h - the report's timeline charts, drawn here as inline SVG so
 * that the page needs no script library and no network to show them.
 *
 * Three charts share one time axis (seconds since the run started):
 * throughput (acknowledgements per second), latency (p50 and p99 per
 * second, log scale) and problems per second (failed, in doubt, missed,
 * stacked).  Each carries the outage band and the promotion mark.  Long
 * runs are drawn in bins of several seconds (at most FP_SVG_MAX_BINS).
 * The server's charts (report_svg_server.h) follow on the same axis.
 */
#ifndef FP_REPORT_SVG_H
#define FP_REPORT_SVG_H

#include <stdbool.h>
#include <stdio.h>

#include "report_chart.h"
#include "report_series.h"

#define FP_SVG_MAX_BINS 1200

/* One bin of the charts: per-second rates averaged over its seconds. */
typedef struct fp_bin
{
	double		acked;
	double		failed;
	double		in_doubt;
	double		missed;
	double		p50_ms;			/* mean of its seconds' p50s */
	double		p99_ms;			/* highest of its seconds' p99s */
	bool		has_latency;
	bool		has_rate;		/* false: a last bin too short to be a rate */
} fp_bin;

/* The series in at most FP_SVG_MAX_BINS bins of *bin_s seconds each;
 * malloc'd, NULL when out of memory or empty. */
fp_bin	   *fp_svg_bins(const fp_rseries *s, int *nbins, int *bin_s);

/* The seconds the charts span: the bins', or up to last_t (the last server
 * sample) when that is later, in whole bins. */
double		fp_svg_span(int nbins, int bin_s, double last_t);

/* The three charts, as <figure> elements, spanning span_s seconds. */
void		fp_svg_charts(FILE *f, const fp_bin *bins, int nbins, int bin_s, double span_s,
						  const fp_marks *m);

/* The acknowledgements per second as a line (for the server's chart). */
void		fp_svg_acks_line(FILE *f, const fp_chart *c, const fp_bin *bins, int n, int bin_s,
							 const char *cls);

struct fp_svg_server;

/* #fp-data, the numbers behind the charts for the page's hover read-out
 * and for scripts: the bins, the span, the outage and promotion, and the
 * server's points (null without them). */
void		fp_svg_data_json(FILE *f, const fp_bin *bins, int nbins, int bin_s, double span_s,
							 const fp_marks *m, const struct fp_svg_server *server);

#endif
