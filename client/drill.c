/*
 * drill.c - `failprobe drill`: a failover drill in one command.
 *
 * The phases, in order: create a throwaway primary and synchronous standby
 * (drill_cluster.c), start the load as a child (`failprobe run`), inject
 * the fault at --at and promote the standby (drill_fault.c), let the load
 * ride through to its end, verify as a child (`failprobe verify`), print
 * the report (drill_report.c), and remove everything (drill_cleanup.c) -
 * also after an error or Ctrl-C.  With --dsn the same phases run against a
 * real cluster, without local servers, the fault being the user's command.
 *
 * The load and verification are children of this same program rather than
 * calls into it, so that the drill exercises the commands exactly as a user
 * runs them, and a crash in one cannot take the cleanup down with it.
 */
#define _POSIX_C_SOURCE 200809L

#include "drill.h"

#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "conninfo.h"
#include "drill_cleanup.h"
#include "drill_cluster.h"
#include "drill_fault.h"
#include "drill_opts.h"
#include "drill_phase.h"
#include "drill_proc.h"
#include "drill_proxy.h"
#include "drill_report.h"

#define FP_ERRLEN 1024

/* Start `failprobe run` against dsn (without a password; d->password, if
 * any, as its PGPASSWORD); its stdout to run.out, its stderr (the live
 * progress line) straight through to ours. */
static int
start_load(fp_drill *d, const char *dsn, bool init, char *err, size_t errlen)
{
	char		rate[32], dur[32], clients[16], threads[16], out[PATH_MAX + 16];
	char	   *argv[20] = {"/proc/self/exe", "run", "--dsn", (char *) dsn, "--ledger", d->ledger,
		"--json", d->run_json, "--rate", rate, "--duration", dur, "--clients", clients};
	int			n = 14;

	snprintf(d->ledger, sizeof(d->ledger), "%s/run.ledger", d->dir);
	snprintf(d->run_json, sizeof(d->run_json), "%s/run.json", d->dir);
	snprintf(out, sizeof(out), "%s/run.out", d->dir);
	snprintf(rate, sizeof(rate), "%g", d->o.rate);
	snprintf(dur, sizeof(dur), "%g", d->o.duration_s);
	snprintf(clients, sizeof(clients), "%d", d->o.clients);
	if (d->o.threads > 0)
	{
		snprintf(threads, sizeof(threads), "%d", d->o.threads);
		argv[n++] = "--threads";
		argv[n++] = threads;
	}
	if (init)
		argv[n++] = "--init";
	argv[n] = NULL;
	d->t0 = fp_proc_now();
	d->run_pid = fp_proc_start_with_password(argv, d->password, NULL, out, NULL, err, errlen);
	return d->run_pid > 0 ? 0 : -1;
}

/* Wait until t seconds into the load.  -1 if the load ended first (an
 * error: it cannot end before --duration) or the drill was interrupted. */
static int
load_until(fp_drill *d, double t, char *err, size_t errlen)
{
	int			status;

	while (fp_proc_now() - d->t0 < t)
	{
		if (fp_proc_done(d->run_pid, &status))
		{
			d->run_pid = 0;
			snprintf(err, errlen, "the load (failprobe run) ended early with exit %d; "
					 "its error is above", status);
			return -1;
		}
		if (!fp_proc_sleep(0.02))
		{
			snprintf(err, errlen, "interrupted");
			return -1;
		}
	}
	return 0;
}

/* Wait for the load to end on its own.  0 when it completed (exit 0). */
static int
load_finish(fp_drill *d, char *err, size_t errlen)
{
	int			rc = fp_proc_wait(d->run_pid, d->o.duration_s + 120);

	if (rc == -2)
	{
		snprintf(err, errlen, "interrupted");
		return -1;
	}
	if (rc == -1)
	{
		snprintf(err, errlen, "the load did not end within 120 s of its --duration");
		return -1;
	}
	d->run_pid = 0;
	if (rc != 0)
	{
		snprintf(err, errlen, "the load (failprobe run) failed with exit %d; its error is above", rc);
		return -1;
	}
	return 0;
}

