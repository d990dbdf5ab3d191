/*-------------------------------------------------------------------------
 *
 * pg_failprobe.h
 *		Shared declarations of the pg_failprobe extension.
 *
 * The extension has one piece of shared state (FailprobeShared), written by
 * the background worker and read by failprobe.status(), and a handful of
 * GUCs.  Each concept lives in its own file; this header is what they share.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_FAILPROBE_H
#define PG_FAILPROBE_H

#include "postgres.h"

#include "access/xlogdefs.h"
#include "datatype/timestamp.h"
#include "storage/spin.h"

/*
 * State shared between the worker and the backends that call status().
 *
 * Every field is protected by 'mutex'.  Timestamps are 0 when unknown.  The
 * struct survives worker restarts (but not a crash restart of the server),
 * which is what lets the worker back off after failed connection attempts.
 */
typedef struct FailprobeShared
{
	slock_t		mutex;

	pid_t		worker_pid;		/* 0 while no worker runs */
	int			connect_failures;	/* consecutive failed connection attempts */

	/* On a primary: the beats this worker wrote since the server started. */
	int64		beats_written;

	/*
	 * Newest heartbeat known: on a primary the last one written, on a
	 * standby the newest one replayed.
	 */
	int64		last_seq;
	TimestampTz last_beat_at;

	/* On a standby: when the walreceiver last heard from the upstream. */
	TimestampTz upstream_last_heard;

	/* When this node was last promoted (from the events table or seen live). */
	TimestampTz last_promotion_at;
} FailprobeShared;

/* GUC variables (pg_failprobe.c) */
extern char *failprobe_database;
extern int	failprobe_heartbeat_interval;
extern int	failprobe_retention;
extern char *failprobe_node_name;

/* pg_failprobe.c */
extern FailprobeShared *failprobe_shared;
extern bool failprobe_preloaded;
extern void failprobe_require_preload(void);
extern char *failprobe_current_node_name(void);

/* commit_lsn.c */
extern void failprobe_commit_lsn_init(void);

/* replay_watch.c */
extern void failprobe_watch_replay(void);

/* heartbeat.c */
extern PGDLLEXPORT void failprobe_worker_main(Datum main_arg);

/* promotion.c */
extern void failprobe_record_promotion(TimeLineID tli, const char *how);
extern bool failprobe_promotion_recorded(TimeLineID tli);

/* timeline.c */
typedef struct FailprobeTimelineEntry
{
	TimeLineID	tli;
	XLogRecPtr	switchpoint;
	char		reason[256];
} FailprobeTimelineEntry;

extern TimeLineID failprobe_current_tli(void);
extern int	failprobe_read_history(TimeLineID tli, FailprobeTimelineEntry **entries);
extern TimestampTz failprobe_history_written_at(TimeLineID tli);

#endif							/* PG_FAILPROBE_H */
