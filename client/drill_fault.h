/*
 * drill_fault.h - the faults the drill injects, and the promotion after.
 */
#ifndef FP_DRILL_FAULT_H
#define FP_DRILL_FAULT_H

#include <stddef.h>
#include <sys/types.h>

#include "drill_state.h"

/* --pause-replication: SIGSTOP the primary's WAL sender; its pid, or -1
 * with err. */
pid_t		fp_fault_pause(fp_drill *d, char *err, size_t errlen);

/*
 * Inject o.fault into the local cluster and promote the standby (for a
 * switchover, also bring the old primary back as a standby).  paused: the
 * WAL sender stopped by fp_fault_pause, or 0; it is let go as the fault
 * lands.  Records fault_at and promoted_at.  0 or -1 with err.
 */
int			fp_fault_inject(fp_drill *d, pid_t paused, char *err, size_t errlen);

/* After the load: stop what the fault left running that nobody can reach
 * (the partitioned old primary).  0 or -1. */
int			fp_fault_settle(fp_drill *d, char *err, size_t errlen);

/* --fault-cmd: start `/bin/sh -c COMMAND` (output passes through); its
 * pid, or -1 with err. */
pid_t		fp_fault_command(fp_drill *d, char *err, size_t errlen);

#endif
