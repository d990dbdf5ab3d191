/*-------------------------------------------------------------------------
 *
 * promotion.c
 *		Record a promotion: the switch point and what survived of the past.
 *
 * When the worker sees its standby become a primary, it writes one
 * 'promoted' row into failprobe.events: the new timeline, the switch point
 * exactly as the new timeline's history file records it, and in detail the
 * last heartbeat of the old timeline this node had replayed, when the
 * upstream primary was last heard from, when the promotion happened (the
 * time the node wrote its new timeline's history file) and when the worker
 * saw it.
 * A load client compares its acknowledged commit LSNs with that switch point
 * to tell which writes the failover could have lost.
 *
 * The insert is idempotent (one row per timeline), so a worker that starts
 * on a freshly promoted node, after missing the moment itself, records the
 * promotion too, without the live-only fields.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_failprobe.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"

#include "worker_xact.h"

static FpStatement fp_insert_promoted = {
	.sql =
	"INSERT INTO failprobe.events (at, kind, tli, lsn, node, detail) "
	"SELECT $1, 'promoted', $2, $3, $4, jsonb_build_object("
	"  'previous_tli', $5,"
	"  'switchpoint', $3,"
	"  'last_heartbeat', (SELECT jsonb_build_object("
	"       'seq', h.seq, 'tli', h.tli, 'beat_at', h.beat_at,"
	"       'lsn', h.lsn, 'node', h.node)"
	"     FROM failprobe.heartbeat h WHERE h.tli < $2"
	"     ORDER BY h.seq DESC LIMIT 1),"
	"  'upstream_last_heard', $6,"
	"  'promoted_at', $7,"
	"  'seen_at', $1,"
	"  'seen', $8) "
	"WHERE NOT EXISTS (SELECT 1 FROM failprobe.events e"
	"                  WHERE e.kind = 'promoted' AND e.tli = $2)",
	.nargs = 8,
	.argtypes = {TIMESTAMPTZOID, INT4OID, LSNOID, TEXTOID, INT4OID,
	TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID},
	.expected = SPI_OK_INSERT,
};

static FpStatement fp_promotion_exists = {
	.sql = "SELECT 1 FROM failprobe.events WHERE kind = 'promoted' AND tli = $1",
	.nargs = 1,
	.argtypes = {INT4OID},
	.expected = SPI_OK_SELECT,
};

/*
 * Whether a 'promoted' event exists for timeline 'tli'.  Runs inside the
 * caller's transaction.
 */
bool
failprobe_promotion_recorded(TimeLineID tli)
{
	Datum		values[1] = {Int32GetDatum((int32) tli)};

	return fp_spi_exec(&fp_promotion_exists, values, NULL) > 0;
}

/*
 * Record the promotion to timeline 'tli'.  'how' is "live" when the worker
 * saw it happen (within one interval), "at worker start" when it found the
 * node already promoted.  The promotion time is when the history file was
 * written; without one, the moment a live worker saw it (else null).  Runs
 * inside the caller's transaction.
 */
void
failprobe_record_promotion(TimeLineID tli, const char *how)
{
	FailprobeTimelineEntry *history;
	int			n = failprobe_read_history(tli, &history);
	bool		live = strcmp(how, "live") == 0;
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz written = failprobe_history_written_at(tli);
	TimestampTz upstream;
	Datum		values[8];
	char		nulls[8];

	SpinLockAcquire(&failprobe_shared->mutex);
	upstream = failprobe_shared->upstream_last_heard;
	SpinLockRelease(&failprobe_shared->mutex);

	memset(nulls, ' ', sizeof(nulls));
	values[0] = TimestampTzGetDatum(now);
	values[1] = Int32GetDatum((int32) tli);
	if (n > 0)
	{
		values[2] = LSNGetDatum(history[n - 1].switchpoint);
		values[4] = Int32GetDatum((int32) history[n - 1].tli);
	}
	else
		nulls[2] = nulls[4] = 'n';
	values[3] = CStringGetTextDatum(failprobe_current_node_name());
	values[5] = TimestampTzGetDatum(upstream);
	nulls[5] = (upstream == 0) ? 'n' : ' ';
	values[6] = TimestampTzGetDatum(written ? written : now);
	nulls[6] = (written || live) ? ' ' : 'n';
	values[7] = CStringGetTextDatum(how);

	if (fp_spi_exec(&fp_insert_promoted, values, nulls) > 0)
		ereport(LOG,
				(errmsg("pg_failprobe: recorded promotion to timeline %u at switch point %X/%X",
						tli, LSN_FORMAT_ARGS(n > 0 ? history[n - 1].switchpoint : InvalidXLogRecPtr))));

	if (live || written)
	{
		SpinLockAcquire(&failprobe_shared->mutex);
		failprobe_shared->last_promotion_at = written ? written : now;
		SpinLockRelease(&failprobe_shared->mutex);
	}
}
