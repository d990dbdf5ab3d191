/*
 * verify_server.h - what verify asks the node it checks (and the old
 * primary): the run's rows, streamed, and the server's own record of its
 * promotions.
 *
 * Rows come in one COPY (SELECT ...) TO STDOUT per node, never a query per
 * write, and the server computes each row's self-consistency itself
 * (sha256 over identity and payload, compared with the stored digest), so
 * that no payload crosses the network: per row only worker, seq, the first
 * 8 bytes of the digest and a boolean.
 */
#ifndef FP_VERIFY_SERVER_H
#define FP_VERIFY_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "verify_reconcile.h"

/* The node's own view, beside the client's. */
typedef struct fpv_view
{
	bool		in_recovery;	/* a standby (read-only) */
	bool		has_events;		/* failprobe.events is there and readable */
	char		version[32];
	char		note[256];		/* why the server view is missing, if it is */
	fpv_promotion promos[FPV_MAX_PROMOTIONS];
	int			npromos;
} fpv_view;

/* Connect synchronously; what: "--dsn" or "--old-primary", for the message.
 * Returns NULL with a one-line err (no password in it). */
PGconn	   *fpv_connect(const char *dsn, const char *what, char *err, size_t errlen);

/* The table must exist on the node.  Returns 0, or -1 with err. */
int			fpv_table_exists(PGconn *pg, const char *table, const char *node,
							 char *err, size_t errlen);

/* Stream the run's rows into r: checked node (old = false) or old primary.
 * table_sql: the quoted name from fpv_table_sql().  Returns 0, -1 with err. */
int			fpv_stream_rows(PGconn *pg, const char *table_sql, fpv_recon *r, bool old,
							char *err, size_t errlen);

/* Read the node's role and its 'promoted' events.  Never fails: a missing
 * or unreadable events table leaves v->has_events false and v->note says why. */
void		fpv_read_view(PGconn *pg, fpv_view *v);

/* "0/3000148" -> 0x3000148; 0 when it does not parse. */
uint64_t	fpv_parse_lsn(const char *text);

#endif
