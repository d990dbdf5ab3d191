/*
 * worker.c - a load thread: its connections, its loop, its statistics.
 *
 * Like wrk2, each thread owns its connections and its histograms, so the hot
 * path takes no shared lock; the thread's own lock is held while it handles
 * events and is taken by the progress reporter once a second to collect
 * the interval's figures.  The loop: act on every connection (send what is
 * due, count what was missed while it was down, reconnect), hand ledger
 * records over, then wait (epoll, see waitset.h) on all sockets until one
 * is ready or the next write is due.
 */
#define _GNU_SOURCE

#include "worker.h"
#include "schedule.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conn.h"

/* After the end, how long in-flight writes may take to be answered. */
#define FP_DRAIN_US (10 * 1000000LL)
/* How long the initial connections may take. */
#define FP_STARTUP_US (15 * 1000000LL)

int
fp_thread_init(fp_thread *t, fp_run *run, int index, int first, int n)
{
	memset(t, 0, sizeof(*t));
	t->waits.epfd = -1;
	t->run = run;
	t->index = index;
	t->nconns = n;
	t->reply_timeout_us = (int64_t) (run->cfg->reply_timeout_s * 1e6);
	t->conns = calloc(n, sizeof(fp_conn));
	if (fp_waitset_init(&t->waits, n) != 0)
		return -1;
	t->payload = malloc(run->cfg->payload_bytes + 1);
	t->sqlsize = 512 + 2 * (size_t) run->cfg->payload_bytes;
	t->sql = malloc(t->sqlsize);
	if (!t->conns || !t->payload || !t->sql || fp_hist_init(&t->total) || fp_hist_init(&t->interval) ||
		fp_hist_init(&t->lag) || fp_digester_init(&t->digester))
		return -1;
	pthread_mutex_init(&t->lock, NULL);
	for (int i = 0; i < n; i++)
	{
		fp_conn    *c = &t->conns[i];

		c->thread = t;
		c->worker = (uint32_t) (first + i);
		/*
		 * The threads take turns in the round robin (the i-th connections
		 * of all threads, then the (i+1)-th ...), so that each thread's
		 * writes come due evenly spread rather than its connections' all
		 * in one stretch and then none: a thread then wakes once per group
		 * it sends instead of for every answer of a stretch.  i * threads
		 * + index covers 0 .. clients-1 once, whatever the split.
		 */
		c->slot = i * run->cfg->threads + index;
		c->next_seq = 1;
		c->cap = run->cfg->pipeline;
		c->ring = calloc(c->cap, sizeof(fp_inflight));
		if (!c->ring)
			return -1;
		c->scheduled = run->cfg->nstages > 0;
		fp_conn_init_sql(c);
	}
	return 0;
}

void
fp_thread_free(fp_thread *t)
{
	for (int i = 0; t->conns && i < t->nconns; i++)
	{
		if (t->conns[i].pg)
			PQfinish(t->conns[i].pg);
		free(t->conns[i].ring);
	}
	free(t->conns);
	fp_waitset_free(&t->waits);
	free(t->payload);
	fp_digester_free(&t->digester);
	free(t->sql);
	fp_hist_free(&t->total);
	fp_hist_free(&t->interval);
	fp_hist_free(&t->lag);
	pthread_mutex_destroy(&t->lock);
}

/*
 * Tell the wait set what connection i's socket waits for now.  A ready
 * connection keeps the socket it had in setup (libpq changes sockets only
 * while connecting), so when it waits for what it waited for last time
 * there is nothing to tell: that is most connections of most passes, and
 * asking the wait set cost 60 instructions each.
 */
static void
update_wait(fp_thread *t, int i)
{
	fp_conn    *c = &t->conns[i];
	int			fd;
	int			what = 0;

	if (c->state == FP_CONN_READY &&
		c->waiting == (FP_WAIT_IN | (c->want_write ? FP_WAIT_OUT : 0)))
		return;
	fd = c->pg ? PQsocket(c->pg) : -1;
	if (fd >= 0)
	{
		if (c->state == FP_CONN_CONNECTING)
			what = c->poll == PGRES_POLLING_READING ? FP_WAIT_IN : FP_WAIT_OUT;
		else
			what = FP_WAIT_IN | (c->want_write ? FP_WAIT_OUT : 0);
	}
	/* while connecting, libpq may swap sockets between calls */
	fp_waitset_set(&t->waits, i, fd, what, c->state == FP_CONN_CONNECTING);
	c->waiting = what;
}

