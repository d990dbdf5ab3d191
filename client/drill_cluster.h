/*
 * drill_cluster.h - the drill's throwaway primary and standby.
 */
#ifndef FP_DRILL_CLUSTER_H
#define FP_DRILL_CLUSTER_H

#include <stddef.h>

#include "drill_proc.h"
#include "drill_state.h"

/*
 * Find the PostgreSQL programs and whether pg_failprobe is installed with
 * them, resolve the servers' OS user when root, and make the temporary
 * directory.  Returns 0, or -1 with a one-line message in err.
 */
int			fp_cluster_prepare(fp_drill *d, char *err, size_t errlen);

/* initdb, start the primary, back it up into a standby, start that and
 * wait until it streams (synchronously unless --async).  0 or -1. */
int			fp_cluster_create(fp_drill *d, char *err, size_t errlen);

/* The servers' credentials, for fp_proc_*. */
fp_cred		fp_cluster_cred(const fp_drill *d);

/* pg_ctl -m MODE stop of node i ("fast" or "immediate"); 0 or -1. */
int			fp_node_stop(fp_drill *d, int i, const char *mode, char *err, size_t errlen);

/* pg_ctl start of node i; 0 or -1. */
int			fp_node_start(fp_drill *d, int i, char *err, size_t errlen);

/* pg_ctl promote -w of node i; on success it is the primary.  0 or -1. */
int			fp_node_promote(fp_drill *d, int i, char *err, size_t errlen);

/* The first value of a fixed query's result on node i (direct port) into
 * out ("" when no row).  0 or -1 with err. */
int			fp_node_sql(const fp_drill *d, int i, const char *sql, char *out, size_t outlen,
						char *err, size_t errlen);

/* The postmaster's pid from node i's postmaster.pid, or 0 (also when that
 * process is not the servers' user's). */
pid_t		fp_node_postmaster(const fp_drill *d, int i);

/* Make node old (stopped cleanly) a streaming standby of node upstream:
 * standby.signal and primary_conninfo, pg_rewind only if it cannot
 * follow.  0 or -1. */
int			fp_cluster_rejoin(fp_drill *d, int old, int upstream, char *err, size_t errlen);

/* A free TCP port on 127.0.0.1, or -1. */
int			fp_free_port(void);

/* The libpq conninfo of node i for the drill's children (the client
 * port: through the proxy when there is one). */
void		fp_node_conninfo(const fp_drill *d, int i, char *out, size_t outlen);

#endif
