/*
 * sampler_query.h - the SQL of the server metrics sampler, and the JSON
 * object it turns each answer into.
 *
 * Kept apart from the thread (sampler.c) so that the text of the queries and
 * the shape of a sample live in one place, next to each other.  What a role
 * may read differs: the sampler asks once per connection (fp_sampler_caps)
 * and leaves out of its one-round-trip query whatever would raise a
 * permission error, so that an unprivileged role gets null fields, not
 * failed samples.  The SQL is assembled from fixed fragments only.
 */
#ifndef FP_SAMPLER_QUERY_H
#define FP_SAMPLER_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

/* What the sampler's role may read on this server. */
typedef struct fp_sampler_caps
{
	bool		all_stats;		/* pg_read_all_stats (or superuser): every
								 * session's state in pg_stat_activity */
	bool		checkpoint;		/* may call pg_control_checkpoint() */
	bool		status;			/* failprobe.status() exists and may be called */
} fp_sampler_caps;

/* One row, three booleans: the columns of fp_sampler_caps in order. */
extern const char *const fp_sampler_caps_sql;

/* A call of failprobe.status(), to see that the library is loaded too. */
extern const char *const fp_sampler_status_probe_sql;

/* Read the answer of fp_sampler_caps_sql; false if it is not one row. */
bool		fp_sampler_caps_read(const PGresult *res, fp_sampler_caps *caps);

/* The sample query for these capabilities, into buf. */
void		fp_sampler_sql(const fp_sampler_caps *caps, char *buf, size_t size);

/*
 * A sample from the answer of the sample query: t_us (wall clock, epoch
 * microseconds), host and port of the connection.  Returns a new object,
 * or NULL if the answer does not have the expected shape.
 */
json_t	   *fp_sampler_row_json(const PGresult *res, int64_t t_us,
								const char *host, const char *port);

/* A failed sample: ok false, error (one line), the rest null. */
json_t	   *fp_sampler_failed_json(int64_t t_us, const char *host, const char *port,
								   const char *error);

#endif
