/*
 * drill.c - the `failprobe drill` command (placeholder until it lands).
 */
#include <stdio.h>

#include "drill.h"

int
fp_drill_main(int argc, char **argv)
{
	(void) argc;
	(void) argv;
	fprintf(stderr, "failprobe: 'drill' is not in this version yet\n");
	return 2;
}
