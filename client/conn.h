/*
 * conn.h - one connection of a load thread, and its state machine.
 */
#ifndef FP_CONN_H
#define FP_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "worker.h"

/* Where a connection is; the thread's loop acts on it. */
typedef enum fp_conn_state
{
	FP_CONN_DOWN,				/* no connection; next attempt at retry_at */
	FP_CONN_CONNECTING,			/* PQconnectPoll in progress */
	FP_CONN_SETUP,				/* connected: identity query (and PREPARE) in flight */
	FP_CONN_READY				/* sending writes */
} fp_conn_state;

/* Steps of FP_CONN_SETUP. */
typedef enum fp_setup_step
{
	FP_SETUP_IDENTITY,			/* SELECT who-are-you, and is this a pooler */
	FP_SETUP_REPORT,			/* SET report_commits (direct connections only) */
	FP_SETUP_PREPARE			/* PREPARE the insert (--protocol prepared) */
} fp_setup_step;

/* A write sent and not yet answered. */
typedef struct fp_inflight
{
	uint64_t	seq;
	int64_t		sched_mono;
	int64_t		sent_mono;
	bool		answered;		/* pipeline: its result came, its sync not yet */
	bool		failed;			/* the server said no */
	uint32_t	tli;			/* pooled: timeline the INSERT returned; 0 unknown */
	char		sqlstate[6];
} fp_inflight;

struct fp_conn
{
	fp_thread  *thread;
	uint32_t	worker;			/* number across the run, from 0 */
	int			slot;			/* its place in the schedule's round robin */
	PGconn	   *pg;
	fp_conn_state state;
	fp_setup_step setup;
	PostgresPollingStatusType poll;	/* what PQconnectPoll wants next */
	int64_t		deadline;		/* connecting/setup must be done by then */
	int64_t		retry_at;		/* DOWN: when to try again */
	int			failures;		/* consecutive failed attempts */
	bool		pipeline_mode;
	bool		want_write;		/* libpq has unsent output */
	bool		seen_null;		/* pipeline: last PQgetResult gave NULL */
	bool		read_only;		/* a write failed as read-only: reconnect */
	int			waiting;		/* FP_WAIT_* its socket was last registered for */

	/*
	 * A pooler (PgBouncer) stands between us and the server: the backend pid
	 * it announced is not the server's.  Each transaction may then run in
	 * another server session, even on another node after a failover, so the
	 * setup's identity says nothing about later writes: each INSERT returns
	 * its own timeline instead, and commit LSNs are not read (the SET that
	 * turns them on would stick to one pooled session and leak to others).
	 */
	bool		pooled;

	/* the schedule: write 'next_seq' is due at 'next_due' (monotonic) */
	uint64_t	next_seq;
	int64_t		next_due;
	bool		scheduled;		/* writes have due times; false: as fast as possible */
	int64_t		last_input;		/* when bytes last came from the server */
	int			first_host;		/* the host list starts here this attempt */
	char		trying[300];	/* host:port being tried, to time each host */

	/* writes in flight, oldest first (a ring of 'cap' entries) */
	fp_inflight *ring;
	int			head;
	int			count;
	int			cap;

	/* its INSERT, run_id and worker written in (fp_conn_init_sql) */
	char		insert_sql[320];
	char		insert_tli_sql[448];	/* pooled: RETURNING the timeline */
	int			insert_nparams;

	/* who serves this connection */
	uint32_t	server;
	uint32_t	tli;
	char		last_error[160];
};

/* Begin connecting (non-blocking but for name lookup).  Both take the
 * thread's lock held, and let go of it while libpq may resolve a name. */
void		fp_conn_start(fp_conn *c, int64_t now);

/* Drive the connection after poll() said its socket is ready, or on timeout. */
void		fp_conn_io(fp_conn *c, int64_t now, bool readable);

/*
 * The moment a ready connection with writes in flight is given up on when
 * nothing more comes from the server (--reply-timeout); INT64_MAX: never.
 *
 * Keepalives and tcp_user_timeout notice a peer that is gone, but not one
 * whose packets are still acknowledged by something in between (a proxy, a
 * load balancer, a pooler whose server vanished): there only silence tells.
 * Silence is counted from the later of the oldest unanswered write and the
 * last bytes received, so a slow server that still answers is left alone.
 * Inline: the thread's loop asks it twice per connection per wake-up.
 */
static inline int64_t
fp_conn_reply_deadline(const fp_conn *c)
{
	int64_t		limit = c->thread->reply_timeout_us;
	int64_t		sent;

	if (c->state != FP_CONN_READY || c->count == 0 || limit <= 0)
		return INT64_MAX;
	sent = c->ring[c->head].sent_mono;
	return (sent > c->last_input ? sent : c->last_input) + limit;
}

/* A connection attempt stayed silent past its host's timeout: try the next host. */
void		fp_conn_host_timeout(fp_conn *c, int64_t now);

/* When write seq of c is due (monotonic us); INT64_MAX: after the schedule ends. */
int64_t		fp_conn_due(const fp_conn *c, uint64_t seq);

/* Send writes that are due, as far as the pipeline allows (conn_send.c). */
void		fp_conn_send_due(fp_conn *c, int64_t now, int64_t end);

/* Push libpq's unsent output; want_write says whether some is left. */
void		fp_conn_flush_output(fp_conn *c, int64_t now);

/*
 * The primary's current timeline, as SQL: the first 8 hex digits of its WAL
 * file's name.  The identity query asks it, and so does each INSERT through
 * a pooler (RETURNING), where each may reach another server.
 */
#define FP_TLI_SQL "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int"

/* Count writes that came due while the connection could not take them. */
void		fp_conn_miss_due(fp_conn *c, int64_t now, int64_t end);

/*
 * Write c's parameterised INSERT (and its variant for pooled connections,
 * RETURNING the timeline) once its thread, run and worker are set.
 */
void		fp_conn_init_sql(fp_conn *c);

/* The INSERT's parameter types: seq, digest, sent_at, payload (conn_send.c). */
extern const Oid fp_insert_types[4];

/* Hand the thread's batched ledger records to the ledger writer. */
void		fp_thread_flush(fp_thread *t);

/*
 * End the connection: what is in flight becomes in doubt, each record
 * carrying sqlstate, what ended the connection: the server's code when it
 * sent one (57P01 admin shutdown, 57P02 crash shutdown, a FATAL's code),
 * FP_SQLSTATE_LOST when the connection broke or went silent without one,
 * NULL when the client gave up waiting for other reasons.
 */
void		fp_conn_drop(fp_conn *c, int64_t now, const char *why, const char *sqlstate);

#endif
