/*
 * drill_proxy.h - the loopback TCP proxy that lets the drill cut the
 * primary off (--fault partition) while it keeps running.
 */
#ifndef FP_DRILL_PROXY_H
#define FP_DRILL_PROXY_H

#include <stddef.h>

struct fp_proxy;

/* Listen on 127.0.0.1:listen_port and forward every connection to
 * 127.0.0.1:upstream_port, in a thread of its own.  NULL with err. */
struct fp_proxy *fp_proxy_start(int listen_port, int upstream_port, char *err, size_t errlen);

/* The partition: stop forwarding and accepting, and hold every
 * connection open without a word (a blackhole, not a reset). */
void		fp_proxy_blackhole(struct fp_proxy *p);

/* Forwarded connections so far (a check that traffic went through it). */
long		fp_proxy_connections(struct fp_proxy *p);

/* End the thread and close every socket. */
void		fp_proxy_stop(struct fp_proxy *p);

#endif
