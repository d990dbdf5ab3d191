/*
 * pqmsg.h - libpq's messages cut to one line.
 *
 * The client's errors are one line each (and the server metrics file one
 * line per sample), but libpq's messages end in a newline and may carry
 * DETAIL or HINT lines after the first.
 */
#ifndef FP_PQMSG_H
#define FP_PQMSG_H

#include <stddef.h>

/* The first line of msg into dst; "unknown error" when msg is NULL or "". */
void		fp_pq_first_line(char *dst, size_t size, const char *msg);

/*
 * A libpq notice processor for the run's connections: the first server
 * notice of the process on one line on stderr, the rest dropped.  libpq's
 * own prints every notice whole, once per connection and reconnection,
 * into the progress lines.  Thread-safe.
 */
void		fp_pq_notice_once(void *arg, const char *message);

#endif
