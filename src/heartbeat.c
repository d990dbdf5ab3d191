/*-------------------------------------------------------------------------
 *
 * heartbeat.c
 *		The background worker: heartbeats on a primary, watching on a standby.
 *
 * One worker per node.  On a primary it inserts a heartbeat row every
 * pg_failprobe.heartbeat_interval, one short transaction per beat, on a
 * clock deadline so the time a beat takes does not make the rate drift, and
 * prunes rows older than pg_failprobe.retention in small batches.  On a hot
 * standby it writes nothing and follows replay (replay_watch.c).  When the
 * standby it runs on is promoted it records the promotion (promotion.c)
 * within one interval and starts beating, continuing the sequence.
 *
 * Failures are logged and retried with a growing delay instead of making the
 * worker exit: a worker that exits is restarted by the postmaster and would
 * fill the log with the same error every second.  The delay after failed
 * connection attempts (a missing database) is kept in shared memory because
 * those attempts end the process.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_failprobe.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"

#include "worker_xact.h"

/* How many old heartbeat rows one prune transaction deletes at most. */
#define FP_PRUNE_BATCH 1000
/* Poll interval when heartbeats are off or the extension is missing. */
#define FP_IDLE_POLL_MS 1000
/* Longest delay between retries after errors. */
#define FP_MAX_BACKOFF_MS 60000

/* Where the worker is in its life; each step of the loop acts on it. */
typedef enum FpWorkerState
{
	FP_WAIT_EXTENSION,			/* connected; waiting for CREATE EXTENSION, or
								 * re-reading its state after an error */
	FP_STANDBY,					/* on a hot standby: watching replay */
	FP_PRIMARY					/* on a primary: beating */
} FpWorkerState;

/* The worker's private bookkeeping. */
typedef struct FpWorker
{
	FpWorkerState state;
	int64		next_seq;		/* seq of the next beat */
	TimestampTz last_beat;		/* when the last beat was due (0: none yet) */
	TimestampTz next_beat;		/* deadline of the next beat */
	TimestampTz next_prune;		/* earliest time of the next prune */
	int			error_streak;	/* consecutive steps that failed */
	bool		extension_missing_logged;
	bool		start_recorded; /* worker_started event written */
} FpWorker;

static FpStatement fp_insert_beat = {
	.sql = "INSERT INTO failprobe.heartbeat (seq, tli, beat_at, lsn, node) "
	"VALUES ($1, $2, $3, $4, $5)",
	.nargs = 5,
	.argtypes = {INT8OID, INT4OID, TIMESTAMPTZOID, LSNOID, TEXTOID},
	.expected = SPI_OK_INSERT,
};

/*
 * The oldest $2 beats by seq (the primary key), of which those older than
 * the retention go: the scan stops after $2 index entries whatever the
 * table holds.  Filtering on beat_at first would, once fewer than $2 rows
 * are old, read the whole table on every prune (360,000 rows at a 10 ms
 * interval and an hour's retention) while the next beat waits.  seq rises
 * with time, also across promotions, so the oldest rows come first.
 */
static FpStatement fp_prune = {
	.sql = "DELETE FROM failprobe.heartbeat WHERE seq IN ("
	"SELECT seq FROM (SELECT seq, beat_at FROM failprobe.heartbeat "
	"ORDER BY seq LIMIT $2) oldest WHERE beat_at < $1)",
	.nargs = 2,
	.argtypes = {TIMESTAMPTZOID, INT4OID},
	.expected = SPI_OK_DELETE,
};

static FpStatement fp_insert_started = {
	.sql = "INSERT INTO failprobe.events (at, kind, tli, lsn, node, detail) "
	"VALUES ($1, 'worker_started', $2, $3, $4, "
	"jsonb_build_object('pid', $5, 'heartbeat_interval_ms', $6))",
	.nargs = 6,
	.argtypes = {TIMESTAMPTZOID, INT4OID, LSNOID, TEXTOID, INT4OID, INT4OID},
	.expected = SPI_OK_INSERT,
};

