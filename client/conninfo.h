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
 * The conninfo as keyword=value pairs with the password, sslpassword and
 * any other option libpq marks as secret left out, in a
 * malloc'd string, for logs, the ledger header and reports.  A NULL or
 * empty dsn gives "(from PG* environment)".  Returns NULL if it does not
 * parse.
 */
char	   *fp_conninfo_masked(const char *dsn);

/*
 * Take the password out of dsn, for a child process that gets the rest on
 * its command line (which every local user can read in ps) and the
 * password as PGPASSWORD in its environment (which only its owner can).
 *
 * Without a password (dsn NULL or empty, no password keyword, or an empty
 * one) *conninfo is a copy of dsn as it is and *password NULL.  Otherwise
 * *conninfo holds every other keyword and value exactly as libpq parsed
 * them (URIs and multi-host lists included) as keyword='value' pairs, and
 * *password the password.  Both malloc'd; free the password with
 * fp_conninfo_forget.  An sslpassword stays in *conninfo: libpq reads it
 * from no environment variable.  Returns 0, or -1 (both NULL) if dsn does not parse
 * or memory ran out.
 */
int			fp_conninfo_split_password(const char *dsn, char **conninfo, char **password);

/*
 * A --dsn value as given on the command line: returns a malloc'd copy to
 * connect with (arg itself if memory ran out), and overwrites arg, which is our
 * own argv and is what every local user reads in ps, with the conninfo
 * without its password, padded with spaces (it cannot grow).  arg stays as
 * it was if it holds no password or does not parse (the caller's error
 * about it comes at once).
 */
char	   *fp_conninfo_take_arg(char *arg);

/* Overwrite a password from fp_conninfo_split_password, then free it. */
void		fp_conninfo_forget(char *password);

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
