/*
 * report_svg_server.h - the server's view on the report's timeline, as
 * inline SVG under the client's charts and on the same time axis:
 *
 *   #server-chart  the server's commits per second (pg_stat_database)
 *                  over the client's acknowledgements per second, a marker
 *                  per sample (a cross for a failed one: the server was
 *                  unreachable);
 *   #lag-chart     replication lag per standby (replay lag in ms, log
 *                  scale; in bytes when no sample has it in ms), for as long
 *                  as the primary reports the standby: it ends at the
 *                  failover.  Failed samples are crossed here too.
 *
 * Both carry the outage band and the promotion mark.  Without samples the
 * page says "No server metrics" and why (#server-none).
 */
#ifndef FP_REPORT_SVG_SERVER_H
#define FP_REPORT_SVG_SERVER_H

#include <stdio.h>

#include "report_server.h"
#include "report_svg.h"

/* What the server's charts draw. */
typedef struct fp_svg_server
{
	const fp_rserver *sv;		/* the file: state, names, counts */
	const fp_rsv_point *pts;	/* the points drawn (fp_rsv_bins) */
	int			n;
} fp_svg_server;

/* The server's charts (or the note saying why there are none), with the
 * client's acknowledgements from bins, spanning span_s seconds. */
void		fp_svg_server_charts(FILE *f, const fp_svg_server *s, const fp_bin *bins, int nbins,
								 int bin_s, double span_s, const fp_marks *m);

/* The points as a JSON object for #fp-data ("t", "ok", "commits", "tli",
 * "error", "standbys": [{"name", "lag_ms", "lag_bytes"}], and the counts);
 * null without points. */
void		fp_svg_server_json(FILE *f, const fp_svg_server *s);

/* s as a JSON string that is safe inside a <script> element: non-ASCII,
 * <, > and & as \u escapes; invalid UTF-8 bytes as '?'. */
void		fp_svg_json_string(FILE *f, const char *s);

#endif
