/*
 * setup.h - before a run: reach the server, find or make the ledger table.
 */
#ifndef FP_SETUP_H
#define FP_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

typedef struct fp_target
{
	const char *table;			/* failprobe.ledger or failprobe_client.ledger */
	bool		extension;		/* the pg_failprobe extension's table */
	bool		report_lsn;		/* the library is loaded: commit LSNs reported */
	bool		pooled;			/* a pooler (PgBouncer) stands in between */
	bool		pooler_prepares;	/* pooled, and the pooler keeps named
									 * prepared statements per client */
	char		user[64];
	char		server_version[32];
} fp_target;

/*
 * Connect once, synchronously, and decide where the writes go: the
 * extension's failprobe.ledger when pg_failprobe is installed, else the
 * plain failprobe_client.ledger (created by --init).  Returns 0, or -1 with
 * a one-line message in err naming the problem and what to do.
 */
int			fp_setup_target(const fp_config *cfg, fp_target *target,
							char *err, size_t errlen);

#endif
