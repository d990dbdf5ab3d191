/*
 * pqmsg.c - libpq's messages cut to one line; see pqmsg.h.
 */
#include "pqmsg.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

void
fp_pq_first_line(char *dst, size_t size, const char *msg)
{
	snprintf(dst, size, "%s", msg && msg[0] ? msg : "unknown error");
	dst[strcspn(dst, "\n")] = '\0';
}

void
fp_pq_notice_once(void *arg, const char *message)
{
	static atomic_flag shown = ATOMIC_FLAG_INIT;
	char		line[300];

	(void) arg;
	if (atomic_flag_test_and_set(&shown))
		return;
	fp_pq_first_line(line, sizeof(line), message);
	fprintf(stderr, "failprobe: server notice (only the first is shown): %s\n", line);
}
