/*-------------------------------------------------------------------------
 *
 * replay_watch.c
 *		What a standby has replayed, and when it last heard its upstream.
 *
 * On a hot standby the worker writes nothing.  Once per interval it looks up
 * the newest heartbeat row replay has applied (an index probe) and asks the
 * walreceiver when the last message from the primary arrived, and publishes
 * both in shared memory for status() and for the promotion record.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_failprobe.h"

#include "catalog/pg_type.h"
#include "replication/walreceiver.h"
#include "utils/timestamp.h"

#include "worker_xact.h"

static FpStatement fp_newest_beat = {
	.sql = "SELECT seq, beat_at FROM failprobe.heartbeat ORDER BY seq DESC LIMIT 1",
	.nargs = 0,
	.expected = SPI_OK_SELECT,
};

static void fp_sample_walreceiver(void);

/* Runs inside the caller's transaction. */
void
failprobe_watch_replay(void)
{
	bool		seq_null;
	bool		at_null;
	Datum		seq;
	Datum		at;

	fp_spi_exec(&fp_newest_beat, NULL, NULL);
	seq = fp_spi_first(1, &seq_null);
	at = fp_spi_first(2, &at_null);
	if (!seq_null && !at_null)
	{
		SpinLockAcquire(&failprobe_shared->mutex);
		failprobe_shared->last_seq = DatumGetInt64(seq);
		failprobe_shared->last_beat_at = DatumGetTimestampTz(at);
		SpinLockRelease(&failprobe_shared->mutex);
	}
	fp_sample_walreceiver();
}

/*
 * Only a streaming walreceiver's receipt time counts: a walreceiver that is
 * starting stamps "now" into the field before it has connected to anything,
 * which would make a dead upstream look alive at every retry.
 */
static void
fp_sample_walreceiver(void)
{
	WalRcvState state;
	TimestampTz heard;

	SpinLockAcquire(&WalRcv->mutex);
	state = WalRcv->walRcvState;
	heard = WalRcv->lastMsgReceiptTime;
	SpinLockRelease(&WalRcv->mutex);

	if (state != WALRCV_STREAMING)
		return;

	SpinLockAcquire(&failprobe_shared->mutex);
	if (heard > failprobe_shared->upstream_last_heard)
		failprobe_shared->upstream_last_heard = heard;
	SpinLockRelease(&failprobe_shared->mutex);
}
