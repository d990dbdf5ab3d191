/*-------------------------------------------------------------------------
 *
 * commit_lsn.c
 *		Tell clients the LSN and time of their commits, without a round trip.
 *
 * A load client that wants to know, after a failover, which of its
 * acknowledged commits lie beyond the new timeline's switch point needs the
 * commit LSN of every write.  Asking for it costs a round trip per write;
 * instead the server sends it in the reply to the commit itself, as two
 * GUC_REPORT parameters that libpq exposes through PQparameterStatus():
 *
 *	pg_failprobe.commit_lsn		end of the latest commit record, e.g. 0/3000148
 *	pg_failprobe.commit_time	its commit timestamp, UTC, microseconds
 *
 * How: the values live in plain statics set from the commit callback, which
 * must never fail, since the commit has already happened when it runs, and
 * only for transactions with an XID (read-only ones pay nothing, and wrote
 * no commit record).  Once the commit has released its locks (a
 * resource-release callback, still inside CommitTransaction), the two
 * ParameterStatus messages are put into the output buffer from a stack
 * buffer: no palloc, nothing that can throw, and the client reads them with
 * the reply to the commit.  libpq accepts ParameterStatus at any point of a response.
 *
 * Going through set_config_option() instead would be simpler but costs the
 * GUC machinery a walk over every setting at the end of each transaction and
 * again before ReadyForQuery (PostgreSQL 15): a measurable share of a
 * single-row insert.  The parameters are still real GUCs, so SHOW works and
 * they are announced (empty) when a session starts, which is how a client
 * knows the extension is loaded.
 *
 * failprobe.last_commit() returns the same pair from SQL.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_failprobe.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "replication/walsender.h"
#include "tcop/tcopprot.h"
#include "utils/resowner.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(failprobe_last_commit);

/* The session's latest commit that wrote a commit record. */
static bool fp_have_commit = false;
static XLogRecPtr fp_commit_lsn = InvalidXLogRecPtr;
static TimestampTz fp_commit_time = 0;

/* Set at commit when the client is to be told, consumed after the locks. */
static bool fp_report_pending = false;

/* Message buffer allocated once, so that sending never allocates. */
static StringInfoData fp_msg;

/* What each commit reports to the client (pg_failprobe.report_commits). */
typedef enum FpReport
{
	FP_REPORT_OFF,				/* nothing: the default, so that preloading
								 * the library changes no application's
								 * traffic */
	FP_REPORT_LSN,				/* pg_failprobe.commit_lsn */
	FP_REPORT_LSN_TIME			/* pg_failprobe.commit_lsn and commit_time */
} FpReport;

static const struct config_enum_entry fp_report_options[] = {
	{"off", FP_REPORT_OFF, false},
	{"lsn", FP_REPORT_LSN, false},
	{"lsn_time", FP_REPORT_LSN_TIME, false},
	{"on", FP_REPORT_LSN_TIME, true},
	{NULL, 0, false}
};

/* GUC variables: the stored strings are placeholders, see the show hooks. */
static int	fp_report_commits = FP_REPORT_OFF;
static char *fp_commit_lsn_guc = NULL;
static char *fp_commit_time_guc = NULL;

static void fp_xact_callback(XactEvent event, void *arg);
static void fp_release_callback(ResourceReleasePhase phase, bool isCommit,
								bool isTopLevel, void *arg);
static void fp_send_parameter(const char *name, const char *value);
static const char *fp_show_commit_lsn(void);
static const char *fp_show_commit_time(void);

void
failprobe_commit_lsn_init(void)
{
	DefineCustomEnumVariable("pg_failprobe.report_commits",
							 "Report each commit's LSN (lsn), or LSN and time (lsn_time), to the client.",
							 "Sent as the pg_failprobe.commit_lsn and pg_failprobe.commit_time parameters in the reply to the commit.",
							 &fp_report_commits,
							 FP_REPORT_OFF,
							 fp_report_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("pg_failprobe.commit_lsn",
							   "End LSN of this session's latest commit record.",
							   NULL,
							   &fp_commit_lsn_guc,
							   "",
							   PGC_INTERNAL,
							   GUC_REPORT | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							   NULL, NULL, fp_show_commit_lsn);

	DefineCustomStringVariable("pg_failprobe.commit_time",
							   "Commit time of this session's latest commit record.",
							   NULL,
							   &fp_commit_time_guc,
							   "",
							   PGC_INTERNAL,
							   GUC_REPORT | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							   NULL, NULL, fp_show_commit_time);

	fp_msg.data = MemoryContextAlloc(TopMemoryContext, 256);
	fp_msg.maxlen = 256;
	resetStringInfo(&fp_msg);

	RegisterXactCallback(fp_xact_callback, NULL);
	RegisterResourceReleaseCallback(fp_release_callback, NULL);
}

static void
fp_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:

			/*
			 * Plain assignments only: nothing here may fail.  The XID is
			 * still set here, and only now final: pre-commit work such as
			 * a pending NOTIFY can assign one after XACT_EVENT_PRE_COMMIT.
			 */
			if (TransactionIdIsValid(GetTopTransactionIdIfAny()))
			{
				fp_commit_lsn = XactLastCommitEnd;
				fp_commit_time = GetCurrentTransactionStopTimestamp();
				fp_have_commit = true;
				fp_report_pending = fp_report_commits != FP_REPORT_OFF &&
					whereToSendOutput == DestRemote && !am_walsender;
			}
			break;

		default:
			break;
	}
}