/* Promotions of other nodes replicate here too: only this node's count. */
static FpStatement fp_load_state = {
	.sql = "SELECT (SELECT max(seq) FROM failprobe.heartbeat), "
	"(SELECT max(at) FROM failprobe.events WHERE kind = 'promoted' AND node = $1)",
	.nargs = 1,
	.argtypes = {TEXTOID},
	.expected = SPI_OK_SELECT,
};

static void fp_connect(void);
static void fp_worker_exit(int code, Datum arg);
static void fp_process_interrupts(FpWorker *w);
static long fp_step_protected(FpWorker *w);
static long fp_step(FpWorker *w);
static long fp_step_wait_extension(FpWorker *w);
static long fp_step_standby(FpWorker *w);
static long fp_step_primary(FpWorker *w);
static void fp_enter_role(FpWorker *w, const char *promotion_seen);
static void fp_beat(FpWorker *w);
static bool fp_prune_old_beats(void);
static long fp_ms_until(TimestampTz t);

void
failprobe_worker_main(Datum main_arg)
{
	FpWorker	w;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	fp_connect();
	before_shmem_exit(fp_worker_exit, (Datum) 0);

	/*
	 * Beats must not wait for a synchronous standby: while the standby is
	 * gone the beats go on, and those lost at failover show where the old
	 * timeline's surviving history ends.
	 */
	SetConfigOption("synchronous_commit", "local", PGC_SUSET, PGC_S_OVERRIDE);

	/*
	 * The worker runs as a superuser and its statements name functions and
	 * operators unqualified (jsonb_build_object, <).  A search_path from
	 * ALTER DATABASE, or a better-matching function in public, would let
	 * whoever can create objects there run code as that superuser.
	 */
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("application_name", "pg_failprobe", PGC_USERSET, PGC_S_OVERRIDE);
	pgstat_report_appname("pg_failprobe");

	memset(&w, 0, sizeof(w));
	w.state = FP_WAIT_EXTENSION;

	for (;;)
	{
		long		timeout_ms;

		fp_process_interrupts(&w);
		timeout_ms = fp_step_protected(&w);
		if (timeout_ms > 0)
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 timeout_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*
 * Connect to pg_failprobe.database.  A failed attempt ends the process with
 * FATAL; the counter in shared memory, raised before and cleared after the
 * attempt, makes the next incarnation wait longer each time.
 */
static void
fp_connect(void)
{
	int			failures;

	SpinLockAcquire(&failprobe_shared->mutex);
	failures = failprobe_shared->connect_failures++;
	SpinLockRelease(&failprobe_shared->mutex);

	if (failures > 0)
	{
		long		delay_ms = Min(FP_MAX_BACKOFF_MS, 1000L << Min(failures, 6));
		TimestampTz until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), delay_ms);

		ereport(LOG,
				(errmsg("pg_failprobe: could not connect to database \"%s\" (%d attempts); retrying in %ld s",
						failprobe_database, failures, delay_ms / 1000),
				 errhint("Create the database, or set pg_failprobe.database in postgresql.conf and restart the server.")));
		while (fp_ms_until(until) > 0)
		{
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 fp_ms_until(until), PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
	}

	BackgroundWorkerInitializeConnection(failprobe_database, NULL, 0);

	SpinLockAcquire(&failprobe_shared->mutex);
	failprobe_shared->connect_failures = 0;
	failprobe_shared->worker_pid = MyProcPid;
	SpinLockRelease(&failprobe_shared->mutex);
}

static void
fp_worker_exit(int code, Datum arg)
{
	SpinLockAcquire(&failprobe_shared->mutex);
	failprobe_shared->worker_pid = 0;
	SpinLockRelease(&failprobe_shared->mutex);
}

static void
fp_process_interrupts(FpWorker *w)
{
	CHECK_FOR_INTERRUPTS();
	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
		/* a new interval counts from the last beat, not from now */
		if (w->last_beat != 0)
			w->next_beat = TimestampTzPlusMilliseconds(w->last_beat,
													   failprobe_heartbeat_interval);
	}
}

