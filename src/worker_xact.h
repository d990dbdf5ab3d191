/*-------------------------------------------------------------------------
 *
 * worker_xact.h
 *		Transactions and kept SPI statements for the background worker.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FP_WORKER_XACT_H
#define FP_WORKER_XACT_H

#include "executor/spi.h"

/*
 * A statement the worker runs again and again.  Declare it static with its
 * SQL, argument types and the SPI result it must return; fp_spi_exec
 * prepares it on first use and keeps the plan for the life of the worker.
 */
typedef struct FpStatement
{
	const char *sql;
	int			nargs;
	Oid			argtypes[8];
	int			expected;		/* SPI_OK_INSERT, SPI_OK_SELECT, ... */
	SPIPlanPtr	plan;			/* NULL until first use */
} FpStatement;

extern void fp_xact_begin(const char *activity);
extern void fp_xact_end(void);
extern uint64 fp_spi_exec(FpStatement *stmt, Datum *values, const char *nulls);
extern Datum fp_spi_first(int col, bool *isnull);

#endif							/* FP_WORKER_XACT_H */
