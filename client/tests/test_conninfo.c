/*
 * test_conninfo.c - a connection string is shown only without its password,
 * whichever way the password was written, and a bad one is refused with a
 * message that does not repeat it.  The drill's children get a conninfo
 * with the password taken out and every other value as libpq read it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libpq-fe.h>

#include "conninfo.h"

static void
assert_masked(const char *dsn, const char *must_keep)
{
	char	   *m = fp_conninfo_masked(dsn);

	assert_non_null(m);
	assert_null(strstr(m, "s3cret"));
	assert_null(strstr(m, "password"));
	if (must_keep)
		assert_non_null(strstr(m, must_keep));
	free(m);
}

static void
test_keyword_value(void **state)
{
	(void) state;
	assert_masked("host=db.example.com port=5432 user=app password=s3cret dbname=x",
				  "host='db.example.com'");
	assert_masked("password='s3cret with spaces' host=h", "host='h'");
	assert_masked("host=a,b port=5432,5433 password=s3cret target_session_attrs=read-write",
				  "target_session_attrs='read-write'");
}

static void
test_uri(void **state)
{
	(void) state;
	assert_masked("postgresql://app:s3cret@db.example.com:6432/x?sslmode=verify-full",
				  "sslmode='verify-full'");
	assert_masked("postgres://app@h1:5432,h2:5433/db?password=s3cret", "user='app'");
	assert_masked("postgresql://app:s3cret%21@h/db", "host='h'");
	/* libpq hides sslpassword too: so does the mask */
	assert_masked("host=h sslkey=/k sslpassword=s3cret password=pw", "sslkey='/k'");
	assert_masked("postgresql://app@h/db?sslpassword=s3cret", "host='h'");
}

/* A value with quotes or backslashes is quoted so libpq reads it back. */
static void
test_quoting(void **state)
{
	char	   *m = fp_conninfo_masked("application_name='it\\'s \\\\ x' host=h");
	char		err[256];

	(void) state;
	assert_non_null(m);
	assert_int_equal(fp_conninfo_check(m, err, sizeof(err)), 0);
	assert_non_null(strstr(m, "\\'"));
	free(m);
}

static void
test_environment(void **state)
{
	char	   *a = fp_conninfo_masked(NULL);
	char	   *b = fp_conninfo_masked("");

	(void) state;
	assert_string_equal(a, "(from PG* environment)");
	assert_string_equal(b, "(from PG* environment)");
	free(a);
	free(b);
}