static void
say_setup(const fp_drill *d)
{
	if (d->as_user)
		fp_phase("running as root: the servers run as OS user '%s' (PostgreSQL refuses root); "
				 "the client stays root", d->o.os_user);
	if (d->extension)
		fp_phase("pg_failprobe is installed: preloaded, commit LSNs reported to the client");
	else
		fp_phase("pg_failprobe is not installed with %s: plain mode (failprobe run --init), "
				 "without the server's own record of the promotion", d->bindir);
}

/* The partition proxy goes in front of the primary before anything
 * connects to it, so that the standby streams through it too. */
static int
start_proxy(fp_drill *d, char *err, size_t errlen)
{
	int			port;

	if (d->o.fault != FP_FAULT_PARTITION)
		return 0;
	do
		port = fp_free_port();
	while (port == d->node[0].port || port == d->node[1].port);
	d->proxy = fp_proxy_start(port, d->node[0].port, err, errlen);
	if (d->proxy == NULL)
		return -1;
	d->node[0].client_port = port;
	fp_phase("partition proxy: 127.0.0.1:%d forwards to the primary at %d", port, d->node[0].port);
	return 0;
}

/* The fault at --at, with the replication pause before it. */
static int
fault_phase(fp_drill *d, char *err, size_t errlen)
{
	pid_t		paused = 0;

	if (d->o.pause_s > 0)
	{
		if (load_until(d, d->o.at_s - d->o.pause_s, err, errlen) != 0)
			return -1;
		paused = fp_fault_pause(d, err, errlen);
		if (paused < 0)
			return -1;
	}
	if (load_until(d, d->o.at_s, err, errlen) != 0)
	{
		if (paused > 0)
			kill(paused, SIGCONT);
		return -1;
	}
	return fp_fault_inject(d, paused, err, errlen);
}

/*
 * The local cluster is reached with what the drill made (ports, a passfile):
 * a PGPASSWORD, PGSSLMODE or PGSERVICE meant for the user's own servers
 * would break every connection to it, the standby's included (its
 * walreceiver inherits the postmaster's environment), and would end up in
 * the servers' environment.  Drop every variable libpq reads.
 */
static void
forget_libpq_environment(void)
{
	static const char *const others[] = {"PGSERVICEFILE", "PGSYSCONFDIR", "PGDATESTYLE",
	"PGTZ", "PGGEQO", NULL};
	PQconninfoOption *opts = PQconndefaults();

	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (o->envvar != NULL)
			unsetenv(o->envvar);
	PQconninfoFree(opts);
	for (int i = 0; others[i]; i++)
		unsetenv(others[i]);
}

static int
local_drill(fp_drill *d, fp_verdict *v, char *err, size_t errlen)
{
	char		dsn[PATH_MAX + 256], promoted[PATH_MAX + 128];

	forget_libpq_environment();
	if (fp_cluster_prepare(d, err, errlen) != 0)
		return -1;
	fp_phase("creating cluster: a primary and a%s standby on 127.0.0.1",
			 d->o.async ? "n asynchronous" : " synchronous");
	say_setup(d);
	if (start_proxy(d, err, errlen) != 0 || fp_cluster_create(d, err, errlen) != 0)
		return -1;
	snprintf(d->cluster, sizeof(d->cluster), "primary 127.0.0.1:%d, %s standby 127.0.0.1:%d, in %s%s",
			 d->node[0].port, d->o.async ? "asynchronous" : "synchronous", d->node[1].port, d->dir,
			 d->o.fault == FP_FAULT_PARTITION ? " (primary behind a proxy)" : "");
	fp_phase("cluster ready: %s", d->cluster);
	snprintf(dsn, sizeof(dsn), "host=127.0.0.1,127.0.0.1 port=%d,%d user=postgres dbname=postgres "
			 "passfile='%s' target_session_attrs=read-write",
			 d->node[0].client_port, d->node[1].client_port, d->passfile);
	fp_phase("loading: %g TPS for %g s with %d clients; fault '%s' at %.1f s",
			 d->o.rate, d->o.duration_s, d->o.clients, fp_fault_name(d->o.fault), d->o.at_s);
	if (start_load(d, dsn, !d->extension, err, errlen) != 0 || fault_phase(d, err, errlen) != 0 ||
		load_finish(d, err, errlen) != 0 || fp_fault_settle(d, err, errlen) != 0)
		return -1;
	fp_node_conninfo(d, d->primary, promoted, sizeof(promoted));
	fp_phase("verifying against the %s (%s)", d->node[d->primary].name, promoted);
	*v = fp_report_verify(d, promoted);
	return 0;
}

