/*
 * cli_args.h - how failprobe's commands complain about their command line
 * and read numeric option values, so that a bad value reads the same in
 * every command: one line on stderr, then exit status 2.
 *
 * Each command keeps its own prefix ("failprobe", "failprobe drill") and
 * names its own --help in the message.
 */
#ifndef FP_CLI_ARGS_H
#define FP_CLI_ARGS_H

#include <stdbool.h>

typedef struct fp_cli
{
	const char *prefix;			/* "failprobe" or "failprobe drill" */
	const char *command;		/* "run", "drill": whose --help to see */
} fp_cli;

/* "PREFIX: " fmt (with arg) "; see 'failprobe COMMAND --help'" on stderr;
 * returns 2, the exit status for a bad command line. */
int			fp_cli_usage(const fp_cli *cli, const char *fmt, const char *arg);

/* arg as a number in [min, max] for option opt (e.g. "--rate"); false
 * after the usage message. */
bool		fp_cli_number(const fp_cli *cli, const char *arg, const char *opt,
						  double min, double max, double *out);

/* The same for a whole number. */
bool		fp_cli_int(const fp_cli *cli, const char *arg, const char *opt,
					   int min, int max, int *out);

/*
 * path can be written by option opt (e.g. "--json"): not a directory, in
 * a directory that exists and that we may write to.  Checked before a
 * long run, so that the run's figures are not lost at its end; false
 * after the usage message.
 */
bool		fp_cli_output(const fp_cli *cli, const char *path, const char *opt);

/* Whether paths a and b name the same existing file (false if either is missing). */
bool		fp_cli_same_existing_file(const char *a, const char *b);

/*
 * Whether paths a and b name the same file: the same existing file, or,
 * for a file not made yet, the same name in the same directory.
 */
bool		fp_cli_same_file(const char *a, const char *b);

#endif
