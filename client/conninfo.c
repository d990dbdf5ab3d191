/*
 * conninfo.c - connection strings: checking them, and showing them safely.
 *
 * A conninfo is shown only after being parsed by libpq and rebuilt without
 * its password (and every other option libpq keeps secret, sslpassword),
 * so a password in a URI (postgres://u:secret@h/db) is dropped as surely as
 * password=secret.  The same rebuilding gives the drill's children a
 * conninfo without the password, which they receive in their environment
 * instead (fp_conninfo_split_password).
 */
#define _GNU_SOURCE

#include "conninfo.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

/* Whether dsn may hold a password: a password keyword, or a URI whose
 * user part has a colon (postgresql://user:secret@host). */
static bool
may_hold_password(const char *dsn)
{
	const char *scheme = strstr(dsn, "://");
	const char *at;

	if (strcasestr(dsn, "password") != NULL)
		return true;
	if (scheme == NULL)
		return false;
	at = strchr(scheme + 3, '@');
	return at != NULL && memchr(scheme + 3, ':', at - (scheme + 3)) != NULL;
}

/* Whether word is one of libpq's connection keywords. */
static bool
is_keyword(const char *word, size_t len)
{
	PQconninfoOption *defs = PQconndefaults();
	bool		found = false;

	for (PQconninfoOption *o = defs; o && o->keyword && !found; o++)
		found = strlen(o->keyword) == len && strncmp(o->keyword, word, len) == 0;
	PQconninfoFree(defs);
	return found;
}

/* Whether word stands in dsn as a key: at the start or after a space, ?
 * or &, and followed by "=" (spaces allowed before it). */
static bool
used_as_key(const char *dsn, const char *word, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char) word[i]) && word[i] != '_')
			return false;
	for (const char *p = dsn; len > 0 && *p; p++)
	{
		const char *q = p + len;

		if (strncmp(p, word, len) != 0 ||
			(p > dsn && !isspace((unsigned char) p[-1]) && p[-1] != '?' && p[-1] != '&'))
			continue;
		while (isspace((unsigned char) *q))
			q++;
		if (*q == '=')
			return true;
	}
	return false;
}

/*
 * libpq's parse errors quote the text they stumbled on, and that text can
 * be a password: the whole URI when it is malformed, a percent-encoded
 * token, a word after "password".  When the string may hold one, every
 * quoted part that is not a keyword, a word used as a key, or a single
 * punctuation mark ("=", "]") becomes "...".
 */
static void
redact_quoted(const char *dsn, const char *msg, char *out, size_t outlen)
{
	size_t		n = 0;

	for (const char *c = msg; *c && n + 8 < outlen;)
	{
		const char *end = *c == '"' ? strchr(c + 1, '"') : NULL;
		size_t		len = end ? (size_t) (end - c - 1) : 0;

		if (end == NULL || (len == 1 && !isalnum((unsigned char) c[1])) || is_keyword(c + 1, len) ||
			used_as_key(dsn, c + 1, len))
		{
			size_t		k = end ? len + 2 : 1;

			if (n + k >= outlen)
				break;
			memcpy(out + n, c, k);
			n += k;
			c += k;
			continue;
		}
		memcpy(out + n, "\"...\"", 5);
		n += 5;
		c = end + 1;
	}
	out[n] = '\0';
}

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
		char		safe[512];

		if (msg != NULL && may_hold_password(dsn))
			redact_quoted(dsn, msg, safe, sizeof(safe));
		else
			snprintf(safe, sizeof(safe), "%s", msg ? msg : "out of memory");
		/* libpq's message ends with a newline; a one-line error does not */
		n = strlen(safe);
		while (n > 0 && (safe[n - 1] == '\n' || safe[n - 1] == ' '))
			safe[--n] = '\0';
		snprintf(err, errlen, "invalid connection string: %s%s", safe,
				 strstr(safe, "\"...\"") ? " (the quoted text is left out: it may hold a password)" : "");
		PQfreemem(msg);
		return -1;
	}
	PQconninfoFree(opts);
	return 0;
}

/* Append " key='value'" to buf at *n, quoting the value as libpq reads it
 * back: inside single quotes, a quote or backslash behind a backslash.
 * buf has room for it (see rebuilt_size). */