/*
 * Run one step; on error, log it, clean up the transaction, and wait before
 * trying again, longer each time it fails in a row.  The state goes back to
 * FP_WAIT_EXTENSION so the next step re-reads everything from the tables.
 * Only a beat or a look at replay ends the streak (fp_step_primary,
 * fp_step_standby): the re-reading step succeeds even when every beat
 * fails (a read-only primary), and must not reset the backoff to a
 * second, or the log would get two lines a second for as long as it lasts.
 */
static long
fp_step_protected(FpWorker *w)
{
	MemoryContext loop_cxt = CurrentMemoryContext;
	volatile long timeout_ms = 0;

	PG_TRY();
	{
		timeout_ms = fp_step(w);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(loop_cxt);
		HOLD_INTERRUPTS();
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		pgstat_report_activity(STATE_IDLE, NULL);
		RESUME_INTERRUPTS();

		w->error_streak++;
		w->state = FP_WAIT_EXTENSION;
		timeout_ms = Min(FP_MAX_BACKOFF_MS, 1000L << Min(w->error_streak - 1, 6));
		ereport(LOG,
				(errmsg("pg_failprobe: worker step failed; retrying in %ld ms",
						(long) timeout_ms)));
	}
	PG_END_TRY();

	return timeout_ms;
}

/* Do what the current state calls for; return how long to sleep. */
static long
fp_step(FpWorker *w)
{
	switch (w->state)
	{
		case FP_WAIT_EXTENSION:
			return fp_step_wait_extension(w);
		case FP_STANDBY:
			return fp_step_standby(w);
		case FP_PRIMARY:
			return fp_step_primary(w);
	}
	return FP_IDLE_POLL_MS;		/* keep compiler quiet */
}

static long
fp_step_wait_extension(FpWorker *w)
{
	bool		installed;

	fp_xact_begin("pg_failprobe: checking for the extension");
	installed = OidIsValid(get_extension_oid("pg_failprobe", true));
	if (!installed)
	{
		fp_xact_end();
		if (!w->extension_missing_logged)
			ereport(LOG,
					(errmsg("pg_failprobe: extension is not installed in database \"%s\"; waiting for it",
							failprobe_database),
					 errhint("Run CREATE EXTENSION pg_failprobe in that database on the primary.")));
		w->extension_missing_logged = true;
		return FP_IDLE_POLL_MS;
	}
	w->extension_missing_logged = false;
	fp_enter_role(w, "at worker start");
	fp_xact_end();
	return 0;
}

/*
 * Read the tables and take up the role this node has now.  On a primary on
 * a timeline after the first, make sure its promotion is recorded, saying
 * how it was seen ('promotion_seen').  Runs inside the caller's transaction.
 */
static void
fp_enter_role(FpWorker *w, const char *promotion_seen)
{
	bool		isnull;
	Datum		d;
	Datum		node = CStringGetTextDatum(failprobe_current_node_name());

	fp_spi_exec(&fp_load_state, &node, NULL);
	d = fp_spi_first(1, &isnull);
	w->next_seq = isnull ? 1 : DatumGetInt64(d) + 1;
	d = fp_spi_first(2, &isnull);
	if (!isnull)
	{
		SpinLockAcquire(&failprobe_shared->mutex);
		failprobe_shared->last_promotion_at = DatumGetTimestampTz(d);
		SpinLockRelease(&failprobe_shared->mutex);
	}

	/*
	 * A transaction begun before the promotion ended stays read-only; the
	 * standby step sees the promotion next and records it in a new one.
	 */
	if (RecoveryInProgress() || TransactionStartedDuringRecovery())
	{
		w->state = FP_STANDBY;
		return;
	}

	if (failprobe_current_tli() > 1)
		failprobe_record_promotion(failprobe_current_tli(), promotion_seen);
	if (!w->start_recorded)
	{
		Datum		values[6];

		values[0] = TimestampTzGetDatum(GetCurrentTimestamp());
		values[1] = Int32GetDatum((int32) failprobe_current_tli());
		values[2] = LSNGetDatum(GetXLogInsertRecPtr());
		values[3] = CStringGetTextDatum(failprobe_current_node_name());
		values[4] = Int32GetDatum(MyProcPid);
		values[5] = Int32GetDatum(failprobe_heartbeat_interval);
		fp_spi_exec(&fp_insert_started, values, NULL);
		w->start_recorded = true;
	}
	w->state = FP_PRIMARY;
	w->next_beat = GetCurrentTimestamp();
}

