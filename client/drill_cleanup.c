/*
 * drill_cleanup.c - leaving nothing behind.
 *
 * The drill promises a new user that it can be run and forgotten: no server
 * left listening, no directory left in /tmp, whether it ended well, failed
 * half-way, or was stopped with Ctrl-C.  Servers are stopped with pg_ctl
 * (immediate: their data is about to go); a postmaster that outlives that
 * gets SIGQUIT, then SIGKILL, before its directory is removed under it.
 */
#define _GNU_SOURCE

#include "drill_cleanup.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drill_cluster.h"
#include "drill_phase.h"
#include "drill_proc.h"
#include "drill_proxy.h"

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	if (remove(path) != 0 && errno != ENOENT)
		fp_drill_error("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

static bool
alive(pid_t pid)
{
	return pid > 0 && !fp_proc_gone(pid);
}

/* Stop node i if a postmaster runs in it, whatever it takes. */
static void
stop_node(fp_drill *d, int i)
{
	char		err[512];
	pid_t		pm = fp_node_postmaster(d, i);

	if (!alive(pm))
		return;
	if (fp_node_stop(d, i, "immediate", err, sizeof(err)) == 0 && !alive(pm))
		return;
	kill(pm, SIGQUIT);
	for (int t = 0; t < 250 && alive(pm); t++)
		usleep(20 * 1000);
	if (alive(pm))
		kill(pm, SIGKILL);
}

static void
say_kept(const fp_drill *d)
{
	fprintf(stderr, "drill: kept %s (logs: *.log, load: run.json, run.ledger)\n", d->dir);
	if (d->passfile[0] != '\0')
		fprintf(stderr, "drill: connect as user postgres with PGPASSFILE=%s (the cluster's random "
				"password)\n", d->passfile);
	for (int i = 0; i < 2; i++)
		if (alive(fp_node_postmaster(d, i)))
			fprintf(stderr, "drill: still running: %s on 127.0.0.1 port %d; stop it with: "
					"pg_ctl -D %s stop\n", d->node[i].name, d->node[i].port, d->node[i].datadir);
}

void
fp_cleanup(fp_drill *d)
{
	/* the interruption is what brought us here: the waits below must run */
	fp_drill_interrupted = 0;
	if (d->run_pid > 0)
	{
		fp_proc_end(d->run_pid, SIGTERM, 10);
		d->run_pid = 0;
	}
	fp_proxy_stop(d->proxy);
	d->proxy = NULL;
	if (d->dir[0] == '\0')
		return;
	if (d->o.keep)
	{
		say_kept(d);
		return;
	}
	for (int i = 0; i < 2; i++)
		if (d->node[i].datadir[0])
			stop_node(d, i);
	nftw(d->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	if (access(d->dir, F_OK) == 0)
		fp_drill_error("could not remove all of %s", d->dir);
	d->dir[0] = '\0';
}
