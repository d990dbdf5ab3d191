/*
 * drill_cluster.c - the drill's throwaway primary and streaming standby.
 *
 * Made with the PostgreSQL programs themselves (initdb, pg_ctl,
 * pg_basebackup, pg_rewind), as an operator would, all under one
 * temporary directory: data directories, logs and the unix sockets.  The
 * servers listen on free ports of 127.0.0.1 only; the bootstrap user
 * "postgres" logs in with a random password that the drill's connections
 * find in a password file (drill_secret.c); the cluster lives for the
 * length of the drill.  When the drill is root the programs run as an
 * unprivileged user (PostgreSQL refuses root), who owns the directory.
 */
#define _GNU_SOURCE

#include "drill_cluster.h"

#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "drill_phase.h"
#include "drill_secret.h"

#define FP_SUPERUSER "postgres"

/* ---- finding PostgreSQL --------------------------------------------------- */

/* The first line pg_config prints for flag, or "" . */
static void
pg_config(const char *prog, const char *flag, char *out, size_t outlen)
{
	char		cmd[PATH_MAX + 64];
	FILE	   *p;

	out[0] = '\0';
	if (strchr(prog, '\'') != NULL)
		return;
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>/dev/null", prog, flag);
	p = popen(cmd, "r");
	if (p == NULL)
		return;
	if (fgets(out, (int) outlen, p) == NULL)
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static bool
executable(const char *dir, const char *prog)
{
	char		path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, prog);
	return access(path, X_OK) == 0;
}

static bool
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static int
find_postgres(fp_drill *d, char *err, size_t errlen)
{
	char		conf[PATH_MAX] = "pg_config";
	char		pkglib[PATH_MAX], share[PATH_MAX], path[PATH_MAX * 2];

	if (d->o.pg_bindir != NULL)
	{
		snprintf(d->bindir, sizeof(d->bindir), "%s", d->o.pg_bindir);
		snprintf(conf, sizeof(conf), "%s/pg_config", d->bindir);
	}
	else
		pg_config(conf, "--bindir", d->bindir, sizeof(d->bindir));
	if (d->bindir[0] == '\0' || !executable(d->bindir, "initdb") ||
		!executable(d->bindir, "pg_ctl") || !executable(d->bindir, "pg_basebackup"))
	{
		snprintf(err, errlen, "no PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) found %s%s; "
				 "install the server package or give their directory with --pg-bindir DIR",
				 d->bindir[0] ? "in " : "(no pg_config on PATH)", d->bindir);
		return -1;
	}
	pg_config(conf, "--pkglibdir", pkglib, sizeof(pkglib));
	pg_config(conf, "--sharedir", share, sizeof(share));
	snprintf(path, sizeof(path), "%s/pg_failprobe.so", pkglib);
	d->extension = pkglib[0] && exists(path);
	snprintf(path, sizeof(path), "%s/extension/pg_failprobe.control", share);
	d->extension = d->extension && share[0] && exists(path);
	return 0;
}

/* ---- who runs the servers, and where ------------------------------------- */

static int
resolve_user(fp_drill *d, char *err, size_t errlen)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	pw = getpwnam(d->o.os_user);
	if (pw == NULL)
	{
		snprintf(err, errlen, "running as root, and PostgreSQL refuses root: the servers need an "
				 "unprivileged OS user, but '%s' does not exist; create it or pass --os-user NAME",
				 d->o.os_user);
		return -1;
	}
	if (pw->pw_uid == 0)
	{
		snprintf(err, errlen, "--os-user %s is root; PostgreSQL refuses to run as root", d->o.os_user);
		return -1;
	}
	d->as_user = true;
	d->uid = pw->pw_uid;
	d->gid = pw->pw_gid;
	return 0;
}

fp_cred
fp_cluster_cred(const fp_drill *d)
{
	fp_cred		c = {d->as_user, d->uid, d->gid, d->o.os_user};

	return c;
}

