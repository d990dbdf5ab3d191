/*
 * inspect.h - the `failprobe inspect` command: what a ledger file holds.
 */
#ifndef FP_INSPECT_H
#define FP_INSPECT_H

/* argv[0] is "inspect".  Exit status: 0 a whole file, 1 a truncated tail
 * (a killed writer; the records before it are good), 2 an error. */
int			fp_inspect_main(int argc, char **argv);

#endif
