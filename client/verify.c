/*
 * verify.c - the `failprobe verify` command (placeholder until it lands).
 */
#include <stdio.h>

#include "verify.h"

int
fp_verify_main(int argc, char **argv)
{
	(void) argc;
	(void) argv;
	fprintf(stderr, "failprobe: 'verify' is not in this version yet\n");
	return 2;
}
