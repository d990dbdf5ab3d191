/*
 * server_samples.h - reading the samples `failprobe run` took of the
 * server's own metrics (<ledger>.server.jsonl, docs/metrics.md), for
 * `failprobe export` (server_seconds.csv) and `failprobe report` (the
 * server's view on the timeline), so that both derive the same numbers.
 *
 * A sample is a JSON object (as fp_jsonl_read returns them).  Its counters
 * are cumulative; the rates are differences against the previous good
 * sample of the same server (host and port) over the time between the two.
 * Across a failover (another server), after a counter went backwards (a
 * restart reset it), and for a failed sample there is no rate.
 */
#ifndef FP_SERVER_SAMPLES_H
#define FP_SERVER_SAMPLES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* The previous good sample, that the next one's rates are taken against. */
typedef struct fp_ss_prev
{
	bool		valid;
	char		server[200];	/* host:port, timeline and role */
	int64_t		t_us;
	const json_t *s;			/* borrowed from the samples array */
} fp_ss_prev;

/* One sample's rates, per second; has_* false where there is none. */
typedef struct fp_ss_rates
{
	bool		has_commits;
	bool		has_rollbacks;
	bool		has_wal;
	double		commits;		/* xact_commit */
	double		rollbacks;		/* xact_rollback */
	double		wal_bytes;		/* from wal_lsn */
} fp_ss_rates;

/*
 * The rates of sample s against *p, then s remembered in *p when it is good.
 * Call for every sample in file order, starting from a zeroed *p.
 */
void		fp_ss_step(fp_ss_prev *p, const json_t *s, fp_ss_rates *r);

/*
 * The application_names of the first max standbys the samples mention, in
 * the order they first appear (borrowed from samples); returns how many.
 */
int			fp_ss_standby_names(const json_t *samples, const char **names, int max);

/* Sample s's replication row of the standby named name, or NULL. */
const json_t *fp_ss_standby(const json_t *s, const char *name);

/* "X/Y" to a number; false if v is not an LSN. */
bool		fp_ss_parse_lsn(const json_t *v, uint64_t *lsn);

#endif
