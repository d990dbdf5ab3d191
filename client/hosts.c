/*
 * hosts.c - multi-host connection strings, host by host (see hosts.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "hosts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

/* Split a comma-separated list into out[]; returns how many. */
static int
split(const char *list, char out[][256], int width, int max)
{
	int			n = 0;
	const char *p = list;

	if (list == NULL || list[0] == '\0')
		return 0;
	while (n < max)
	{
		size_t		len = strcspn(p, ",");

		snprintf((char *) out + (size_t) n * width, (size_t) width, "%.*s", (int) len, p);
		n++;
		if (p[len] != ',')
			break;
		p += len + 1;
	}
	return n;
}

static const char *
option(PQconninfoOption *opts, const char *key, const char *env)
{
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, key) == 0 && o->val && o->val[0])
			return o->val;
	return getenv(env);
}

void
fp_hosts_parse(fp_hosts *h, const char *dsn)
{
	PQconninfoOption *opts = PQconninfoParse(dsn && dsn[0] ? dsn : "", NULL);
	char		tmp[FP_MAX_HOSTS][256];
	const char *timeout;
	int			nh, na, np;

	memset(h, 0, sizeof(*h));
	nh = split(option(opts, "host", "PGHOST"), h->host, sizeof(h->host[0]), FP_MAX_HOSTS);
	na = split(option(opts, "hostaddr", "PGHOSTADDR"), tmp, sizeof(tmp[0]), FP_MAX_HOSTS);
	for (int i = 0; i < na; i++)
		snprintf(h->hostaddr[i], sizeof(h->hostaddr[i]), "%s", tmp[i]);
	np = split(option(opts, "port", "PGPORT"), tmp, sizeof(tmp[0]), FP_MAX_HOSTS);
	h->has_host = nh > 0;
	h->has_hostaddr = na > 0;
	h->has_port = np > 0;
	h->n = nh > na ? nh : na;
	/* one port for every host, as libpq reads it */
	for (int i = 0; i < h->n; i++)
		snprintf(h->port[i], sizeof(h->port[i]), "%s", np == 1 ? tmp[0] : i < np ? tmp[i] : "");
	timeout = option(opts, "connect_timeout", "PGCONNECT_TIMEOUT");
	h->timeout_s = timeout ? atof(timeout) : 0;
	if (h->timeout_s <= 0)
		h->timeout_s = 5;
	else if (h->timeout_s < 2)
		h->timeout_s = 2;		/* libpq's own floor */
	PQconninfoFree(opts);
}

int
fp_hosts_find(const fp_hosts *h, const char *host, const char *port)
{
	for (int i = 0; host && i < h->n; i++)
		if ((strcmp(h->host[i], host) == 0 || strcmp(h->hostaddr[i], host) == 0) &&
			(port == NULL || h->port[i][0] == '\0' || strcmp(h->port[i], port) == 0))
			return i;
	return -1;
}

static void
join(char *dst, int size, const fp_hosts *h, int first, int which)
{
	int			len = 0;

	dst[0] = '\0';
	for (int k = 0; k < h->n && len < size; k++)
	{
		int			i = (first + k) % h->n;
		const char *v = which == 0 ? h->host[i] : which == 1 ? h->hostaddr[i] : h->port[i];

		len += snprintf(dst + len, (size_t) (size - len), "%s%s", k ? "," : "", v);
	}
}

void
fp_hosts_rotated(const fp_hosts *h, int first, char *host, char *hostaddr,
				 char *port, int size)
{
	join(host, size, h, first, 0);
	join(hostaddr, size, h, first, 1);
	join(port, size, h, first, 2);
	if (!h->has_host)
		host[0] = '\0';
	if (!h->has_hostaddr)
		hostaddr[0] = '\0';
	if (!h->has_port)
		port[0] = '\0';
}
