/*
 * drill_state.h - what `failprobe drill` was asked to do and what it has
 * made so far, shared by the drill_*.c files.
 *
 * One fp_drill lives for the whole drill.  Everything it records as made
 * (directory, servers, children, proxy) is what the cleanup undoes, so a
 * field is set the moment the thing exists, not when the phase ends.
 */
#ifndef FP_DRILL_STATE_H
#define FP_DRILL_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

/* The fault injected at --at seconds. */
typedef enum fp_fault
{
	FP_FAULT_KILL,				/* immediate stop of the primary (a crash) */
	FP_FAULT_STOP,				/* fast shutdown of the primary */
	FP_FAULT_SWITCHOVER,		/* clean stop, promote, old primary rejoins */
	FP_FAULT_PARTITION,			/* primary cut off behind a silent proxy */
	FP_FAULT_CMD				/* the user's --fault-cmd against --dsn */
} fp_fault;

/* The command line, checked by drill_opts.c before anything is made. */
typedef struct fp_drill_opts
{
	double		rate;			/* --rate, writes per second */
	double		duration_s;		/* --duration of the load */
	int			clients;		/* --clients */
	int			threads;		/* --threads; 0: run's default */
	double		at_s;			/* --at: seconds into the load */
	fp_fault	fault;
	const char *fault_cmd;		/* --fault-cmd COMMAND (with --dsn) */
	const char *dsn;			/* --dsn: a real cluster, no local servers */
	bool		async;			/* --async: no synchronous standby */
	double		pause_s;		/* --pause-replication SECONDS; 0 none */
	bool		keep;			/* --keep: leave directory and servers */
	bool		init;			/* --init: passed to run (with --dsn) */
	const char *pg_bindir;		/* --pg-bindir, or NULL: pg_config's */
	const char *os_user;		/* --os-user for the servers when root */
	const char *html;			/* --html FILE, or NULL */
	const char *json;			/* --json FILE: the drill's summary, or NULL */
} fp_drill_opts;

/* One local server.  The client and the standby reach it at client_port:
 * its own port, or the partition proxy's in front of it. */
typedef struct fp_drill_node
{
	const char *name;			/* "primary" or "standby": also application_name */
	char		datadir[PATH_MAX];
	char		log[PATH_MAX];
	int			port;
	int			client_port;
	bool		started;		/* we started it and have not seen it stop */
} fp_drill_node;

struct fp_proxy;

typedef struct fp_drill
{
	fp_drill_opts o;
	char		dir[PATH_MAX];	/* the drill's temporary directory; "" none */
	char		bindir[PATH_MAX];	/* PostgreSQL programs */
	char		self[PATH_MAX];	/* this program, for the run/verify children */
	bool		extension;		/* pg_failprobe preloaded and created */
	bool		as_user;		/* root: servers run as o.os_user */
	uid_t		uid;
	gid_t		gid;
	fp_drill_node node[2];		/* [0] starts as primary, [1] as standby */
	int			primary;		/* index of the node that is primary now */
	struct fp_proxy *proxy;		/* partition: in front of node[0] */
	pid_t		run_pid;		/* the load child while it runs */
	double		t0;				/* monotonic seconds when the load started */
	char		ledger[PATH_MAX];
	char		run_json[PATH_MAX];
	char		verify_json[PATH_MAX];
	char		passfile[PATH_MAX];	/* the local cluster's libpq password file */
	char		pwfile[PATH_MAX];	/* initdb's --pwfile until initdb is done */
	char	   *password;		/* --dsn's password, for the children's
								 * PGPASSWORD; NULL none (o.dsn is without it) */
	char		cluster[256];	/* what was drilled, for the report */
	char		fault_note[160];	/* what was injected, for the report */
	double		fault_at;		/* seconds into the load; < 0 none */
	double		promoted_at;	/* seconds into the load; < 0 none */
} fp_drill;

#endif
