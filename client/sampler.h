/*
 * sampler.h - the server's own metrics, sampled beside the load.
 *
 * While `failprobe run` goes, a thread of its own samples the server once a
 * second on a connection of its own (commits, rollbacks, sessions, WAL
 * position, timeline, recovery, replication per standby, and with the
 * extension failprobe.status()), and appends each sample as one JSON line
 * to <ledger>.server.jsonl (docs/metrics.md).  It rides through a failover
 * like the load connections do, recording the samples it could not take as
 * failed.  It shares nothing with the load threads and takes no lock they
 * take, so it cannot slow or break the run.
 */
#ifndef FP_SAMPLER_H
#define FP_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct fp_sampler fp_sampler;

/* The file of a run's samples: ledger_path + ".server.jsonl", into buf. */
void		fp_sampler_path(char *buf, size_t size, const char *ledger_path);

/*
 * Create the samples file (mode 0600; an existing file is refused unless
 * force) and start the thread, which connects with dsn (NULL: PG*
 * variables).  Returns NULL and a one-line message in err when the file
 * cannot be created; connection trouble never fails the start.
 */
fp_sampler *fp_sampler_start(const char *dsn, const char *ledger_path, bool force,
							 char *err, size_t errlen);

/* Stop the thread (within about 100 ms), write and fdatasync the file, close
 * it.  Safe on NULL. */
void		fp_sampler_stop(fp_sampler *s);

/* {"path", "ok", "failed", "error"} for the run's --json; after stop. */
json_t	   *fp_sampler_json(const fp_sampler *s);

void		fp_sampler_free(fp_sampler *s);

#endif
