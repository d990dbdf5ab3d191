/*
 * waitset.h - the sockets one load thread waits on, kept in an epoll set.
 *
 * poll() walks every socket on every wake-up; at thousands of writes per
 * second each answer is a wake-up, and that walk was the largest part of
 * the client's CPU per write.  An epoll set is told only what changes.
 *
 * A slot is one connection.  Its socket may change under it while libpq
 * opens a connection (one socket per host tried, and a closed socket's
 * number is soon reused), so a slot whose socket may be new is registered
 * afresh each time it is set ('fresh'); a ready connection's socket is
 * stable and costs no system call unless what it waits for changes.
 */
#ifndef FP_WAITSET_H
#define FP_WAITSET_H

#include <stdbool.h>
#include <stdint.h>

#define FP_WAIT_IN	1			/* readable, or closed, or in error */
#define FP_WAIT_OUT 2			/* writable */

typedef struct fp_waitset
{
	int			epfd;
	int			nslots;
	int		   *fd;				/* the socket registered for each slot; -1 */
	uint32_t   *events;			/* what it is registered for */
	void	   *ready;			/* struct epoll_event[nslots] */
} fp_waitset;

/* 0, or -1 with errno set. */
int			fp_waitset_init(fp_waitset *ws, int nslots);
void		fp_waitset_free(fp_waitset *ws);

/* Slot waits for FP_WAIT_* on fd; fd < 0 or what == 0: for nothing. */
void		fp_waitset_set(fp_waitset *ws, int slot, int fd, int what, bool fresh);

/*
 * Wait up to wait_us microseconds (0: just look).  Returns how many slots
 * are ready; fp_waitset_ready() names them.  -1 on error (EINTR included).
 */
int			fp_waitset_wait(fp_waitset *ws, int64_t wait_us);

/* The k-th ready slot of the last wait, and what it is ready for. */
int			fp_waitset_ready(const fp_waitset *ws, int k, int *what);

#endif