/* Earliest of 'soonest' and the next moment connection c needs attention. */
static int64_t
next_wakeup(const fp_conn *c, int64_t soonest, int64_t now, int64_t end, int depth)
{
	int64_t		t = soonest;
	int64_t		silent = fp_conn_reply_deadline(c);	/* INT64_MAX unless ready */

	switch (c->state)
	{
		case FP_CONN_DOWN:
			/*
			 * No reconnecting after the end (act() does not), so no waking
			 * for it either: a retry_at already past would spin the drain.
			 */
			if (c->retry_at < t && c->retry_at < end && now < end)
				t = c->retry_at;
			break;
		case FP_CONN_CONNECTING:
		case FP_CONN_SETUP:
			if (c->deadline < t)
				t = c->deadline;
			break;
		case FP_CONN_READY:
			if (silent < t)
				t = silent;
			break;
	}
	/* a due write wakes us even while down: it must be counted as missed */
	if (c->scheduled && c->next_due < end && c->next_due < t &&
		(c->state != FP_CONN_READY || (c->count < depth && !c->read_only)))
		t = c->next_due;
	return t;
}

/*
 * Whether this thread lets answers gather: pipelined, with writes in flight,
 * and no connection being opened (each step of a reconnection waits for the
 * server, and the time it takes is part of the outage we measure).
 */
static bool
gathering(const fp_thread *t)
{
	bool		in_flight = false;

	if (t->run->cfg->pipeline < 2)
		return false;
	for (int i = 0; i < t->nconns; i++)
	{
		const fp_conn *c = &t->conns[i];

		if (c->state == FP_CONN_CONNECTING || c->state == FP_CONN_SETUP)
			return false;
		in_flight |= c->state == FP_CONN_READY && c->count > 0;
	}
	return in_flight;
}

static void
nap_us(int64_t us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	nanosleep(&ts, NULL);
}

/*
 * Pipelined runs: the answers to a group of writes arrive one by one as the
 * server commits them, and waking for each costs more CPU than anything
 * else the client does.  So a pipelined thread with writes in flight looks
 * at its sockets at most every FP_COALESCE_US: having handled answers, it
 * lets more arrive for that long (never past its next due write), and when
 * its next write is due within that long, it sleeps until then instead of
 * waiting on the sockets, and reads what came meanwhile when it wakes to
 * send: one wake-up for both, where waiting on the sockets took one for the
 * first answer, one for the pause and one for the due write.  The latency
 * of those answers grows by at most the pause, and it is measured, as
 * always, from the schedule.
 *
 * Measured (16 connections, K=8): a 1 ms pause rather than 0.2 ms cut the
 * client's instructions per write by a fifth to a third at 2000 and 8000/s
 * and raised the TPS at rate 0.  Sleeping until a due write within 2 ms,
 * with threads that take turns in the schedule (fp_thread_init), halved the
 * voluntary context switches per write at 8000/s on 2 threads (0.25 to
 * 0.13) and cut the CPU per write by a fifth: on the VMs we measure on, a
 * timer's wake-up costs several times a socket's (bench/wake_cost.c).
 * Without pipelining the same pause only lowered the TPS.
 */
static void
coalesce(fp_thread *t, int64_t until)
{
	int64_t		pause;

	if (!gathering(t))
		return;
	pause = until - fp_mono_us();
	if (pause > 0)
		nap_us(pause < FP_COALESCE_US ? pause : FP_COALESCE_US);
}

/*
 * Wait until a socket is ready or 'until' (monotonic); then let each ready
 * connection handle its input and output.  A pipelined thread with writes
 * in flight whose next wake-up is that close sleeps until it first (see
 * coalesce).
 */
static void
wait_and_handle(fp_thread *t, int64_t until)
{
	int64_t		now;
	int64_t		wait = until - fp_mono_us();
	int			r;

	for (int i = 0; i < t->nconns; i++)
		update_wait(t, i);
	if (wait > 0 && wait <= FP_COALESCE_US && gathering(t))
	{
		nap_us(wait);
		wait = 0;
	}
	r = fp_waitset_wait(&t->waits, wait);
	if (r <= 0)
		return;

	now = fp_mono_us();
	pthread_mutex_lock(&t->lock);
	for (int k = 0; k < r; k++)
	{
		int			what;
		int			i = fp_waitset_ready(&t->waits, k, &what);

		fp_conn_io(&t->conns[i], now, (what & FP_WAIT_IN) != 0);
	}
	pthread_mutex_unlock(&t->lock);
	coalesce(t, until);
}

