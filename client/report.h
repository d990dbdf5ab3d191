/*
 * report.h - the `failprobe report` command: one self-contained HTML page
 * with a run's figures and its throughput/latency/error timeline.
 */
#ifndef FP_REPORT_H
#define FP_REPORT_H

/* argv[0] is "report".  Returns the exit status: 0 written, 2 error. */
int			fp_report_main(int argc, char **argv);

#endif
