/*
 * drill.h - the `failprobe drill` command.
 */
#ifndef FP_DRILL_H
#define FP_DRILL_H

/* argv[0] is "drill".  Returns the exit status. */
int			fp_drill_main(int argc, char **argv);

#endif
