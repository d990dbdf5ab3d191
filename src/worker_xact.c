/*-------------------------------------------------------------------------
 *
 * worker_xact.c
 *		One short transaction per unit of work for the background worker.
 *
 * Every piece of work the worker does (a beat, a prune, a promotion record,
 * a look at what the standby replayed) runs as its own transaction, the way
 * a client statement would: statement timestamp set, snapshot pushed, SPI
 * connected, visible in pg_stat_activity.  Statements are prepared once and
 * kept, so a beat costs an execution, not a parse and plan.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_failprobe.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "utils/snapmgr.h"

#include "worker_xact.h"

void
fp_xact_begin(const char *activity)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
}

void
fp_xact_end(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * Execute a statement prepared on first use and kept in *plan.  Returns the
 * number of rows processed; raises an error when the result is not of the
 * expected SPI kind.
 */
uint64
fp_spi_exec(FpStatement *stmt, Datum *values, const char *nulls)
{
	int			rc;

	if (stmt->plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(stmt->sql, stmt->nargs, stmt->argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 stmt->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		stmt->plan = plan;
	}

	rc = SPI_execute_plan(stmt->plan, values, nulls, false, 0);
	if (rc != stmt->expected)
		elog(ERROR, "unexpected SPI result %s for \"%s\"",
			 SPI_result_code_string(rc), stmt->sql);
	return SPI_processed;
}

/*
 * Fetch column 'col' (1-based) of the first result row; *isnull tells
 * whether there was a non-null value.
 */
Datum
fp_spi_first(int col, bool *isnull)
{
	if (SPI_processed == 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col,
						 isnull);
}
