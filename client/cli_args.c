/*
 * cli_args.c - command-line complaints and numeric option values; see
 * cli_args.h.
 */
#define _XOPEN_SOURCE 700		/* realpath */

#include "cli_args.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
fp_cli_usage(const fp_cli *cli, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", cli->prefix);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "; see 'failprobe %s --help'\n", cli->command);
	return 2;
}

bool
fp_cli_number(const fp_cli *cli, const char *arg, const char *opt, double min, double max,
			  double *out)
{
	char	   *end;
	double		v = strtod(arg, &end);

	if (end == arg || *end != '\0' || !isfinite(v) || v < min || v > max)
	{
		char		fmt[160];

		snprintf(fmt, sizeof(fmt), "invalid value '%%s' for %s (%.15g to %.15g)", opt, min, max);
		fp_cli_usage(cli, fmt, arg);
		return false;
	}
	*out = v;
	return true;
}

bool
fp_cli_int(const fp_cli *cli, const char *arg, const char *opt, int min, int max, int *out)
{
	double		v;

	if (!fp_cli_number(cli, arg, opt, min, max, &v))
		return false;
	if (v != floor(v))
	{
		char		fmt[160];

		snprintf(fmt, sizeof(fmt), "invalid value '%%s' for %s: a whole number is needed", opt);
		fp_cli_usage(cli, fmt, arg);
		return false;
	}
	*out = (int) v;
	return true;
}

/* The directory part of path ("." for a bare name), into dir. */
static void
dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, size, ".");
	else
		snprintf(dir, size, "%.*s", slash == path ? 1 : (int) (slash - path), path);
}

bool
fp_cli_output(const fp_cli *cli, const char *path, const char *opt)
{
	char		dir[4096];
	char		msg[4400];
	struct stat st;

	if (path[0] == '\0')
		snprintf(msg, sizeof(msg), "%s needs a file name", opt);
	else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(msg, sizeof(msg), "%s %s is a directory; give a file name", opt, path);
	else
	{
		dir_of(path, dir, sizeof(dir));
		if (access(dir, W_OK | X_OK) == 0)
			return true;
		snprintf(msg, sizeof(msg), "cannot write %s %s: directory %s: %s", opt, path, dir, strerror(errno));
	}
	fp_cli_usage(cli, "%s", msg);
	return false;
}

/* path with its directory resolved (realpath), into out; false if it cannot be. */
static bool
resolved(const char *path, char *out, size_t size)
{
	char		dir[PATH_MAX];
	char		real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	dir_of(path, dir, sizeof(dir));
	if (realpath(dir, real) == NULL)
		return false;
	return snprintf(out, size, "%s/%s", real, base) < (int) size;
}

/* 1: a and b are one existing file; 0: two; -1: either is missing (or NULL). */
static int
same_inode(const char *a, const char *b)
{
	struct stat sa, sb;

	if (a == NULL || b == NULL || stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return -1;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool
fp_cli_same_existing_file(const char *a, const char *b)
{
	return same_inode(a, b) == 1;
}

bool
fp_cli_same_file(const char *a, const char *b)
{
	char		ra[PATH_MAX + 8], rb[PATH_MAX + 8];
	int			same = same_inode(a, b);

	if (same >= 0 || a == NULL || b == NULL)
		return same == 1;
	return strcmp(a, b) == 0 ||
		(resolved(a, ra, sizeof(ra)) && resolved(b, rb, sizeof(rb)) && strcmp(ra, rb) == 0);
}
