/*-------------------------------------------------------------------------
 *
 * timeline.c
 *		Read the node's timeline and the switch points in its history file.
 *
 * A promotion starts a new timeline and writes pg_wal/<tli>.history with one
 * line per earlier timeline: "<tli> <switch point> <reason>".  The switch
 * point is the exact WAL position where the old timeline stopped counting
 * on this node: any commit recorded beyond it on the old primary is lost.
 * The server's own reader drops the reason, so this file parses the lines
 * itself; promotion.c and failprobe.timeline_history() both use it.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_failprobe.h"

#include "access/xlog.h"
#include "access/xlog_internal.h"
#if PG_VERSION_NUM >= 150000
#include "access/xlogrecovery.h"
#endif
#include "fmgr.h"
#include "funcapi.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"

#include <sys/stat.h>
#if PG_VERSION_NUM < 150000
#include "miscadmin.h"
#include "utils/tuplestore.h"
#endif

PG_FUNCTION_INFO_V1(failprobe_timeline_history);

static bool fp_parse_history_line(char *line, FailprobeTimelineEntry *entry);

/*
 * The timeline this node is on: the one it inserts WAL on as a primary, the
 * one it replays as a standby.
 */
TimeLineID
failprobe_current_tli(void)
{
	TimeLineID	tli = 0;

	if (RecoveryInProgress())
		(void) GetXLogReplayRecPtr(&tli);
	else
	{
#if PG_VERSION_NUM >= 150000
		tli = GetWALInsertionTimeLine();
#else
		tli = ThisTimeLineID;
#endif
	}
	return tli;
}

/*
 * When the history file of timeline 'tli' was written, or 0 when it is not
 * there.  A node writes it at the end of recovery, the moment it is
 * promoted, so this is the promotion time as the server knows it, even to a
 * worker that starts after the fact.  (A history file that came from
 * elsewhere, by streaming or restore_command, has the copy's time; the
 * worker records only its own node's promotions.)
 */
TimestampTz
failprobe_history_written_at(TimeLineID tli)
{
	char		path[MAXPGPATH];
	struct stat st;

	if (tli <= 1)
		return 0;
	TLHistoryFilePath(path, tli);
	if (stat(path, &st) != 0)
		return 0;
	return time_t_to_timestamptz(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1000;
}

/*
 * Read the history file of timeline 'tli' into a palloc'd array, oldest
 * timeline first.  Returns the number of entries; 0 when the file does not
 * exist, as for timeline 1.
 */
int
failprobe_read_history(TimeLineID tli, FailprobeTimelineEntry **entries)
{
	char		path[MAXPGPATH];
	char		line[1024];
	FILE	   *fd;
	int			n = 0;
	int			cap = 4;

	*entries = NULL;
	if (tli <= 1)
		return 0;

	TLHistoryFilePath(path, tli);
	fd = AllocateFile(path, "r");
	if (fd == NULL)
	{
		if (errno != ENOENT)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not open file \"%s\": %m", path)));
		return 0;
	}

	*entries = palloc(cap * sizeof(FailprobeTimelineEntry));
	while (fgets(line, sizeof(line), fd) != NULL)
	{
		if (n == cap)
		{
			cap *= 2;
			*entries = repalloc(*entries, cap * sizeof(FailprobeTimelineEntry));
		}
		if (fp_parse_history_line(line, &(*entries)[n]))
			n++;
	}
	FreeFile(fd);
	return n;
}

/*
 * Parse "<tli>\t<hi>/<lo>\t<reason>\n".  Blank and '#' comment lines are
 * skipped, as the server's own reader does.
 */
static bool
fp_parse_history_line(char *line, FailprobeTimelineEntry *entry)
{
	char	   *p = line;
	char	   *reason;
	unsigned int tli;
	unsigned int hi;
	unsigned int lo;
	size_t		len;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n' || *p == '#')
		return false;
	if (sscanf(p, "%u\t%X/%X", &tli, &hi, &lo) != 3)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("syntax error in timeline history file: \"%s\"", line),
				 errhint("Expected a numeric timeline ID and a switch point.")));

	entry->tli = tli;
	entry->switchpoint = ((uint64) hi) << 32 | lo;

	/* the reason is whatever follows the second tab */
	reason = strchr(p, '\t');
	reason = reason ? strchr(reason + 1, '\t') : NULL;
	strlcpy(entry->reason, reason ? reason + 1 : "", sizeof(entry->reason));
	len = strlen(entry->reason);
	while (len > 0 && (entry->reason[len - 1] == '\n' || entry->reason[len - 1] == '\r'))
		entry->reason[--len] = '\0';
	return true;
}

/*
 * Set up a materialized set result: rsinfo->setResult and setDesc.
 * PostgreSQL 15 has this as one call; before it, the steps by hand.
 */
static void
fp_materialize_srf(FunctionCallInfo fcinfo)
{
#if PG_VERSION_NUM >= 150000
	InitMaterializedSRF(fcinfo, 0);
#else
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	tupdesc;
	MemoryContext oldcontext;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(oldcontext);
#endif
}

/*
 * failprobe.timeline_history() -> setof (tli, switchpoint, reason)
 *
 * The history of the current timeline, one row per earlier timeline, oldest
 * first; no rows on timeline 1.
 */
Datum
failprobe_timeline_history(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FailprobeTimelineEntry *entries;
	int			n;

	fp_materialize_srf(fcinfo);
	n = failprobe_read_history(failprobe_current_tli(), &entries);
	for (int i = 0; i < n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int32GetDatum((int32) entries[i].tli);
		values[1] = LSNGetDatum(entries[i].switchpoint);
		values[2] = CStringGetTextDatum(entries[i].reason);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