/*
 * --dsn's password goes to the run and verify children as PGPASSWORD, not
 * on their command lines, which every local user can read in ps; the
 * --fault-cmd shell gets our environment as it is.  o.dsn becomes the DSN
 * without its password (unchanged if it has none); our own command line
 * was cleared of it when the options were read (drill_opts.c).
 */
static int
take_password(fp_drill *d, char *err, size_t errlen)
{
	char	   *dsn;

	if (fp_conninfo_split_password(d->o.dsn, &dsn, &d->password) != 0)
	{
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->o.dsn = dsn;
	return 0;
}

/* --dsn: the user's cluster, the user's fault command. */
static int
remote_drill(fp_drill *d, fp_verdict *v, char *err, size_t errlen)
{
	char	   *masked = fp_conninfo_masked(d->o.dsn);
	pid_t		cmd;
	int			rc;

	snprintf(d->dir, sizeof(d->dir), "%s/failprobe-drill.XXXXXX",
			 getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(d->dir) == NULL)
	{
		snprintf(err, errlen, "cannot create a temporary directory %s", d->dir);
		d->dir[0] = '\0';
		free(masked);
		return -1;
	}
	snprintf(d->cluster, sizeof(d->cluster), "%s (--dsn)", masked ? masked : "?");
	free(masked);
	fp_phase("loading: %g TPS for %g s with %d clients against %s; fault command at %.1f s",
			 d->o.rate, d->o.duration_s, d->o.clients, d->cluster, d->o.at_s);
	if (start_load(d, d->o.dsn, d->o.init, err, errlen) != 0 ||
		load_until(d, d->o.at_s, err, errlen) != 0)
		return -1;
	cmd = fp_fault_command(d, err, errlen);
	if (cmd < 0)
		return -1;
	rc = fp_proc_wait(cmd, -1);
	if (rc == -2)
	{
		fp_proc_end(cmd, SIGTERM, 5);
		snprintf(err, errlen, "interrupted");
		return -1;
	}
	fp_phase("fault command exited %d at %.1f s", rc, fp_proc_now() - d->t0);
	if (load_finish(d, err, errlen) != 0)
		return -1;
	fp_phase("verifying against the same --dsn");
	*v = fp_report_verify(d, d->o.dsn);
	return 0;
}

int
fp_drill_main(int argc, char **argv)
{
	fp_drill	d;
	fp_verdict	v = FP_VERDICT_ERROR;
	char		err[FP_ERRLEN] = "";
	int			rc;

	memset(&d, 0, sizeof(d));
	d.fault_at = d.promoted_at = -1;
	rc = fp_drill_parse(argc, argv, &d.o);
	if (rc != 0)
		return rc == 1 ? 0 : 2;
	fp_proc_signals();
	if (d.o.dsn)
		rc = take_password(&d, err, sizeof(err)) == 0 ?
			remote_drill(&d, &v, err, sizeof(err)) : -1;
	else
		rc = local_drill(&d, &v, err, sizeof(err));
	if (rc == 0)
	{
		if (d.o.html)
			fp_report_html(&d);
		fp_report_print(&d, v);
		if (d.o.json && fp_report_json(&d, v) != 0)
			v = FP_VERDICT_ERROR;
	}
	else if (fp_drill_interrupted)
		fp_drill_error("interrupted (signal %d): stopping the load and the servers, removing what "
					   "the drill made", (int) fp_drill_interrupted);
	else
		fp_drill_error("%s%s", err, d.dir[0] && !d.o.keep ? " (--keep keeps the drill's directory)" : "");
	fp_cleanup(&d);
	fp_conninfo_forget(d.password);
	if (rc != 0)
		return 2;
	return v == FP_VERDICT_NONE_LOST ? 0 : v == FP_VERDICT_LOST ? 1 : 2;
}
