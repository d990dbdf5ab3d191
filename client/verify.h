/*
 * verify.h - the `failprobe verify` command.
 */
#ifndef FP_VERIFY_H
#define FP_VERIFY_H

/* argv[0] is "verify".  Returns the exit status: 0 no acknowledged write
 * lost, 1 some were (or a gate failed), 2 error. */
int			fp_verify_main(int argc, char **argv);

#endif
