/*
 * ledger.h - the durable, append-only ledger file of a failprobe run.
 *
 * One file per `failprobe run`: a fixed 4096-byte header (format version,
 * run id, start time, and a JSON text with the options and the connection
 * string with any password removed), then blocks of fixed-size records,
 * each block checksummed (CRC-32C) so that a torn or truncated tail is
 * detected and reported, never misread.
 *
 * Writing: load threads hand records to fp_ledger_append(); a writer thread
 * batches them into blocks and writes + fdatasync()s at least every
 * 100 ms, and at fp_ledger_close(), which ends the file with an end mark.
 * A killed client loses at most the last flush interval, and its file,
 * having no end mark, reads as a truncated tail.  Reading: fp_ledger_open() / fp_ledger_next().
 */
#ifndef FP_LEDGER_H
#define FP_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FP_LEDGER_VERSION 2		/* 2: an end mark after the last block */
#define FP_LEDGER_HEADER_SIZE 4096

/* What became of a write. */
typedef enum fp_outcome
{
	FP_OUT_ACKED = 1,			/* the server confirmed the commit */
	FP_OUT_FAILED = 2,			/* the server reported an error: not committed */
	FP_OUT_IN_DOUBT = 3,		/* sent, but the connection ended before the answer */
	FP_OUT_MISSED = 4			/* due, but no connection could take it: never sent */
} fp_outcome;

/*
 * One write.  Times are Unix epoch microseconds (CLOCK_REALTIME).  Exactly
 * 64 bytes, little-endian as the machine writes it (the header says which
 * byte order; only little-endian files are read).
 */
typedef struct fp_record
{
	uint64_t	seq;			/* per-worker sequence, from 1 */
	int64_t		scheduled_us;	/* when the write was due */
	int64_t		sent_us;		/* when it was sent; 0 if never (missed) */
	int64_t		done_us;		/* when its fate became known */
	uint64_t	commit_lsn;		/* reported commit LSN; 0 when unknown */
	uint32_t	worker;			/* worker (connection) number, from 0 */
	uint32_t	tli;			/* timeline of the serving server; 0 unknown */
	uint32_t	server;			/* id of the serving server (see run JSON); 0 unknown */
	uint8_t		outcome;		/* fp_outcome */
	char		sqlstate[5];	/* for FAILED (and IN_DOUBT if known); else zeros */
	uint8_t		commit_delta[6];	/* reported commit time - done_us: see below */
} fp_record;

_Static_assert(sizeof(fp_record) == 64, "fp_record must be 64 bytes");

/*
 * The SQLSTATE an in-doubt record carries when its connection broke or went
 * silent (--reply-timeout) without a code from the server: 08006,
 * connection_failure.  The server's own code (57P01 admin shutdown, 57P02
 * crash shutdown, ...) when it sent one; none when the client stopped
 * waiting at the end of the run.
 */
#define FP_SQLSTATE_LOST "08006"

/*
 * The commit time the server reported (run --commit-time), in the six bytes
 * that were reserved (zeros) before: microseconds from done_us, signed,
 * 48 bits little-endian (+-4.4 years), 0 for unknown.  A commit reported at
 * exactly done_us is stored 1 us early.
 */
static inline void
fp_record_set_commit_us(fp_record *r, int64_t commit_us)
{
	int64_t		d = commit_us - r->done_us;

	if (d == 0)
		d = -1;
	if (commit_us == 0 || d < -((int64_t) 1 << 47) || d >= ((int64_t) 1 << 47))
		d = 0;
	for (int i = 0; i < 6; i++)
		r->commit_delta[i] = (uint8_t) ((uint64_t) d >> (8 * i));
}

/* The reported commit time, or 0 when unknown. */
static inline int64_t
fp_record_commit_us(const fp_record *r)
{
	uint64_t	u = 0;
	int64_t		d;

	for (int i = 0; i < 6; i++)
		u |= (uint64_t) r->commit_delta[i] << (8 * i);
	d = (int64_t) (u << 16) >> 16;	/* sign-extend 48 bits */
	return d == 0 ? 0 : r->done_us + d;
}

/* What the header holds, in memory. */
typedef struct fp_ledger_header
{
	uint32_t	version;		/* FP_LEDGER_VERSION */
	uint64_t	run_id;			/* random per run, never 0 */
	int64_t		start_us;		/* Unix epoch microseconds */
	char		meta[3900];		/* NUL-terminated JSON: options, conninfo
								 * without password, mode, ... */
} fp_ledger_header;

typedef struct fp_ledger_writer fp_ledger_writer;
typedef struct fp_ledger_reader fp_ledger_reader;

/*
 * Create the file (mode 0600) and write the header, then start the writer
 * thread, which flushes at least every flush_ms milliseconds (0: 100).
 * Refuses an existing file unless force.  Returns NULL and a one-line
 * message in err (what is wrong and what to do) on failure.
 */
fp_ledger_writer *fp_ledger_create(const char *path, const fp_ledger_header *hdr,
								   bool force, int flush_ms,
								   char *err, size_t errlen);

/*
 * Queue n records for writing; thread-safe, does not wait for the disk.
 * Returns 0, or -1 if the writer has failed (fp_ledger_error says why).
 */
int			fp_ledger_append(fp_ledger_writer *w, const fp_record *recs, size_t n);

/* The writer's first I/O error, or NULL. */
const char *fp_ledger_error(fp_ledger_writer *w);

/* Records written and fdatasync'ed so far. */
uint64_t	fp_ledger_durable_count(fp_ledger_writer *w);

/*
 * Write everything queued, fdatasync, stop the thread, close the file and
 * free w.  Returns 0, or -1 (err filled) if anything failed to be written.
 */
int			fp_ledger_close(fp_ledger_writer *w, char *err, size_t errlen);

/*
 * Open a ledger for reading and check its header.  Returns NULL and a
 * one-line message in err for: a missing or unreadable file, a file that
 * is not a ledger (wrong magic), a version this program does not read, a
 * damaged header.
 */
fp_ledger_reader *fp_ledger_open(const char *path, fp_ledger_header *hdr,
								 char *err, size_t errlen);

/*
 * Next record: returns 1 and fills *rec, 0 at the clean end of the file,
 * -1 when the rest of the file cannot be used (err says why: a truncated
 * tail, a checksum mismatch at offset N).  Records before the damage were
 * all returned and are good.
 */
int			fp_ledger_next(fp_ledger_reader *r, fp_record *rec, char *err, size_t errlen);

/* Whether the last -1 of fp_ledger_next was a truncated tail (a killed writer)
 * rather than damage in the middle of the file. */
bool		fp_ledger_truncated(const fp_ledger_reader *r);

void		fp_ledger_close_reader(fp_ledger_reader *r);

#endif
