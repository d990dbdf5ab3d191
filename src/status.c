/*-------------------------------------------------------------------------
 *
 * status.c
 *		failprobe.status(): what the worker and this node look like now.
 *
 * One row from the shared state the worker publishes plus the node's role
 * and timeline, cheap enough to poll once a second during a drill.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_failprobe.h"

#include "access/xlog.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(failprobe_status);

#define FP_STATUS_COLS 11

static Datum fp_timestamp_or_null(TimestampTz ts, bool *isnull);

Datum
failprobe_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[FP_STATUS_COLS];
	bool		nulls[FP_STATUS_COLS];
	FailprobeShared snap;
	bool		standby;

	failprobe_require_preload();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	SpinLockAcquire(&failprobe_shared->mutex);
	snap = *failprobe_shared;
	SpinLockRelease(&failprobe_shared->mutex);

	standby = RecoveryInProgress();
	memset(nulls, 0, sizeof(nulls));

	values[0] = CStringGetTextDatum(standby ? "standby" : "primary");
	values[1] = Int32GetDatum((int32) failprobe_current_tli());
	values[2] = Int32GetDatum((int32) snap.worker_pid);
	nulls[2] = (snap.worker_pid == 0);
	values[3] = Int32GetDatum(failprobe_heartbeat_interval);
	values[4] = Int64GetDatum(snap.beats_written);
	values[5] = Int64GetDatum(snap.last_seq);
	nulls[5] = (snap.last_beat_at == 0);
	values[6] = fp_timestamp_or_null(snap.last_beat_at, &nulls[6]);

	/* replay lag: only a standby has one, and only once it saw a beat */
	nulls[7] = !standby || snap.last_beat_at == 0;
	if (!nulls[7])
		values[7] = Float8GetDatum((GetCurrentTimestamp() - snap.last_beat_at) / 1000.0);

	values[8] = fp_timestamp_or_null(snap.last_promotion_at, &nulls[8]);
	values[9] = CStringGetTextDatum(failprobe_current_node_name());
	values[10] = fp_timestamp_or_null(snap.upstream_last_heard, &nulls[10]);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

static Datum
fp_timestamp_or_null(TimestampTz ts, bool *isnull)
{
	*isnull = (ts == 0);
	return TimestampTzGetDatum(ts);
}