/*
 * After the top-level commit released its locks, tell the client.  Runs
 * inside CommitTransaction: nothing here may fail, and nothing does.
 */
static void
fp_release_callback(ResourceReleasePhase phase, bool isCommit,
					bool isTopLevel, void *arg)
{
	if (phase != RESOURCE_RELEASE_AFTER_LOCKS || !isTopLevel || !fp_report_pending)
		return;
	fp_report_pending = false;
	if (!isCommit)
		return;
	fp_send_parameter("pg_failprobe.commit_lsn", fp_show_commit_lsn());
	if (fp_report_commits == FP_REPORT_LSN_TIME)
		fp_send_parameter("pg_failprobe.commit_time", fp_show_commit_time());
}

/*
 * Queue a ParameterStatus message ('S', name, value) in the preallocated
 * buffer: raw bytes (both are ASCII, so no encoding conversion), well under
 * the buffer's size, so nothing allocates.  A failed send only logs
 * (COMMERROR) and marks the connection lost, as for any other message.
 */
static void
fp_send_parameter(const char *name, const char *value)
{
	int			nlen = strlen(name) + 1;
	int			vlen = strlen(value) + 1;

	if (nlen + vlen + 8 > fp_msg.maxlen)
		return;					/* cannot happen with our names and values */
	pq_beginmessage_reuse(&fp_msg, 'S');
	pq_sendbytes(&fp_msg, name, nlen);
	pq_sendbytes(&fp_msg, value, vlen);
	pq_endmessage_reuse(&fp_msg);
}

/*
 * The show hooks run for every reported commit, so they format by hand:
 * the server's snprintf costs more than everything else done per commit.
 */
static char *
fp_put_hex(char *p, uint32 v)
{
	char		tmp[8];
	int			n = 0;

	do
	{
		tmp[n++] = "0123456789ABCDEF"[v & 0xF];
		v >>= 4;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* Write v as exactly 'width' decimal digits, zero-padded. */
static char *
fp_put_dec(char *p, int v, int width)
{
	for (int i = width - 1; i >= 0; i--)
	{
		p[i] = '0' + v % 10;
		v /= 10;
	}
	return p + width;
}

static const char *
fp_show_commit_lsn(void)
{
	static char buf[32];
	char	   *p = buf;

	if (!fp_have_commit)
		return "";
	p = fp_put_hex(p, (uint32) (fp_commit_lsn >> 32));
	*p++ = '/';
	p = fp_put_hex(p, (uint32) fp_commit_lsn);
	*p = '\0';
	return buf;
}

/*
 * Always UTC with microseconds, whatever the session's TimeZone and
 * DateStyle, so that clients parse one fixed format:
 * YYYY-MM-DD HH:MM:SS.UUUUUU+00
 */
static const char *
fp_show_commit_time(void)
{
	static char buf[64];
	char	   *p = buf;
	struct pg_tm tm;
	fsec_t		fsec;

	if (!fp_have_commit ||
		timestamp2tm(fp_commit_time, NULL, &tm, &fsec, NULL, NULL) != 0 ||
		tm.tm_year < 0 || tm.tm_year > 9999)
		return "";
	p = fp_put_dec(p, tm.tm_year, 4);
	*p++ = '-';
	p = fp_put_dec(p, tm.tm_mon, 2);
	*p++ = '-';
	p = fp_put_dec(p, tm.tm_mday, 2);
	*p++ = ' ';
	p = fp_put_dec(p, tm.tm_hour, 2);
	*p++ = ':';
	p = fp_put_dec(p, tm.tm_min, 2);
	*p++ = ':';
	p = fp_put_dec(p, tm.tm_sec, 2);
	*p++ = '.';
	p = fp_put_dec(p, (int) fsec, 6);
	memcpy(p, "+00", 4);
	return buf;
}

/*
 * failprobe.last_commit() -> (lsn pg_lsn, committed_at timestamptz)
 *
 * This session's latest commit that wrote WAL; NULL before any.
 */
Datum
failprobe_last_commit(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (!fp_have_commit)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	values[0] = LSNGetDatum(fp_commit_lsn);
	values[1] = TimestampTzGetDatum(fp_commit_time);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