static int
make_dir(fp_drill *d, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || tmp[0] == '\0' || strlen(tmp) > 60)
		tmp = "/tmp";
	snprintf(d->dir, sizeof(d->dir), "%s/failprobe-drill.XXXXXX", tmp);
	if (mkdtemp(d->dir) == NULL)
	{
		snprintf(err, errlen, "cannot create a temporary directory in %s: %s", tmp, strerror(errno));
		d->dir[0] = '\0';
		return -1;
	}
	if (strchr(d->dir, '\'') != NULL)
	{
		snprintf(err, errlen, "TMPDIR %s holds a quote; PostgreSQL's configuration cannot name it", tmp);
		return -1;
	}
	if (d->as_user && chown(d->dir, d->uid, d->gid) != 0)
	{
		snprintf(err, errlen, "cannot give %s to user %s: %s", d->dir, d->o.os_user, strerror(errno));
		return -1;
	}
	return 0;
}

int
fp_free_port(void)
{
	struct sockaddr_in a;
	socklen_t	len = sizeof(a);
	int			s = socket(AF_INET, SOCK_STREAM, 0);
	int			port = -1;

	if (s < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *) &a, sizeof(a)) == 0 &&
		getsockname(s, (struct sockaddr *) &a, &len) == 0)
		port = ntohs(a.sin_port);
	close(s);
	return port;
}

static int
init_nodes(fp_drill *d, char *err, size_t errlen)
{
	static const char *names[2] = {"primary", "standby"};

	for (int i = 0; i < 2; i++)
	{
		fp_drill_node *n = &d->node[i];

		n->name = names[i];
		snprintf(n->datadir, sizeof(n->datadir), "%s/%s", d->dir, n->name);
		snprintf(n->log, sizeof(n->log), "%s/%s.log", d->dir, n->name);
		do
			n->port = fp_free_port();
		while (i == 1 && n->port == d->node[0].port);
		if (n->port < 0)
		{
			snprintf(err, errlen, "no free TCP port on 127.0.0.1: %s", strerror(errno));
			return -1;
		}
		n->client_port = n->port;
	}
	d->primary = 0;
	return 0;
}

int
fp_cluster_prepare(fp_drill *d, char *err, size_t errlen)
{
	if (find_postgres(d, err, errlen) != 0 || resolve_user(d, err, errlen) != 0 ||
		make_dir(d, err, errlen) != 0 || fp_secret_make(d, err, errlen) != 0)
		return -1;
	return init_nodes(d, err, errlen);
}

/* ---- running PostgreSQL programs ------------------------------------------ */

/* Run bindir/prog with args as the servers' user, output to log.  On
 * failure, err names the program and its log, and the log's tail is shown. */
static int
pg_prog(fp_drill *d, const char *what, char **argv, const char *log, double timeout_s,
		char *err, size_t errlen)
{
	char		path[PATH_MAX];
	char		why[256] = "";
	fp_cred		cred = fp_cluster_cred(d);
	int			rc;

	snprintf(path, sizeof(path), "%s/%s", d->bindir, argv[0]);
	argv[0] = path;
	rc = fp_proc_run(argv, &cred, log, timeout_s, why, sizeof(why));
	if (rc == 0)
		return 0;
	if (rc == -2)
		snprintf(err, errlen, "interrupted during %s", what);
	else
	{
		if (rc == -3)
			snprintf(err, errlen, "%s: %s", what, why);
		else if (rc == -1)
			snprintf(err, errlen, "%s did not finish in %.0f s; see %s", what, timeout_s, log);
		else
			snprintf(err, errlen, "%s failed (exit %d); see %s%s", what, rc, log,
					 d->o.keep ? "" : " (kept with --keep)");
		fp_phase_log_tail(log, 6);
	}
	return -1;
}

int
fp_node_start(fp_drill *d, int i, char *err, size_t errlen)
{
	fp_drill_node *n = &d->node[i];
	char		what[64], ctl_log[PATH_MAX];
	char	   *argv[] = {"pg_ctl", "-D", n->datadir, "-l", n->log, "-w", "-t", "60", "-s",
	"start", NULL};

	snprintf(what, sizeof(what), "starting the %s (pg_ctl start)", n->name);
	snprintf(ctl_log, sizeof(ctl_log), "%s/pg_ctl.log", d->dir);
	/* started: from now on the cleanup must stop it, even if start fails half-way */
	n->started = true;
	if (pg_prog(d, what, argv, ctl_log, 90, err, errlen) != 0)
	{
		fp_phase_log_tail(n->log, 4);
		snprintf(err + strlen(err), errlen - strlen(err), "; server log: %s", n->log);
		return -1;
	}
	return 0;
}

