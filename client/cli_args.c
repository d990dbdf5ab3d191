/*
 * cli_args.c - command-line complaints and numeric option values; see
 * cli_args.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli_args.h"

#include <errno.h>
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

		snprintf(fmt, sizeof(fmt), "invalid value '%%s' for %s (%g to %g)", opt, min, max);
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

bool
fp_cli_output(const fp_cli *cli, const char *path, const char *opt)
{
	char		dir[4096];
	char		msg[4400];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (path[0] == '\0')
		snprintf(msg, sizeof(msg), "%s needs a file name", opt);
	else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(msg, sizeof(msg), "%s %s is a directory; give a file name", opt, path);
	else
	{
		if (slash == NULL)
			snprintf(dir, sizeof(dir), ".");
		else
			snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int) (slash - path), path);
		if (access(dir, W_OK | X_OK) == 0)
			return true;
		snprintf(msg, sizeof(msg), "cannot write %s %s: directory %s: %s", opt, path, dir, strerror(errno));
	}
	fp_cli_usage(cli, "%s", msg);
	return false;
}
