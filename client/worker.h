/*
 * worker.h - a load thread and the connections it drives.
 */
#ifndef FP_WORKER_H
#define FP_WORKER_H

#include "digest.h"
#include "run.h"
#include "waitset.h"

/*
 * Pipelined runs: how long a thread lets answers gather before it looks at
 * its sockets again, after it handled some or when its next write is due
 * that soon (worker.c says why).  The summary says it, as the latency of an
 * answer includes up to this much.
 */
#define FP_COALESCE_US 2000

typedef struct fp_conn fp_conn;

/*
 * One OS thread: drives its share of the connections with non-blocking
 * libpq (send, then wait on all sockets with poll), records outcomes into
 * its own histograms and counters, and hands ledger records over in batches.
 */
struct fp_thread
{
	fp_run	   *run;
	int			index;
	pthread_t	tid;
	fp_conn    *conns;
	int			nconns;
	fp_waitset	waits;			/* their sockets */
	int64_t		reply_timeout_us;	/* --reply-timeout, asked per connection per pass */
	unsigned char *payload;		/* --payload-bytes of the write being sent */
	fp_digester digester;		/* SHA-256 of each write */
	char	   *sql;			/* simple protocol: the query text */
	size_t		sqlsize;

	/* Guarded by lock: what the progress reporter takes once a second. */
	pthread_mutex_t lock;
	fp_hist		interval;		/* latencies since the last report */
	fp_counts	interval_counts;
	int			down;			/* connections not ready now */
	char		note[160];		/* e.g. "reconnecting to 10.0.0.2:5432" */

	/* Owned by the thread; read after it joined. */
	fp_hist		total;			/* latency from schedule to acknowledgement */
	fp_hist		lag;			/* schedule lag: from due to sent */
	fp_counts	counts;
	uint64_t	connects;		/* connection attempts, the first ones included */
	uint64_t	connects_failed;	/* attempts that ended before a usable session */
	fp_record	batch[512];
	int			nbatch;
	int			setup_failures; /* initial connections that failed */
	char		setup_error[256];
};

/* Set up thread t for connections [first, first + n); 0 or -1 (ENOMEM). */
int			fp_thread_init(fp_thread *t, fp_run *run, int index, int first, int n);
void	   *fp_thread_main(void *arg);
void		fp_thread_free(fp_thread *t);

#endif
