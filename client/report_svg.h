/*
 * report_svg.h - the report's timeline charts, drawn here as inline SVG so
 * that the page needs no script library and no network to show them.
 *
 * Three charts share one time axis (seconds since the run started):
 * throughput (acknowledgements per second), latency (p50 and p99 per
 * second, log scale) and problems per second (failed, in doubt, missed,
 * stacked).  Each carries the outage band and the promotion mark.  Long
 * runs are drawn in bins of several seconds (at most FP_SVG_MAX_BINS).
 */
#ifndef FP_REPORT_SVG_H
#define FP_REPORT_SVG_H

#include <stdbool.h>
#include <stdio.h>

#include "report_series.h"

#define FP_SVG_MAX_BINS 1200

/* What the charts mark, in seconds since the run started. */
typedef struct fp_marks
{
	bool		outage;			/* a band from outage_from to outage_to */
	double		outage_from;
	double		outage_to;
	bool		recovered;		/* false: the band runs to the end */
	bool		promotion;		/* a line at promotion_at */
	double		promotion_at;
	const char *promotion_label;	/* plain text; escaped when written */
} fp_marks;

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

/* The three charts, as <figure> elements. */
void		fp_svg_charts(FILE *f, const fp_bin *bins, int nbins, int bin_s,
						  const fp_marks *m);

/* The bins as JSON for the page's hover read-out. */
void		fp_svg_data_json(FILE *f, const fp_bin *bins, int nbins, int bin_s);

#endif
