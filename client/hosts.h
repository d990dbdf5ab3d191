/*
 * hosts.h - the hosts of a multi-host connection string, one at a time.
 *
 * libpq tries the hosts of "host=a,b" in turn, but its connect_timeout is
 * enforced only by its blocking calls: through PQconnectPoll a host that
 * accepts the TCP connection and then says nothing (a partitioned primary
 * behind a proxy, or one whose SYN-ACKs are dropped) holds the attempt
 * forever, and the next host is never tried.  So the client times each host
 * itself and, when one stays silent, starts the next attempt at the host
 * after it: the lists handed to libpq are rotated.
 */
#ifndef FP_HOSTS_H
#define FP_HOSTS_H

#include <stdbool.h>

#define FP_MAX_HOSTS 32

/* Room for any joined list below: FP_MAX_HOSTS values of up to 255 bytes. */
#define FP_HOSTS_JOINED (FP_MAX_HOSTS * 256)

typedef struct fp_hosts
{
	int			n;				/* hosts in the list; 0 or 1: nothing to rotate */
	char		host[FP_MAX_HOSTS][256];
	char		hostaddr[FP_MAX_HOSTS][64];
	char		port[FP_MAX_HOSTS][16];
	bool		has_host;		/* which lists the conninfo (or PG*) gave */
	bool		has_hostaddr;
	bool		has_port;
	double		timeout_s;		/* per host: connect_timeout, else 5 s */
} fp_hosts;

/* Read the host lists of dsn (or PGHOST, PGHOSTADDR, PGPORT). */
void		fp_hosts_parse(fp_hosts *h, const char *dsn);

/* The index of host:port in the list, or -1. */
int			fp_hosts_find(const fp_hosts *h, const char *host, const char *port);

/*
 * The lists rotated to start at 'first', as comma-separated values for
 * the host, hostaddr and port keywords (an empty string: not given), each
 * into a buffer of size bytes, FP_HOSTS_JOINED being always enough.
 */
void		fp_hosts_rotated(const fp_hosts *h, int first, char *host, char *hostaddr,
							 char *port, int size);

#endif
