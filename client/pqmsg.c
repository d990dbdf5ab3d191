/*
 * pqmsg.c - libpq's messages cut to one line; see pqmsg.h.
 */
#include "pqmsg.h"

#include <stdio.h>
#include <string.h>

void
fp_pq_first_line(char *dst, size_t size, const char *msg)
{
	snprintf(dst, size, "%s", msg && msg[0] ? msg : "unknown error");
	dst[strcspn(dst, "\n")] = '\0';
}