int
fp_node_stop(fp_drill *d, int i, const char *mode, char *err, size_t errlen)
{
	fp_drill_node *n = &d->node[i];
	char		what[64], ctl_log[PATH_MAX];
	char	   *argv[] = {"pg_ctl", "-D", n->datadir, "-m", (char *) mode, "-w", "-t", "60", "-s",
	"stop", NULL};

	snprintf(what, sizeof(what), "stopping the %s (pg_ctl -m %s stop)", n->name, mode);
	snprintf(ctl_log, sizeof(ctl_log), "%s/pg_ctl.log", d->dir);
	if (pg_prog(d, what, argv, ctl_log, 90, err, errlen) != 0)
		return -1;
	n->started = false;
	return 0;
}

int
fp_node_promote(fp_drill *d, int i, char *err, size_t errlen)
{
	fp_drill_node *n = &d->node[i];
	char		ctl_log[PATH_MAX];
	char	   *argv[] = {"pg_ctl", "-D", n->datadir, "-w", "-t", "60", "-s", "promote", NULL};

	snprintf(ctl_log, sizeof(ctl_log), "%s/pg_ctl.log", d->dir);
	if (pg_prog(d, "promoting the standby (pg_ctl promote)", argv, ctl_log, 90, err, errlen) != 0)
		return -1;
	d->primary = i;
	return 0;
}

/*
 * Whether process pid belongs to the servers' user (or is gone).  The drill
 * signals the pid a postmaster.pid names; as root, in a directory that user
 * owns, it must not signal whatever process someone wrote there.
 */
static bool
runs_as_servers_user(const fp_drill *d, pid_t pid)
{
	char		proc[64];
	struct stat st;

	snprintf(proc, sizeof(proc), "/proc/%ld", (long) pid);
	if (stat(proc, &st) != 0)
		return true;			/* gone: signalling it does nothing */
	return st.st_uid == (d->as_user ? d->uid : getuid());
}

pid_t
fp_node_postmaster(const fp_drill *d, int i)
{
	char		path[PATH_MAX + 32];
	long		pid = 0;
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/postmaster.pid", d->node[i].datadir);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 1 && runs_as_servers_user(d, (pid_t) pid) ? (pid_t) pid : 0;
}

/* ---- SQL on a node --------------------------------------------------------- */

/* The superuser's conninfo for one port, with the drill's password file. */
static void
node_conninfo(const fp_drill *d, int port, char *out, size_t outlen)
{
	snprintf(out, outlen, "host=127.0.0.1 port=%d user=" FP_SUPERUSER " dbname=postgres "
			 "passfile='%s'", port, d->passfile);
}

void
fp_node_conninfo(const fp_drill *d, int i, char *out, size_t outlen)
{
	node_conninfo(d, d->node[i].client_port, out, outlen);
}

