/*
 * verify_gen.c - write a synthetic ledger for bench/verify_10m.sh.
 *
 *   verify_gen FILE RUN_ID WORKERS PER_WORKER
 *
 * Uses the client's own ledger writer (ledger_write.c), so the file is exactly
 * what `failprobe run` would leave.  Every write is acknowledged on
 * timeline 1, except seq % 100003 == 0 (in doubt) and seq % 500009 == 0
 * (failed); the bench script makes the table rows to match and knows
 * these rules.  Times step 100 us per write and worker.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger.h"

#define BATCH 4096

static void
fill(fp_record *r, uint32_t w, uint64_t seq, int64_t t0)
{
	memset(r, 0, sizeof(*r));
	r->worker = w;
	r->seq = seq;
	r->scheduled_us = t0 + (int64_t) seq * 100;
	r->sent_us = r->scheduled_us + 5;
	r->done_us = r->scheduled_us + 500;
	r->tli = 1;
	r->server = 1;
	r->outcome = seq % 500009 == 0 ? FP_OUT_FAILED : seq % 100003 == 0 ? FP_OUT_IN_DOUBT : FP_OUT_ACKED;
	if (r->outcome == FP_OUT_FAILED)
		memcpy(r->sqlstate, "23505", 5);
}

int
main(int argc, char **argv)
{
	fp_ledger_header hdr = {.version = FP_LEDGER_VERSION};
	fp_ledger_writer *lw;
	static fp_record batch[BATCH];
	char		err[512] = "";
	int			n = 0;
	uint64_t	appended = 0;

	if (argc != 5)
	{
		fprintf(stderr, "usage: verify_gen FILE RUN_ID WORKERS PER_WORKER\n");
		return 2;
	}
	uint64_t	run_id = strtoull(argv[2], NULL, 10);
	uint32_t	workers = (uint32_t) strtoul(argv[3], NULL, 10);
	uint64_t	per = strtoull(argv[4], NULL, 10);

	hdr.run_id = run_id;
	hdr.start_us = (int64_t) time(NULL) * 1000000;
	snprintf(hdr.meta, sizeof(hdr.meta),
			 "{\"program\":\"verify_gen\",\"mode\":\"plain\",\"table\":\"failprobe_client.ledger\","
			 "\"payload_bytes\":0,\"clients\":%u}", workers);
	lw = fp_ledger_create(argv[1], &hdr, true, 100, err, sizeof(err));
	if (lw == NULL)
	{
		fprintf(stderr, "verify_gen: %s\n", err);
		return 1;
	}
	for (uint64_t seq = 1; seq <= per; seq++)
		for (uint32_t w = 0; w < workers; w++)
		{
			fill(&batch[n++], w, seq, hdr.start_us);
			if (n == BATCH)
			{
				if (fp_ledger_append(lw, batch, n) != 0)
					goto done;	/* the writer failed: close says why */
				appended += n;
				n = 0;
				/* keep the writer's queue (memory) bounded */
				while (appended - fp_ledger_durable_count(lw) > 1000000)
				{
					if (fp_ledger_error(lw) != NULL)
						goto done;
					nanosleep(&(struct timespec) {.tv_nsec = 5000000}, NULL);
				}
			}
		}
	if (n > 0)
		(void) fp_ledger_append(lw, batch, n);
done:
	if (fp_ledger_close(lw, err, sizeof(err)) != 0)
	{
		fprintf(stderr, "verify_gen: %s\n", err[0] ? err : "cannot write the ledger");
		return 1;
	}
	return 0;
}
