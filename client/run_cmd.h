/*
 * run_cmd.h - the `failprobe run` command.
 */
#ifndef FP_RUN_CMD_H
#define FP_RUN_CMD_H

#include "config.h"

/* Run the load; returns the exit status (0 completed, 2 error). */
int			fp_run_command(const fp_config *cfg);

#endif
