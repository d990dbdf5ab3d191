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
 * must never fail, since the commit has already happened when it runs.  The
 * parameters have show hooks that print the statics.  At pre-commit (where an
 * error would still abort cleanly) a transaction that has an XID marks both
 * parameters as changed, so the ParameterStatus messages go out with the next
 * ReadyForQuery, after the commit, carrying the values the show hooks print
 * then.  Read-only transactions pay nothing.
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
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(failprobe_last_commit);

/* The session's latest commit that wrote a commit record. */
static bool fp_have_commit = false;
static XLogRecPtr fp_commit_lsn = InvalidXLogRecPtr;
static TimestampTz fp_commit_time = 0;

/* Set at pre-commit when the transaction has an XID, consumed at commit. */
static bool fp_commit_pending = false;

/* GUC variables: the stored strings are placeholders, see the show hooks. */
static bool fp_report_commits = true;
static char *fp_commit_lsn_guc = NULL;
static char *fp_commit_time_guc = NULL;

static void fp_xact_callback(XactEvent event, void *arg);
static void fp_request_report(void);
static const char *fp_show_commit_lsn(void);
static const char *fp_show_commit_time(void);

void
failprobe_commit_lsn_init(void)
{
	DefineCustomBoolVariable("pg_failprobe.report_commits",
							 "Report the LSN and time of each commit to the client.",
							 "Sent as the pg_failprobe.commit_lsn and pg_failprobe.commit_time parameters.",
							 &fp_report_commits,
							 true,
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

	RegisterXactCallback(fp_xact_callback, NULL);
}

static void
fp_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			fp_commit_pending =
				TransactionIdIsValid(GetTopTransactionIdIfAny());
			if (fp_commit_pending && fp_report_commits)
				fp_request_report();
			break;

		case XACT_EVENT_COMMIT:
			/* Plain assignments only: nothing here may fail. */
			if (fp_commit_pending)
			{
				fp_commit_lsn = XactLastCommitEnd;
				fp_commit_time = GetCurrentTransactionStopTimestamp();
				fp_have_commit = true;
			}
			fp_commit_pending = false;
			break;

		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			fp_commit_pending = false;
			break;

		default:
			break;
	}
}

/*
 * Mark both parameters for reporting.  Setting them is what makes the GUC
 * machinery send a ParameterStatus before the next ReadyForQuery; the value
 * stored is irrelevant because the show hooks print the statics.
 */
static void
fp_request_report(void)
{
	SetConfigOption("pg_failprobe.commit_lsn", "", PGC_INTERNAL, PGC_S_OVERRIDE);
	SetConfigOption("pg_failprobe.commit_time", "", PGC_INTERNAL, PGC_S_OVERRIDE);
}

static const char *
fp_show_commit_lsn(void)
{
	static char buf[32];

	if (!fp_have_commit)
		return "";
	snprintf(buf, sizeof(buf), "%X/%X", LSN_FORMAT_ARGS(fp_commit_lsn));
	return buf;
}

/*
 * Always UTC with microseconds, whatever the session's TimeZone and
 * DateStyle, so that clients parse one fixed format.
 */
static const char *
fp_show_commit_time(void)
{
	static char buf[64];
	struct pg_tm tm;
	fsec_t		fsec;

	if (!fp_have_commit ||
		timestamp2tm(fp_commit_time, NULL, &tm, &fsec, NULL, NULL) != 0)
		return "";
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
			 tm.tm_year, tm.tm_mon, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
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
