/*
 * drill_fault.c - what goes wrong, on purpose, and the promotion after.
 *
 * kill       an immediate stop of the primary: SIGQUIT to the postmaster,
 *            which is what `pg_ctl -m immediate stop` sends; no shutdown
 *            checkpoint, nothing more sent to the standby: a crash.
 * stop       a fast shutdown: the standby receives all WAL before it ends.
 * switchover a fast shutdown, promotion, and the old primary back as a
 *            standby of the new one (pg_rewind only when it cannot follow).
 * partition  the proxy in front of the primary goes silent; the primary
 *            runs on, unreachable, until the drill ends.
 *
 * --pause-replication freezes the primary's WAL sender (SIGSTOP) before
 * the fault; it is let go only after the fault has been signalled, so a
 * crash cannot be raced by the WAL it would have sent.  For a crash the
 * frozen WAL sender gets its SIGQUIT before the postmaster does: the
 * postmaster passes its SIGQUIT on only some time later, and a WAL sender
 * let go before that would ship its backlog first (measured: nothing lost
 * in 1 of 2 drills).  A pending SIGQUIT runs as soon as SIGCONT lets the
 * process go, before it can send anything.
 */
#define _POSIX_C_SOURCE 200809L

#include "drill_fault.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drill_cluster.h"
#include "drill_opts.h"
#include "drill_phase.h"
#include "drill_proc.h"
#include "drill_proxy.h"

static double
since_start(const fp_drill *d)
{
	return fp_proc_now() - d->t0;
}

pid_t
fp_fault_pause(fp_drill *d, char *err, size_t errlen)
{
	char		v[32];
	long		pid;

	if (fp_node_sql(d, d->primary, "SELECT pid FROM pg_stat_replication "
					"WHERE application_name = 'standby'", v, sizeof(v), err, errlen) != 0)
		return -1;
	pid = strtol(v, NULL, 10);
	if (pid <= 0)
	{
		snprintf(err, errlen, "--pause-replication: the primary has no WAL sender for the standby");
		return -1;
	}
	if (kill((pid_t) pid, SIGSTOP) != 0)
	{
		snprintf(err, errlen, "--pause-replication: cannot stop WAL sender %ld: %s", pid, strerror(errno));
		return -1;
	}
	fp_phase("replication paused: WAL sender %ld stopped (SIGSTOP) at %.1f s for %.1f s",
			 pid, since_start(d), d->o.pause_s);
	return (pid_t) pid;
}

static void
resume(pid_t paused)
{
	if (paused > 0 && kill(paused, SIGCONT) == 0)
		fp_phase("replication resumed: WAL sender %ld continued (SIGCONT)", (long) paused);
}

/* Wait up to timeout_s for process pid (not our child) to be gone. */
static bool
gone(pid_t pid, double timeout_s)
{
	double		end = fp_proc_now() + timeout_s;

	while (!fp_proc_gone(pid))
	{
		if (fp_proc_now() >= end)
			return false;
		fp_proc_nap();
	}
	return true;
}

static int
crash(fp_drill *d, pid_t paused, char *err, size_t errlen)
{
	pid_t		pm = fp_node_postmaster(d, 0);

	if (paused > 0)
		kill(paused, SIGQUIT);	/* pending until SIGCONT, see the top */
	if (pm <= 0 || kill(pm, SIGQUIT) != 0)
	{
		snprintf(err, errlen, "cannot stop the primary: no running postmaster in %s",
				 d->node[0].datadir);
		return -1;
	}
	resume(paused);
	if (!gone(pm, 30))
	{
		snprintf(err, errlen, "the primary did not stop within 30 s of SIGQUIT; see %s", d->node[0].log);
		return -1;
	}
	d->node[0].started = false;
	fp_phase("primary down at %.1f s", since_start(d));
	return 0;
}

static int
promote(fp_drill *d, char *err, size_t errlen)
{
	char		tli[32] = "?";
	char		e2[256];

	if (fp_node_promote(d, 1, err, errlen) != 0)
		return -1;
	d->promoted_at = since_start(d);
	fp_node_sql(d, 1, "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int",
				tli, sizeof(tli), e2, sizeof(e2));
	fp_phase("promoted: the standby is the primary at %.1f s (timeline %s)", d->promoted_at, tli);
	return 0;
}

static void
injected(fp_drill *d, const char *what)
{
	d->fault_at = since_start(d);
	snprintf(d->fault_note, sizeof(d->fault_note), "%s at %.1f s", what, d->fault_at);
	fp_phase("fault injected: %s", d->fault_note);
}

int
fp_fault_inject(fp_drill *d, pid_t paused, char *err, size_t errlen)
{
	switch (d->o.fault)
	{
		case FP_FAULT_KILL:
			injected(d, "kill primary (immediate stop)");
			if (crash(d, paused, err, errlen) != 0)
				return -1;
			return promote(d, err, errlen);
		case FP_FAULT_STOP:
			resume(paused);
			injected(d, "stop primary (fast shutdown)");
			if (fp_node_stop(d, 0, "fast", err, errlen) != 0)
				return -1;
			return promote(d, err, errlen);
		case FP_FAULT_SWITCHOVER:
			resume(paused);
			injected(d, "switchover (fast shutdown of the primary)");
			if (fp_node_stop(d, 0, "fast", err, errlen) != 0 || promote(d, err, errlen) != 0)
				return -1;
			if (fp_cluster_rejoin(d, 0, 1, err, errlen) != 0)
				return -1;
			fp_phase("rejoined: the old primary streams from the new one at %.1f s", since_start(d));
			return 0;
		case FP_FAULT_PARTITION:
			fp_proxy_blackhole(d->proxy);
			injected(d, "partition primary (proxy silent; the primary keeps running)");
			resume(paused);
			return promote(d, err, errlen);
		case FP_FAULT_CMD:
			break;
	}
	snprintf(err, errlen, "no local fault for --fault-cmd");
	return -1;
}

int
fp_fault_settle(fp_drill *d, char *err, size_t errlen)
{
	if (d->o.fault != FP_FAULT_PARTITION || !d->node[0].started)
		return 0;
	fp_phase("stopping the cut-off old primary (immediate)");
	return fp_node_stop(d, 0, "immediate", err, errlen);
}

pid_t
fp_fault_command(fp_drill *d, char *err, size_t errlen)
{
	char	   *argv[] = {"/bin/sh", "-c", (char *) d->o.fault_cmd, NULL};
	pid_t		pid = fp_proc_start(argv, NULL, NULL, NULL, err, errlen);

	if (pid > 0)
		injected(d, "fault command started");
	return pid;
}