/* Open every connection before the run starts; note the first failure. */
static void
connect_all(fp_thread *t)
{
	int64_t		now = fp_mono_us();
	int64_t		give_up = now + FP_STARTUP_US;

	pthread_mutex_lock(&t->lock);	/* fp_conn_start lets go of it while libpq resolves */
	for (int i = 0; i < t->nconns; i++)
		fp_conn_start(&t->conns[i], now);
	pthread_mutex_unlock(&t->lock);
	for (;;)
	{
		int			pending = 0;

		for (int i = 0; i < t->nconns; i++)
		{
			fp_conn    *c = &t->conns[i];

			if (c->state == FP_CONN_DOWN && t->setup_failures == 0)
			{
				t->setup_failures++;
				snprintf(t->setup_error, sizeof(t->setup_error), "%s", c->last_error);
			}
			if (c->state == FP_CONN_CONNECTING || c->state == FP_CONN_SETUP)
				pending++;
		}
		if (pending == 0 || t->setup_failures > 0 || fp_mono_us() > give_up)
			break;
		wait_and_handle(t, fp_mono_us() + 100000);
	}
	if (t->setup_failures == 0 && fp_mono_us() > give_up)
	{
		t->setup_failures = 1;
		snprintf(t->setup_error, sizeof(t->setup_error),
				 "timed out opening connections");
	}
}

/* One pass over the connections: miss, reconnect, send.  Returns the next wakeup. */
static int64_t
act(fp_thread *t, int64_t now, int64_t end, int *busy)
{
	int			depth = t->run->cfg->pipeline;
	int64_t		wake = now + 100000;
	int			down = 0;

	*busy = 0;
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->nconns; i++)
	{
		fp_conn    *c = &t->conns[i];

		if ((c->state == FP_CONN_CONNECTING || c->state == FP_CONN_SETUP) &&
			now > c->deadline)
			fp_conn_host_timeout(c, now);
		if (now > fp_conn_reply_deadline(c))
			fp_conn_drop(c, now, "no answer from the server within --reply-timeout",
						 FP_SQLSTATE_LOST);
		if (c->state != FP_CONN_READY)
		{
			down++;
			fp_conn_miss_due(c, now, end);
			if (c->state == FP_CONN_DOWN && now >= c->retry_at && now < end)
				fp_conn_start(c, now);
		}
		else if (c->count < depth || c->want_write)	/* else nothing to send */
			fp_conn_send_due(c, now, end);
		*busy += c->count;
		wake = next_wakeup(c, wake, now, end, depth);
	}
	t->down = down;
	fp_thread_flush(t);
	pthread_mutex_unlock(&t->lock);
	return wake;
}

/*
 * The drain after the end ran out: whatever is still unanswered is in
 * doubt, and writes that came due before the end but never went out (the
 * pipeline stayed full) are missed, so that none vanishes uncounted.
 */
static void
give_up_inflight(fp_thread *t, int64_t now, int64_t end)
{
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->nconns; i++)
	{
		if (t->conns[i].count > 0)
			fp_conn_drop(&t->conns[i], now, "run ended before the answer", NULL);
		fp_conn_miss_due(&t->conns[i], now, end);
	}
	fp_thread_flush(t);
	pthread_mutex_unlock(&t->lock);
}

/* Count this thread as ended and wake the watcher (run.c) to see it. */
static void
thread_done(fp_run *run)
{
	atomic_fetch_add(&run->finished, 1);
	sem_post(&run->wake);
}

void *
fp_thread_main(void *arg)
{
	fp_thread  *t = arg;
	fp_run	   *run = t->run;

	connect_all(t);
	pthread_barrier_wait(&run->ready);
	pthread_barrier_wait(&run->go);
	if (atomic_load(&run->stop) && run->start_mono == run->end_mono)
	{
		thread_done(run);
		return NULL;
	}

	for (int i = 0; i < t->nconns; i++)
		t->conns[i].next_due = t->conns[i].scheduled ? fp_conn_due(&t->conns[i], 1) : run->start_mono;
	int64_t		stopped_at = 0;

	for (;;)
	{
		int64_t		now = fp_mono_us();
		int64_t		end = run->end_mono;
		int			busy;

		/* SIGINT/SIGTERM: schedule nothing more, drain what is in flight */
		if (stopped_at == 0 && atomic_load(&run->stop))
			stopped_at = now;
		if (stopped_at && stopped_at < end)
			end = stopped_at;
		{
		int64_t		wake = act(t, now, end, &busy);

		if (now >= end && busy == 0)
			break;
		if (now >= end + FP_DRAIN_US)
		{
			give_up_inflight(t, now, end);
			break;
		}
		wait_and_handle(t, wake);
		}
	}
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->nconns; i++)
	{
		if (t->conns[i].pg)
		{
			PQfinish(t->conns[i].pg);
			t->conns[i].pg = NULL;
		}
	}
	fp_thread_flush(t);
	pthread_mutex_unlock(&t->lock);
	thread_done(run);
	return NULL;
}
