/*
 * drill_opts.h - the `failprobe drill` command line.
 */
#ifndef FP_DRILL_OPTS_H
#define FP_DRILL_OPTS_H

#include "drill_state.h"

/*
 * Parse and check argv (argv[0] = "drill") into *o.  Returns 0, 1 when
 * --help was printed (exit 0), or 2 after a one-line error on stderr.
 */
int			fp_drill_parse(int argc, char **argv, fp_drill_opts *o);

/* "kill", "stop", ... */
const char *fp_fault_name(fp_fault f);

#endif
