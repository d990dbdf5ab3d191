/*
 * drill_proxy.c - a small TCP proxy on loopback for the partition fault.
 *
 * A partition cannot be made with firewall rules without root, and the
 * drill must work for anyone.  So the client and the standby reach the
 * primary only through this proxy; the partition is the proxy going
 * silent: it stops reading, writing and accepting, but closes nothing, so
 * each side sees what a dropped network shows it (no reset, no answer),
 * while the primary itself keeps running and accepting commits from no one.
 *
 * One thread polls every socket; each connection pair has a buffer per
 * direction, read only when empty, so a slow side slows the other instead
 * of growing memory.
 */
#define _GNU_SOURCE

#include "drill_proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FP_PROXY_BUF 65536

/* One direction of a connection: bytes read from one socket, not yet
 * written to the other. */
typedef struct fp_pipe
{
	char		buf[FP_PROXY_BUF];
	size_t		len;
	size_t		off;
} fp_pipe;

/* A client connection and its connection to the upstream. */
typedef struct fp_pair
{
	int			fd[2];			/* [0] accepted, [1] upstream; -1 closed */
	fp_pipe		dir[2];			/* dir[k]: read from fd[k], written to fd[1-k] */
} fp_pair;

struct fp_proxy
{
	int			listen_fd;
	int			upstream_port;
	pthread_t	thread;
	atomic_bool stop;
	atomic_bool blackhole;
	atomic_long connections;
	fp_pair   **pairs;
	int			npairs;
	int			cap;
};

static int
upstream_connect(int port)
{
	struct sockaddr_in a;
	int			fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int			one = 1;

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t) port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *) &a, sizeof(a)) != 0)
	{
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void
accept_one(struct fp_proxy *p)
{
	int			fd = accept4(p->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int			up, one = 1;
	fp_pair    *pair;

	if (fd < 0)
		return;
	up = upstream_connect(p->upstream_port);
	if (up < 0)
	{
		close(fd);				/* upstream down: refuse, as it would */
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (p->npairs == p->cap)
	{
		int			cap = p->cap ? p->cap * 2 : 16;
		fp_pair   **n = realloc(p->pairs, cap * sizeof(*n));

		if (n == NULL)
		{
			close(fd);
			close(up);
			return;
		}
		p->pairs = n;
		p->cap = cap;
	}
	pair = calloc(1, sizeof(*pair));
	if (pair == NULL)
	{
		close(fd);
		close(up);
		return;
	}
	pair->fd[0] = fd;
	pair->fd[1] = up;
	p->pairs[p->npairs++] = pair;
	atomic_fetch_add(&p->connections, 1);
}

static void
close_pair(fp_pair *pair)
{
	for (int k = 0; k < 2; k++)
		if (pair->fd[k] >= 0)
		{
			close(pair->fd[k]);
			pair->fd[k] = -1;
		}
}

/* Move what can move in direction k (the write side is non-blocking, so
 * it is simply tried); false when the pair is done. */
static bool
pump(fp_pair *pair, int k, short rev_from)
{
	fp_pipe    *d = &pair->dir[k];
	ssize_t		n;

	if ((rev_from & (POLLIN | POLLHUP | POLLERR)) && d->len == 0)
	{
		n = read(pair->fd[k], d->buf, sizeof(d->buf));
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return false;
		if (n > 0)
		{
			d->len = (size_t) n;
			d->off = 0;
		}
	}
	if (d->len > 0)
	{
		n = write(pair->fd[1 - k], d->buf + d->off, d->len);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return false;
		if (n > 0)
		{
			d->off += (size_t) n;
			d->len -= (size_t) n;
		}
	}
	return true;
}

/* Poll once: the listener at [0], then two entries per pair. */
static void
poll_once(struct fp_proxy *p)
{
	int			n = 1 + 2 * p->npairs;
	struct pollfd *fds = calloc(n, sizeof(*fds));

	if (fds == NULL)
		return;
	fds[0].fd = p->listen_fd;
	fds[0].events = POLLIN;
	for (int i = 0; i < p->npairs; i++)
		for (int k = 0; k < 2; k++)
		{
			fp_pair    *pair = p->pairs[i];

			fds[1 + 2 * i + k].fd = pair->fd[k];
			fds[1 + 2 * i + k].events = (pair->dir[k].len == 0 ? POLLIN : 0) |
				(pair->dir[1 - k].len > 0 ? POLLOUT : 0);
		}
	if (poll(fds, n, 50) > 0 && !atomic_load(&p->blackhole))
	{
		for (int i = 0; i < p->npairs; i++)
		{
			fp_pair    *pair = p->pairs[i];
			short		r0 = fds[1 + 2 * i].revents, r1 = fds[2 + 2 * i].revents;

			if (!pump(pair, 0, r0) || !pump(pair, 1, r1))
				close_pair(pair);
		}
		if (fds[0].revents & POLLIN)
			accept_one(p);
	}
	free(fds);
	/* drop closed pairs */
	for (int i = 0; i < p->npairs;)
		if (p->pairs[i]->fd[0] < 0)
		{
			free(p->pairs[i]);
			p->pairs[i] = p->pairs[--p->npairs];
		}
		else
			i++;
}

static void *
proxy_main(void *arg)
{
	struct fp_proxy *p = arg;

	while (!atomic_load(&p->stop))
	{
		if (atomic_load(&p->blackhole))
		{
			/* hold everything open, say nothing */
			usleep(50 * 1000);
			continue;
		}
		poll_once(p);
	}
	return NULL;
}

struct fp_proxy *
fp_proxy_start(int listen_port, int upstream_port, char *err, size_t errlen)
{
	struct fp_proxy *p = calloc(1, sizeof(*p));
	struct sockaddr_in a;
	int			one = 1;

	if (p == NULL)
	{
		snprintf(err, errlen, "out of memory for the proxy");
		return NULL;
	}
	p->upstream_port = upstream_port;
	p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t) listen_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *) &a, sizeof(a)) != 0 ||
		listen(p->listen_fd, 128) != 0)
	{
		snprintf(err, errlen, "the partition proxy cannot listen on 127.0.0.1:%d: %s",
				 listen_port, strerror(errno));
		if (p->listen_fd >= 0)
			close(p->listen_fd);
		free(p);
		return NULL;
	}
	if (pthread_create(&p->thread, NULL, proxy_main, p) != 0)
	{
		snprintf(err, errlen, "cannot start the proxy thread");
		close(p->listen_fd);
		free(p);
		return NULL;
	}
	return p;
}

void
fp_proxy_blackhole(struct fp_proxy *p)
{
	atomic_store(&p->blackhole, true);
}

long
fp_proxy_connections(struct fp_proxy *p)
{
	return atomic_load(&p->connections);
}

void
fp_proxy_stop(struct fp_proxy *p)
{
	if (p == NULL)
		return;
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	for (int i = 0; i < p->npairs; i++)
	{
		close_pair(p->pairs[i]);
		free(p->pairs[i]);
	}
	free(p->pairs);
	close(p->listen_fd);
	free(p);
}
