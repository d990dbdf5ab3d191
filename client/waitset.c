/*
 * waitset.c - epoll behind the load threads' wait (see waitset.h).
 */
#define _GNU_SOURCE

#include "waitset.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

int
fp_waitset_init(fp_waitset *ws, int nslots)
{
	ws->nslots = nslots;
	ws->epfd = epoll_create1(EPOLL_CLOEXEC);
	ws->fd = malloc(sizeof(int) * nslots);
	ws->events = calloc(nslots, sizeof(uint32_t));
	ws->ready = calloc(nslots, sizeof(struct epoll_event));
	if (ws->epfd < 0 || !ws->fd || !ws->events || !ws->ready)
		return -1;
	for (int i = 0; i < nslots; i++)
		ws->fd[i] = -1;
	return 0;
}

void
fp_waitset_free(fp_waitset *ws)
{
	if (ws->epfd >= 0)
		close(ws->epfd);
	free(ws->fd);
	free(ws->events);
	free(ws->ready);
	ws->epfd = -1;
	ws->fd = NULL;
	ws->events = NULL;
	ws->ready = NULL;
}

static uint32_t
epoll_mask(int what)
{
	return ((what & FP_WAIT_IN) ? EPOLLIN : 0) | ((what & FP_WAIT_OUT) ? EPOLLOUT : 0);
}

static void
forget(fp_waitset *ws, int slot)
{
	/* a closed socket has left the set by itself: ENOENT is expected */
	if (ws->fd[slot] >= 0)
		(void) epoll_ctl(ws->epfd, EPOLL_CTL_DEL, ws->fd[slot], NULL);
	ws->fd[slot] = -1;
	ws->events[slot] = 0;
}

static void
add(fp_waitset *ws, int slot, int fd, uint32_t mask)
{
	struct epoll_event ev = {.events = mask, .data.u32 = (uint32_t) slot};

	/* another slot that still names this number had a socket since closed */
	for (int i = 0; i < ws->nslots; i++)
		if (i != slot && ws->fd[i] == fd)
			ws->fd[i] = -1;
	if (epoll_ctl(ws->epfd, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
		(void) epoll_ctl(ws->epfd, EPOLL_CTL_MOD, fd, &ev);
	ws->fd[slot] = fd;
	ws->events[slot] = mask;
}

void
fp_waitset_set(fp_waitset *ws, int slot, int fd, int what, bool fresh)
{
	uint32_t	mask = epoll_mask(what);

	if (fd < 0 || mask == 0)
	{
		forget(ws, slot);
		return;
	}
	if (fresh || ws->fd[slot] != fd)
	{
		forget(ws, slot);
		add(ws, slot, fd, mask);
	}
	else if (ws->events[slot] != mask)
	{
		struct epoll_event ev = {.events = mask, .data.u32 = (uint32_t) slot};

		if (epoll_ctl(ws->epfd, EPOLL_CTL_MOD, fd, &ev) != 0)
			add(ws, slot, fd, mask);
		ws->events[slot] = mask;
	}
}

int
fp_waitset_wait(fp_waitset *ws, int64_t wait_us)
{
	struct timespec ts;
	int			r;

	if (wait_us < 0)
		wait_us = 0;
	ts.tv_sec = wait_us / 1000000;
	ts.tv_nsec = (wait_us % 1000000) * 1000;
	r = epoll_pwait2(ws->epfd, ws->ready, ws->nslots, &ts, NULL);
	if (r < 0 && errno == ENOSYS)	/* kernels before 5.11: millisecond timeouts */
		r = epoll_wait(ws->epfd, ws->ready, ws->nslots, (int) ((wait_us + 999) / 1000));
	return r;
}

int
fp_waitset_ready(const fp_waitset *ws, int k, int *what)
{
	const struct epoll_event *ev = &((const struct epoll_event *) ws->ready)[k];

	*what = ((ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ? FP_WAIT_IN : 0) |
		((ev->events & EPOLLOUT) ? FP_WAIT_OUT : 0);
	return (int) ev->data.u32;
}