int
fp_node_sql(const fp_drill *d, int i, const char *sql, char *out, size_t outlen,
			char *err, size_t errlen)
{
	char		ci[PATH_MAX + 192];
	PGconn	   *pg;
	PGresult   *res;
	int			rc = -1;

	node_conninfo(d, d->node[i].port, ci, sizeof(ci));
	snprintf(ci + strlen(ci), sizeof(ci) - strlen(ci),
			 " connect_timeout=5 application_name=failprobe-drill");
	pg = PQconnectdb(ci);
	if (PQstatus(pg) != CONNECTION_OK)
	{
		snprintf(err, errlen, "cannot connect to the %s: %s", d->node[i].name, PQerrorMessage(pg));
		err[strcspn(err, "\n")] = '\0';
		PQfinish(pg);
		return -1;
	}
	res = PQexec(pg, sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK)
	{
		snprintf(out, outlen, "%s", PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
		rc = 0;
	}
	else
	{
		snprintf(err, errlen, "on the %s: %s", d->node[i].name, PQresultErrorMessage(res));
		err[strcspn(err, "\n")] = '\0';
	}
	PQclear(res);
	PQfinish(pg);
	return rc;
}

/* Poll sql on node i until it returns "t", up to timeout_s.  0 or -1. */
static int
wait_true(const fp_drill *d, int i, const char *sql, double timeout_s)
{
	double		end = fp_proc_now() + timeout_s;
	char		v[16], err[256];

	while (fp_proc_now() < end)
	{
		if (fp_node_sql(d, i, sql, v, sizeof(v), err, sizeof(err)) == 0 && strcmp(v, "t") == 0)
			return 0;
		if (!fp_proc_sleep(0.1))
			return -1;
	}
	return -1;
}

/* ---- making the cluster ---------------------------------------------------- */

static int
append_conf(const char *datadir, const char *file, const char *text, char *err, size_t errlen)
{
	char		path[PATH_MAX + 32];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", datadir, file);
	f = fopen(path, "a");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
	{
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The file as the servers' user may need it (root made it). */
static void
give(const fp_drill *d, const char *path)
{
	if (d->as_user && chown(path, d->uid, d->gid) != 0)
		fp_drill_error("cannot chown %s: %s", path, strerror(errno));
}

static int
configure_primary(fp_drill *d, char *err, size_t errlen)
{
	char		conf[2048];
	int			maxconn = d->o.clients + 20 > 100 ? d->o.clients + 20 : 100;

	snprintf(conf, sizeof(conf),
			 "\n# failprobe drill\n"
			 "listen_addresses = '127.0.0.1'\n"
			 "port = %d\n"
			 "unix_socket_directories = '%s'\n"
			 "cluster_name = 'primary'\n"
			 "max_connections = %d\n"
			 "wal_level = replica\n"
			 "max_wal_senders = 8\n"
			 "wal_keep_size = '512MB'\n"
			 "wal_log_hints = on\n"
			 "log_line_prefix = '%%m [%%p] '\n"
			 "%s",
			 d->node[0].port, d->dir, maxconn,
			 d->extension ? "shared_preload_libraries = 'pg_failprobe'\n"
			 "pg_failprobe.report_commits = lsn_time\n"
			 "pg_failprobe.heartbeat_interval = 100\n" : "");
	return append_conf(d->node[0].datadir, "postgresql.conf", conf, err, errlen);
}

static int
initdb(fp_drill *d, char *err, size_t errlen)
{
	char		log[PATH_MAX], pwfile[PATH_MAX + 16];
	char	   *argv[] = {"initdb", "-D", d->node[0].datadir, "-U", FP_SUPERUSER,
		"-A", "scram-sha-256", pwfile, "-E", "UTF8", "--locale=C", "-N", NULL};
	int			rc;

	snprintf(pwfile, sizeof(pwfile), "--pwfile=%s", d->pwfile);
	snprintf(log, sizeof(log), "%s/initdb.log", d->dir);
	rc = pg_prog(d, "initdb", argv, log, 120, err, errlen);
	fp_secret_drop_pwfile(d);
	return rc;
}

/* The standby's (or a rejoining node's) own settings: its port and where
 * it streams from.  Appended last, so they win over the copied ones. */
static int
configure_standby(fp_drill *d, int i, int upstream, char *err, size_t errlen)
{
	char		conf[PATH_MAX + 512], path[PATH_MAX + 32];
	FILE	   *f;

	snprintf(conf, sizeof(conf),
			 "\n# failprobe drill: %s, streaming from the %s\n"
			 "port = %d\n"
			 "cluster_name = '%s'\n"
			 "primary_conninfo = 'host=127.0.0.1 port=%d user=" FP_SUPERUSER
			 " passfile=''%s'' application_name=%s'\n",
			 d->node[i].name, d->node[upstream].name, d->node[i].port, d->node[i].name,
			 d->node[upstream].client_port, d->passfile, d->node[i].name);
	if (append_conf(d->node[i].datadir, "postgresql.conf", conf, err, errlen) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/standby.signal", d->node[i].datadir);
	f = fopen(path, "w");
	if (f == NULL || fclose(f) != 0)
	{
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	give(d, path);
	return 0;
}

static int
base_backup(fp_drill *d, char *err, size_t errlen)
{
	char		ci[PATH_MAX + 128], log[PATH_MAX];
	char	   *argv[] = {"pg_basebackup", "-d", ci,
		"-D", d->node[1].datadir, "-X", "stream", "-c", "fast", "-N", NULL};

	node_conninfo(d, d->node[0].port, ci, sizeof(ci));
	snprintf(log, sizeof(log), "%s/pg_basebackup.log", d->dir);
	return pg_prog(d, "pg_basebackup", argv, log, 300, err, errlen);
}

static int
make_synchronous(fp_drill *d, char *err, size_t errlen)
{
	char		v[64];

	if (fp_node_sql(d, 0, "ALTER SYSTEM SET synchronous_standby_names = 'standby'", v, sizeof(v),
					err, errlen) != 0 ||
		fp_node_sql(d, 0, "SELECT pg_reload_conf()", v, sizeof(v), err, errlen) != 0)
		return -1;
	return 0;
}

int
fp_cluster_create(fp_drill *d, char *err, size_t errlen)
{
	char		v[64];
	const char *streaming = d->o.async
		? "SELECT count(*) = 1 FROM pg_stat_replication WHERE application_name = 'standby' AND state = 'streaming'"
		: "SELECT count(*) = 1 FROM pg_stat_replication WHERE application_name = 'standby' AND sync_state = 'sync'";

	if (initdb(d, err, errlen) != 0 || configure_primary(d, err, errlen) != 0 ||
		fp_node_start(d, 0, err, errlen) != 0)
		return -1;
	if (d->extension &&
		fp_node_sql(d, 0, "CREATE EXTENSION pg_failprobe", v, sizeof(v), err, errlen) != 0)
		return -1;
	if (base_backup(d, err, errlen) != 0 || configure_standby(d, 1, 0, err, errlen) != 0 ||
		fp_node_start(d, 1, err, errlen) != 0)
		return -1;
	if (!d->o.async && make_synchronous(d, err, errlen) != 0)
		return -1;
	if (wait_true(d, 0, streaming, 60) != 0)
	{
		snprintf(err, errlen, fp_drill_interrupted ? "interrupted while waiting for the standby"
				 : "the standby did not start streaming within 60 s; see %s", d->node[1].log);
		return -1;
	}
	return 0;
}

/* ---- a stopped primary rejoins ----------------------------------------------- */

static int
rewind_node(fp_drill *d, int old, int upstream, char *err, size_t errlen)
{
	char		src[PATH_MAX + 128], log[PATH_MAX];
	char	   *argv[] = {"pg_rewind", "-D", d->node[old].datadir, "--source-server", src, NULL};

	node_conninfo(d, d->node[upstream].port, src, sizeof(src));
	snprintf(log, sizeof(log), "%s/pg_rewind.log", d->dir);
	fp_phase("the %s cannot follow the new timeline: pg_rewind", d->node[old].name);
	if (pg_prog(d, "pg_rewind", argv, log, 300, err, errlen) != 0)
		return -1;
	/* pg_rewind copied the upstream's configuration: ours again, last */
	return configure_standby(d, old, upstream, err, errlen);
}

int
fp_cluster_rejoin(fp_drill *d, int old, int upstream, char *err, size_t errlen)
{
	char		sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) = 1 FROM pg_stat_replication "
			 "WHERE application_name = '%s' AND state = 'streaming'", d->node[old].name);
	if (configure_standby(d, old, upstream, err, errlen) != 0 ||
		fp_node_start(d, old, err, errlen) != 0)
		return -1;
	if (wait_true(d, upstream, sql, 15) == 0)
		return 0;
	if (fp_drill_interrupted || fp_node_stop(d, old, "fast", err, errlen) != 0 ||
		rewind_node(d, old, upstream, err, errlen) != 0 || fp_node_start(d, old, err, errlen) != 0)
		return -1;
	if (wait_true(d, upstream, sql, 30) != 0)
	{
		snprintf(err, errlen, "the old %s does not stream from the new primary even after "
				 "pg_rewind; see %s", d->node[old].name, d->node[old].log);
		return -1;
	}
	return 0;
}
