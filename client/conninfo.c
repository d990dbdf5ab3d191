/*
 * conninfo.c - connection strings: checking them, and showing them safely.
 *
 * Passwords never leave this file: a conninfo is shown only after being
 * parsed by libpq and rebuilt without its password, so a password in a URI
 * (postgres://u:secret@h/db) is dropped as surely as password=secret.
 */
#define _POSIX_C_SOURCE 200809L

#include "conninfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

int
fp_conninfo_check(const char *dsn, char *err, size_t errlen)
{
	char	   *msg = NULL;
	PQconninfoOption *opts;

	if (dsn == NULL || dsn[0] == '\0')
		return 0;
	opts = PQconninfoParse(dsn, &msg);
	if (opts == NULL)
	{
		size_t		n;

		snprintf(err, errlen, "invalid connection string: %s",
				 msg ? msg : "out of memory");
		/* libpq's message ends with a newline; a one-line error does not */
		n = strlen(err);
		while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
			err[--n] = '\0';
		PQfreemem(msg);
		return -1;
	}
	PQconninfoFree(opts);
	return 0;
}

/* Append "key=value" to buf, quoting the value as libpq would read it. */
static void
append_pair(char *buf, size_t size, const char *key, const char *val)
{
	size_t		n = strlen(buf);

	n += snprintf(buf + n, n < size ? size - n : 0, "%s%s='", n ? " " : "", key);
	for (const char *c = val; *c && n + 3 < size; c++)
	{
		if (*c == '\'' || *c == '\\')
			buf[n++] = '\\';
		buf[n++] = *c;
	}
	if (n + 2 < size)
	{
		buf[n++] = '\'';
		buf[n] = '\0';
	}
}

char *
fp_conninfo_masked(const char *dsn)
{
	PQconninfoOption *opts;
	char	   *buf;
	const size_t size = 4096;

	if (dsn == NULL || dsn[0] == '\0')
		return strdup("(from PG* environment)");
	opts = PQconninfoParse(dsn, NULL);
	if (opts == NULL)
		return NULL;
	buf = calloc(1, size);
	for (PQconninfoOption *o = opts; buf && o->keyword; o++)
	{
		if (o->val == NULL || strcmp(o->keyword, "password") == 0)
			continue;
		append_pair(buf, size, o->keyword, o->val);
	}
	PQconninfoFree(opts);
	return buf;
}

void
fp_conn_params_init(fp_conn_params *p, const char *dsn)
{
	int			i = 0;

	memset(p, 0, sizeof(*p));
	p->keywords[i] = "application_name"; p->values[i++] = "failprobe";
	p->keywords[i] = "keepalives"; p->values[i++] = "1";
	p->keywords[i] = "keepalives_idle"; p->values[i++] = "2";
	p->keywords[i] = "keepalives_interval"; p->values[i++] = "1";
	p->keywords[i] = "keepalives_count"; p->values[i++] = "3";
	p->keywords[i] = "tcp_user_timeout"; p->values[i++] = "5000";
	if (getenv("PGCONNECT_TIMEOUT") == NULL)
	{
		p->keywords[i] = "connect_timeout";
		p->values[i++] = "5";
	}
	if (dsn && dsn[0])
	{
		p->keywords[i] = "dbname";
		p->values[i++] = dsn;
	}
	p->keywords[i] = NULL;
	p->values[i] = NULL;
}

void
fp_conn_params_override(fp_conn_params *p, const char *key, const char *value)
{
	int			i = 0;

	if (value == NULL || value[0] == '\0')
		return;
	while (p->keywords[i] != NULL)
		i++;
	if (i + 1 >= (int) (sizeof(p->keywords) / sizeof(p->keywords[0])))
		return;
	p->keywords[i] = key;
	p->values[i] = value;
	p->keywords[i + 1] = NULL;
	p->values[i + 1] = NULL;
}
