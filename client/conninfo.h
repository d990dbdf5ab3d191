/*
 * conninfo.h - connection strings: checking them, and showing them safely.
 */
#ifndef FP_CONNINFO_H
#define FP_CONNINFO_H

#include <stddef.h>

/*
 * Check that dsn parses as a libpq conninfo or URI.  Returns 0, or -1 with
 * a one-line message in err (libpq's reason, never the string itself, which
 * may hold a password).
 */
int			fp_conninfo_check(const char *dsn, char *err, size_t errlen);

/*
 * The conninfo as keyword=value pairs with the password left out, in a
 * malloc'd string, for logs, the ledger header and reports.  A NULL or
 * empty dsn gives "(from PG* environment)".  Returns NULL if it does not
 * parse.
 */
char	   *fp_conninfo_masked(const char *dsn);

/*
 * Keyword/value arrays for PQconnectStartParams: the client's defaults
 * (TCP keepalives and tcp_user_timeout that notice a silent network loss
 * within a few seconds, connect_timeout, application_name) first, then
 * dbname=dsn expanded, so that anything the user wrote wins.
 */
typedef struct fp_conn_params
{
	const char *keywords[16];
	const char *values[16];
} fp_conn_params;

void		fp_conn_params_init(fp_conn_params *p, const char *dsn);

/* Add key=value after the dsn, so that it overrides the dsn's (value "": not added). */
void		fp_conn_params_override(fp_conn_params *p, const char *key, const char *value);

#endif