static void
append_pair(char *buf, size_t *n, const char *key, const char *val)
{
	size_t		i = *n;

	if (i > 0)
		buf[i++] = ' ';
	memcpy(buf + i, key, strlen(key));
	i += strlen(key);
	buf[i++] = '=';
	buf[i++] = '\'';
	for (const char *c = val; *c; c++)
	{
		if (*c == '\'' || *c == '\\')
			buf[i++] = '\\';
		buf[i++] = *c;
	}
	buf[i++] = '\'';
	buf[i] = '\0';
	*n = i;
}

static bool
is_password(const PQconninfoOption *o)
{
	return strcmp(o->keyword, "password") == 0;
}

/* Any option libpq itself would not show (password, sslpassword, ...). */
static bool
is_secret(const PQconninfoOption *o)
{
	return is_password(o) || (o->dispchar != NULL && o->dispchar[0] == '*');
}

/* What rebuilt() leaves out. */
typedef enum fp_leave_out
{
	FP_LEAVE_PASSWORD,			/* for a child that gets it in PGPASSWORD */
	FP_LEAVE_SECRETS			/* for anything shown or stored */
} fp_leave_out;

static bool
left_out(const PQconninfoOption *o, fp_leave_out what)
{
	return what == FP_LEAVE_SECRETS ? is_secret(o) : is_password(o);
}

/* The bytes rebuilt() needs: every value quoted, each character escaped at
 * worst, a space between pairs, the terminator. */
static size_t
rebuilt_size(const PQconninfoOption *opts, fp_leave_out what)
{
	size_t		size = 1;

	for (const PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val != NULL && !left_out(o, what))
			size += strlen(o->keyword) + 2 * strlen(o->val) + 4;
	return size;
}

/* The parsed options as keyword='value' pairs, in libpq's order, without
 * those left out, in a malloc'd string; NULL when out of memory. */
static char *
rebuilt(const PQconninfoOption *opts, fp_leave_out what)
{
	char	   *buf = malloc(rebuilt_size(opts, what));
	size_t		n = 0;

	if (buf == NULL)
		return NULL;
	buf[0] = '\0';
	for (const PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val != NULL && !left_out(o, what))
			append_pair(buf, &n, o->keyword, o->val);
	return buf;
}

char *
fp_conninfo_masked(const char *dsn)
{
	PQconninfoOption *opts;
	char	   *buf;

	if (dsn == NULL || dsn[0] == '\0')
		return strdup("(from PG* environment)");
	opts = PQconninfoParse(dsn, NULL);
	if (opts == NULL)
		return NULL;
	buf = rebuilt(opts, FP_LEAVE_SECRETS);
	PQconninfoFree(opts);
	return buf;
}

int
fp_conninfo_split_password(const char *dsn, char **conninfo, char **password)
{
	PQconninfoOption *opts;
	const char *pw = NULL;

	*conninfo = *password = NULL;
	if (dsn == NULL || dsn[0] == '\0')
		return (*conninfo = strdup(dsn ? dsn : "")) ? 0 : -1;
	opts = PQconninfoParse(dsn, NULL);
	if (opts == NULL)
		return -1;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (is_password(o) && o->val != NULL && o->val[0] != '\0')
			pw = o->val;
	if (pw == NULL)
		*conninfo = strdup(dsn);
	else if ((*password = strdup(pw)) != NULL)
		*conninfo = rebuilt(opts, FP_LEAVE_PASSWORD);
	PQconninfoFree(opts);
	if (*conninfo == NULL)
	{
		fp_conninfo_forget(*password);
		*password = NULL;
		return -1;
	}
	return 0;
}

char *
fp_conninfo_take_arg(char *arg)
{
	char	   *copy = strdup(arg);
	char	   *rest;
	char	   *password;

	if (copy == NULL)
		return arg;				/* unhidden, but the run goes on as asked */
	if (fp_conninfo_split_password(copy, &rest, &password) == 0 && password != NULL)
	{
		size_t		len = strlen(arg);
		size_t		n = strlen(rest) < len ? strlen(rest) : len;

		memcpy(arg, rest, n);
		memset(arg + n, ' ', len - n);
		if (strlen(rest) > len && len >= 3)
			memcpy(arg + len - 3, "...", 3);	/* cut short: say so */
	}
	free(rest);
	fp_conninfo_forget(password);
	return copy;
}

void
fp_conninfo_forget(char *password)
{
	if (password == NULL)
		return;
	explicit_bzero(password, strlen(password));
	free(password);
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
