/*
 * report_server.h - the server's view for the report page: the samples
 * `failprobe run` took of the server's own metrics (<ledger>.server.jsonl,
 * docs/metrics.md), as points on the timeline's time axis.
 *
 * The samples carry client wall-clock times (Unix microseconds), as the
 * ledger does; a point's time is the sample's minus the ledger header's
 * start, so it lines up with the client's seconds as in `failprobe
 * export`.  Rates come from server_samples.c, as export's do.  The file is
 * small (a line a second), so it is read whole; a damaged line is left out
 * and counted, never fatal.
 */
#ifndef FP_REPORT_SERVER_H
#define FP_REPORT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Standbys drawn, the first the file mentions first (as export's columns). */
#define FP_RSV_STANDBYS 4

/* One sample, or (fp_rsv_bins) the samples of one bin of the charts. */
typedef struct fp_rsv_point
{
	double		t;				/* seconds since the run started */
	int			samples;		/* samples in it: 1, or a bin's count */
	int			failed;			/* of them failed (server unreachable) */
	double		commits;		/* server commits per second; NAN: no rate */
	int			tli;			/* timeline; 0 unknown or failed */
	double		lag_ms[FP_RSV_STANDBYS];	/* replay lag; NAN: no row or null */
	double		lag_bytes[FP_RSV_STANDBYS];	/* sent - replayed; NAN likewise */
	const char *error;			/* a failed sample's reason; NULL */
} fp_rsv_point;

/* What became of the file. */
typedef enum fp_rsv_state
{
	FP_RSV_OFF,					/* --no-server-metrics: not looked for */
	FP_RSV_NONE,				/* the default file is not there */
	FP_RSV_UNREADABLE,			/* it is there, but could not be read (note) */
	FP_RSV_READ					/* read: pts (possibly none) */
} fp_rsv_state;

typedef struct fp_rserver
{
	fp_rsv_state state;
	char		path[4096];
	char		note[512];		/* why unreadable; the first damaged line */
	fp_rsv_point *pts;			/* in file order */
	int			n;
	char		standby[FP_RSV_STANDBYS][64];	/* application_names */
	int			nstandby;
	int			failed;			/* failed samples */
	size_t		skipped;		/* damaged lines left out */
	bool		torn;			/* the last line was torn (a killed client) */
	bool		has_commits;	/* some point has a commit rate */
	bool		has_lag_ms;		/* some point has a replay lag in ms */
	bool		has_lag_bytes;	/* ... in bytes */
} fp_rserver;

/*
 * Read path's samples, times relative to origin_us (the ledger's start).
 * named: the user gave the file (--server-metrics), and a file that cannot
 * be read is an error; otherwise a missing file is FP_RSV_NONE and an
 * unreadable one FP_RSV_UNREADABLE, both for the page to say.  Returns 0,
 * or -1 with a one-line message in err.
 */
int			fp_rsv_load(fp_rserver *sv, const char *path, bool named, int64_t origin_us,
						char *err, size_t errlen);

/* The points of samples (an array of objects, as fp_jsonl_read returns);
 * state becomes FP_RSV_READ.  Returns 0, or -1 out of memory. */
int			fp_rsv_from_samples(fp_rserver *sv, const json_t *samples, int64_t origin_us);

/*
 * The points as the charts draw them: with bin_s 1 a copy of every point;
 * else one per bin of bin_s seconds that holds samples, at the bin's middle:
 * the commit rate averaged, the lag the bin's highest, the samples and
 * failures added up, the first failure's reason.  malloc'd (*n may be 0 and
 * the result NULL); NULL with *n -1 when out of memory.
 */
fp_rsv_point *fp_rsv_bins(const fp_rserver *sv, int bin_s, int *n);

/* The last point's time, or 0 without points. */
double		fp_rsv_last_t(const fp_rserver *sv);

void		fp_rsv_free(fp_rserver *sv);

#endif
