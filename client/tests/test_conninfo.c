/*
 * test_conninfo.c - a connection string is shown only without its password,
 * whichever way the password was written, and a bad one is refused with a
 * message that does not repeat it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