static long
fp_step_standby(FpWorker *w)
{
	long		poll_ms = failprobe_heartbeat_interval > 0 ?
		failprobe_heartbeat_interval : FP_IDLE_POLL_MS;

	if (!RecoveryInProgress())
	{
		/* promoted since the last look: record it and start beating */
		fp_xact_begin("pg_failprobe: recording promotion");
		fp_enter_role(w, "live");
		fp_xact_end();
		return 0;
	}

	fp_xact_begin("pg_failprobe: watching replay");
	failprobe_watch_replay();
	fp_xact_end();
	w->error_streak = 0;
	return poll_ms;
}

static long
fp_step_primary(FpWorker *w)
{
	TimestampTz now = GetCurrentTimestamp();

	if (failprobe_heartbeat_interval <= 0)
		return FP_IDLE_POLL_MS;

	if (now >= w->next_beat)
	{
		fp_beat(w);
		w->error_streak = 0;

		/* next deadline from the schedule, skipping beats already missed */
		w->last_beat = w->next_beat;
		while (w->next_beat <= now)
			w->next_beat = TimestampTzPlusMilliseconds(w->next_beat,
													   failprobe_heartbeat_interval);

		if (failprobe_retention > 0 && now >= w->next_prune)
			w->next_prune = fp_prune_old_beats() ? now :
				TimestampTzPlusMilliseconds(now, 1000);
	}
	return fp_ms_until(w->next_beat);
}

static void
fp_beat(FpWorker *w)
{
	Datum		values[5];
	TimestampTz at = GetCurrentTimestamp();

	fp_xact_begin("pg_failprobe: heartbeat");
	values[0] = Int64GetDatum(w->next_seq);
	values[1] = Int32GetDatum((int32) failprobe_current_tli());
	values[2] = TimestampTzGetDatum(at);
	values[3] = LSNGetDatum(GetXLogInsertRecPtr());
	values[4] = CStringGetTextDatum(failprobe_current_node_name());
	fp_spi_exec(&fp_insert_beat, values, NULL);
	fp_xact_end();

	SpinLockAcquire(&failprobe_shared->mutex);
	failprobe_shared->beats_written++;
	failprobe_shared->last_seq = w->next_seq;
	failprobe_shared->last_beat_at = at;
	SpinLockRelease(&failprobe_shared->mutex);
	w->next_seq++;
}

/*
 * Delete one batch of heartbeats older than the retention.  Returns true
 * when the batch was full, i.e. more are probably waiting.
 */
static bool
fp_prune_old_beats(void)
{
	Datum		values[2];
	uint64		deleted;

	fp_xact_begin("pg_failprobe: pruning old heartbeats");
	values[0] = TimestampTzGetDatum(TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
																-(int64) failprobe_retention * 1000));
	values[1] = Int32GetDatum(FP_PRUNE_BATCH);
	deleted = fp_spi_exec(&fp_prune, values, NULL);
	fp_xact_end();
	return deleted >= FP_PRUNE_BATCH;
}

/* Milliseconds from now until t, at least 0. */
static long
fp_ms_until(TimestampTz t)
{
	long		ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), t);

	return Max(ms, 0);
}
