/*
 * report_chart.h - what the report's SVG charts share: the fixed viewBox,
 * the scales, the axes, the outage band and promotion mark, and a chart's
 * frame (report_svg.c draws the client's charts with them,
 * report_svg_server.c the server's).
 *
 * Coordinates are in a fixed viewBox (FP_CW x FP_CH) that the page's CSS
 * scales to the window's width, so the C code never needs to know the
 * screen.  Every chart of a page spans the same seconds, so that a moment
 * is at the same x in all of them.
 */
#ifndef FP_REPORT_CHART_H
#define FP_REPORT_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define FP_CW 960.0				/* viewBox width */
#define FP_CH 210.0				/* viewBox height */
#define FP_ML 62.0				/* margins: left (y labels), right, top, bottom */
#define FP_MR 14.0
#define FP_MT 14.0
#define FP_MB 26.0
#define FP_PW (FP_CW - FP_ML - FP_MR)	/* plot width and height */
#define FP_PH (FP_CH - FP_MT - FP_MB)

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

/* One chart's scales. */
typedef struct fp_chart
{
	double		span_s;			/* seconds across the plot */
	double		ymax;			/* linear: top of the y axis */
	double		lmin, lmax;		/* log: decades at bottom and top */
	bool		log;
	bool		bytes;			/* linear y labels in bytes (kB, MB: 1000s) */
} fp_chart;

/* A round number >= v: 1, 2, 2.5 or 5 times a power of ten. */
double		fp_chart_nice_ceil(double v);

/* x of a time, y of a value; both kept inside the plot. */
double		fp_chart_x(const fp_chart *c, double t);
double		fp_chart_y(const fp_chart *c, double v);

/* Log scale decades around the positive values from lo to hi (0: none). */
void		fp_chart_log_range(fp_chart *c, double lo, double hi);

/* Grid lines and labels of both axes (log y in milliseconds). */
void		fp_chart_axes(FILE *f, const fp_chart *c);

/* The outage band and the promotion line; first: the page's first chart,
 * whose marks get the ids outage-band and promotion-mark and a label. */
void		fp_chart_marks(FILE *f, const fp_chart *c, const fp_marks *m, bool first);

/* A <figure class="chart"> with its caption (title and legend are HTML
 * written by the program) and the opening <svg>; fp_chart_end closes them. */
void		fp_chart_begin(FILE *f, const char *id, const char *title, const char *legend);
void		fp_chart_end(FILE *f);

/* A number as the y axis labels it: 2.5k, 1M. */
void		fp_chart_fmt_count(char *buf, size_t size, double v);

#endif