static void
test_invalid(void **state)
{
	char		err[256];

	(void) state;
	assert_null(fp_conninfo_masked("host=h password=s3cret 'unterminated"));
	assert_int_equal(fp_conninfo_check("host=h password=s3cret nosuchkey=1", err, sizeof(err)), -1);
	assert_null(strstr(err, "s3cret"));
	assert_non_null(strstr(err, "nosuchkey"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(fp_conninfo_check("postgresql://u:s3cret@h/db?nosuchparam=1", err, sizeof(err)), -1);
	assert_null(strstr(err, "s3cret"));
	assert_int_equal(fp_conninfo_check("host=h password=s3cret", err, sizeof(err)), 0);

	/* libpq quotes what it stumbled on: the whole URI, a bad escape */
	assert_int_equal(fp_conninfo_check("postgresql://u:S3cret@[::1/db", err, sizeof(err)), -1);
	assert_null(strstr(err, "S3cret"));
	assert_non_null(strstr(err, "may hold a password"));
	assert_int_equal(fp_conninfo_check("postgresql://u:Pw%zzS3cret@h/db", err, sizeof(err)), -1);
	assert_null(strstr(err, "S3cret"));
	assert_non_null(strstr(err, "percent-encoded"));
	assert_int_equal(fp_conninfo_check("host=h password=x hunter2", err, sizeof(err)), -1);
	assert_null(strstr(err, "hunter2"));
	/* without a password the text stays, to help find the mistake */
	assert_int_equal(fp_conninfo_check("postgresql://u@[::1/db", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[::1/db"));
	assert_int_equal(fp_conninfo_check("host=h hots=x", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"hots\""));
}

/* ---- taking the password out, for the drill's children ------------------ */

/* The value libpq parses for keyword in dsn, or NULL. */
static char *
parsed(PQconninfoOption *opts, const char *keyword)
{
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, keyword) == 0)
			return o->val;
	fail_msg("no keyword %s", keyword);
	return NULL;
}

/*
 * Split dsn; the password must come out as want_pw, be gone from the
 * conninfo (as keyword and as text), and every other keyword must parse
 * back to the very same value as in dsn.
 */
static void
assert_split(const char *dsn, const char *want_pw)
{
	char	   *ci, *pw;
	PQconninfoOption *before, *after;

	assert_int_equal(fp_conninfo_split_password(dsn, &ci, &pw), 0);
	assert_non_null(ci);
	assert_non_null(pw);
	assert_string_equal(pw, want_pw);
	assert_null(strstr(ci, want_pw));
	assert_null(strstr(ci, "password"));
	before = PQconninfoParse(dsn, NULL);
	after = PQconninfoParse(ci, NULL);
	assert_non_null(before);
	assert_non_null(after);
	assert_null(parsed(after, "password"));
	for (PQconninfoOption *o = before; o->keyword; o++)
	{
		const char *v = parsed(after, o->keyword);

		if (strcmp(o->keyword, "password") == 0)
			continue;
		if (o->val == NULL)
			assert_null(v);
		else
		{
			assert_non_null(v);
			assert_string_equal(v, o->val);
		}
	}
	PQconninfoFree(before);
	PQconninfoFree(after);
	free(ci);
	fp_conninfo_forget(pw);
}

static void
test_split_keyword_value(void **state)
{
	(void) state;
	assert_split("host=db.example.com port=5432 user=app password=s3cret dbname=x", "s3cret");
	assert_split("password=s3cret host=a,b port=5432,5433 target_session_attrs=read-write "
				 "dbname=app sslmode=require connect_timeout=7", "s3cret");
	/* the password alone: nothing else to keep */
	assert_split("password=s3cret", "s3cret");
}

static void
test_split_uri(void **state)
{
	(void) state;
	assert_split("postgresql://app:s3cret@db.example.com:6432/x?sslmode=verify-full", "s3cret");
	assert_split("postgres://app@h1:5432,h2:5433/db?password=s3cret&target_session_attrs=read-write",
				 "s3cret");
	/* percent-encoded: the password is what libpq decodes */
	assert_split("postgresql://app:s3cret%21%40x@h/db", "s3cret!@x");
	assert_split("postgresql://app:s3cret@[::1]:5433,%2Ftmp%2Fsock/db%20name?application_name=a%27b",
				 "s3cret");
}

/* Values with spaces, quotes and backslashes survive the round trip, in
 * the password as in everything else. */
static void
test_split_quoting(void **state)
{
	(void) state;
	assert_split("password='s3cret with \\'quote\\' and \\\\' host=h "
				 "application_name='it\\'s \\\\ a \"test\"' dbname='my db' options='-c x=1'",
				 "s3cret with 'quote' and \\");
	assert_split("host=/tmp/dir\\ with\\ spaces user='u\\\\v' password=s3cret", "s3cret");
	assert_split("dbname='host=x user=y' password=s3cret", "s3cret");
}

/* No password: the conninfo is handed on exactly as written. */
static void
test_split_no_password(void **state)
{
	const char *same[] = {
		"host=a,b port=1,2 target_session_attrs=read-write",
		"postgresql://app@h/db?sslmode=require",
		"host=h password=''",
		"postgresql://app:@h/db",
		"",
	};
	char	   *ci, *pw;

	(void) state;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
	{
		assert_int_equal(fp_conninfo_split_password(same[i], &ci, &pw), 0);
		assert_string_equal(ci, same[i]);
		assert_null(pw);
		free(ci);
	}
	assert_int_equal(fp_conninfo_split_password(NULL, &ci, &pw), 0);
	assert_string_equal(ci, "");
	assert_null(pw);
	free(ci);
}

static void
test_split_invalid(void **state)
{
	char	   *ci, *pw;

	(void) state;
	assert_int_equal(fp_conninfo_split_password("host=h password=s3cret 'x", &ci, &pw), -1);
	assert_null(ci);
	assert_null(pw);
}

/* A long conninfo is not cut short (the children connect with it). */
static void
test_split_long(void **state)
{
	char		dsn[12000];
	char	   *ci, *pw;
	PQconninfoOption *after;

	(void) state;
	strcpy(dsn, "password=s3cret options='");
	for (size_t n = strlen(dsn); n < 10000; n += 2)
		memcpy(dsn + n, "\\'", 3);
	strcat(dsn, "' host=h");
	assert_int_equal(fp_conninfo_split_password(dsn, &ci, &pw), 0);
	after = PQconninfoParse(ci, NULL);
	assert_non_null(after);
	assert_string_equal(parsed(after, "host"), "h");
	assert_true(strlen(parsed(after, "options")) > 4000);
	PQconninfoFree(after);
	free(ci);
	fp_conninfo_forget(pw);
}

/*
 * --dsn on the command line: the copy keeps the password to connect with,
 * the argument (what ps shows) loses it, and never grows.
 */
static void
test_take_arg(void **state)
{
	char		kv[] = "host=h port=5 password=s3cret dbname=d";
	char		uri[] = "postgresql://u:s3cret@h:5/d";
	char		none[] = "host=h dbname=d";
	char		broken[] = "host='h password=s3cret";
	char	   *copy;
	size_t		len;

	(void) state;
	len = strlen(kv);
	copy = fp_conninfo_take_arg(kv);
	assert_string_equal(copy, "host=h port=5 password=s3cret dbname=d");
	assert_null(strstr(kv, "s3cret"));
	assert_int_equal(strlen(kv), len);
	assert_non_null(strstr(kv, "host='h'"));
	free(copy);

	/* rebuilt as keyword='value' pairs, a URI's text is longer: cut, marked */
	len = strlen(uri);
	copy = fp_conninfo_take_arg(uri);
	assert_string_equal(copy, "postgresql://u:s3cret@h:5/d");
	assert_null(strstr(uri, "s3cret"));
	assert_int_equal(strlen(uri), len);
	assert_string_equal(uri + len - 3, "...");
	free(copy);

	copy = fp_conninfo_take_arg(none);
	assert_string_equal(none, "host=h dbname=d");
	assert_string_equal(copy, none);
	free(copy);

	/* does not parse: left for the caller's error, which comes at once */
	copy = fp_conninfo_take_arg(broken);
	assert_string_equal(broken, "host='h password=s3cret");
	assert_string_equal(copy, broken);
	free(copy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyword_value),
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_split_keyword_value),
		cmocka_unit_test(test_split_uri),
		cmocka_unit_test(test_split_quoting),
		cmocka_unit_test(test_split_no_password),
		cmocka_unit_test(test_split_invalid),
		cmocka_unit_test(test_split_long),
		cmocka_unit_test(test_take_arg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
