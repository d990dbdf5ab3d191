/*
 * test_ledger.c - cmocka unit tests for the ledger file (ledger_write.c,
 * ledger_read.c) and its checksum (crc32c.c).
 *
 * Every test works on real files in a private mkdtemp() directory, removed
 * at the end.  Damage is made by patching or truncating a good file at
 * offsets computed from the documented format, so a test also fails if the
 * layout drifts from the documentation.
 *
 * Block layout control: the writer turns everything queued at one flush
 * into blocks of at most 4096 records.  write_ledger() appends each chunk in
 * a single fp_ledger_append() call and waits until it is durable before the
 * next, so each chunk of k <= 4096 records becomes exactly one block.
 */
#define _GNU_SOURCE

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crc32c.h"
#include "ledger.h"
#include "timefmt.h"

#define HDR FP_LEDGER_HEADER_SIZE
#define BLK_HDR 16
#define REC ((off_t) sizeof(fp_record))

static char tmpdir[PATH_MAX];

/* ---- fixture ---- */

static int
group_setup(void **state)
{
	(void) state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_ledger.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	DIR		   *d = opendir(tmpdir);
	struct dirent *de;
	char		p[PATH_MAX + 256];

	(void) state;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
	{
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
		unlink(p);
	}
	closedir(d);
	return rmdir(tmpdir);
}

static const char *
tmp_path(const char *name)
{
	static char p[PATH_MAX + 256];

	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
}

/* ---- records and files ---- */

/* The record worker w writes as its seq-th: every field depends on both. */
static fp_record
make_record(uint32_t worker, uint64_t seq)
{
	fp_record	r;

	memset(&r, 0, sizeof r);
	r.seq = seq;
	r.scheduled_us = 1700000000000000LL + (int64_t) seq * 1000 + worker;
	r.sent_us = r.scheduled_us + 17 + (int64_t) (seq % 13);
	r.done_us = r.sent_us + 900 + (int64_t) (seq % 1000);
	r.commit_lsn = ((uint64_t) worker << 40) | (seq * 8);
	r.worker = worker;
	r.tli = 1 + (uint32_t) (seq % 3);
	r.server = 1 + worker % 2;
	r.outcome = (uint8_t) (1 + seq % 4);
	if (r.outcome == FP_OUT_FAILED)
		memcpy(r.sqlstate, "40001", 5);
	return r;
}

static fp_ledger_header
make_header(void)
{
	fp_ledger_header h;

	memset(&h, 0, sizeof h);
	h.version = FP_LEDGER_VERSION;
	h.run_id = 0x0123456789ABCDEFull;
	h.start_us = 1700000000123456LL;
	snprintf(h.meta, sizeof h.meta,
			 "{\"mode\":\"acked\",\"conninfo\":\"host=db1 user=probe\",\"rate\":5000}");
	return h;
}

/* Wait (at most 10 s) until w has made n records durable. */
static void
wait_durable(fp_ledger_writer *w, uint64_t n)
{
	struct timespec ms = {0, 1000000};

	for (int i = 0; i < 10000 && fp_ledger_durable_count(w) < n; i++)
		nanosleep(&ms, NULL);
	assert_int_equal(fp_ledger_durable_count(w), n);
}

/*
 * Write a ledger of worker-0 records seq 1, 2, ... with one block per entry
 * of chunks (each <= 4096).  Returns the total number of records.
 */
static uint64_t
write_ledger(const char *path, const size_t *chunks, int nchunks)
{
	fp_ledger_header h = make_header();
	char		err[512];
	fp_ledger_writer *w;
	uint64_t	seq = 0;

	w = fp_ledger_create(path, &h, true, 10, err, sizeof err);
	assert_non_null(w);
	for (int c = 0; c < nchunks; c++)
	{
		fp_record  *recs = calloc(chunks[c], sizeof *recs);

		assert_non_null(recs);
		for (size_t i = 0; i < chunks[c]; i++)
			recs[i] = make_record(0, ++seq);
		assert_int_equal(fp_ledger_append(w, recs, chunks[c]), 0);
		free(recs);
		wait_durable(w, seq);
	}
	assert_int_equal(fp_ledger_close(w, err, sizeof err), 0);
	return seq;
}

/* File offset of block b, for a file written with these chunks. */
static off_t
block_offset(const size_t *chunks, int b)
{
	off_t		off = HDR;

	for (int i = 0; i < b; i++)
		off += BLK_HDR + (off_t) chunks[i] * REC;
	return off;
}

/* Check that the file holds a block header of nrec records at off. */
static void
assert_block_at(const char *path, off_t off, uint32_t nrec)
{
	uint32_t	h[4];
	int			fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, h, sizeof h, off), sizeof h);
	close(fd);
	assert_int_equal(h[0], 0x4B424C46);
	assert_int_equal(h[1], nrec);
}

static void
patch(const char *path, off_t off, const void *data, size_t len)
{
	int			fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, off), (ssize_t) len);
	close(fd);
}

static void
flip_byte(const char *path, off_t off)
{
	unsigned char c;
	int			fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, off), 1);
	c ^= 0xFF;
	assert_int_equal(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

/*
 * Read the whole ledger, checking that the records come back as worker 0,
 * seq 1, 2, ...  Returns how many did; *rc gets the final return of
 * fp_ledger_next (0 or -1), err its message, *truncated the flag.
 */
static uint64_t
read_sequential(const char *path, int *rc, char *err, size_t errlen,
				bool *truncated)
{
	fp_ledger_header h;
	fp_ledger_reader *r;
	fp_record	rec;
	uint64_t	n = 0;

	r = fp_ledger_open(path, &h, err, errlen);
	assert_non_null(r);
	err[0] = '\0';
	while ((*rc = fp_ledger_next(r, &rec, err, errlen)) == 1)
	{
		fp_record	want = make_record(0, ++n);

		assert_memory_equal(&rec, &want, sizeof rec);
	}
	*truncated = fp_ledger_truncated(r);
	/* the end, clean or not, is sticky */
	assert_int_equal(fp_ledger_next(r, &rec, err, errlen), *rc);
	fp_ledger_close_reader(r);
	return n;
}

/*
 * Reading path gives worker 0's seq 1..good, then fails (-1), as a truncated
 * tail or not, with a message that holds each string of says (NULL ends it).
 */
static void
assert_read_ends(const char *path, uint64_t good, bool truncated, const char *const says[])
{
	char		err[512];
	int			rc;
	bool		trunc;

	assert_int_equal(read_sequential(path, &rc, err, sizeof err, &trunc), good);
	assert_int_equal(rc, -1);
	assert_int_equal(trunc, truncated);
	for (int i = 0; says[i]; i++)
		assert_non_null(strstr(err, says[i]));
}

/* ---- tests ---- */

/* The standard CRC-32C check values, and chaining. */
static void
test_crc32c(void **state)
{
	const char *s = "123456789";
	unsigned char zeros[32] = {0};

	(void) state;
	assert_int_equal(fp_crc32c(0, s, 9), 0xE3069283u);
	assert_int_equal(fp_crc32c(fp_crc32c(0, s, 4), s + 4, 5), 0xE3069283u);
	assert_int_equal(fp_crc32c(0, zeros, sizeof zeros), 0x8A9136AAu);	/* RFC 3720 */
	assert_int_equal(fp_crc32c(0, s, 0), 0);
	assert_int_equal(fp_crc32c_sw(0, s, 9), 0xE3069283u);
}

/*
 * The CPU's CRC32 path against the tables: every length to 300 from every
 * alignment to 8, random bytes, chained from a random start.  On a CPU
 * without SSE4.2 both sides are the tables and the test says so.
 */
static void
test_crc32c_hw_matches_tables(void **state)
{
	unsigned char buf[320];
	uint32_t	start;

	(void) state;
	if (!fp_crc32c_hw())
		print_message("no SSE4.2 CRC32 on this CPU: tables only\n");
	srand(7);
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char) rand();
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 300; len++)
		{
			start = (uint32_t) rand();
			assert_int_equal(fp_crc32c(start, buf + off, len),
							 fp_crc32c_sw(start, buf + off, len));
		}
}

#define N_THREADS 4
#define PER_THREAD 25000

typedef struct appender
{
	fp_ledger_writer *w;
	uint32_t	worker;
	int			failures;
} appender;

/* A load thread: appends its records in batches of 1..200. */
static void *
append_main(void *arg)
{
	appender   *a = arg;
	fp_record	batch[200];
	uint64_t	seq = 0;
	uint64_t	rng = 0x9E3779B97F4A7C15ull * (a->worker + 1);

	while (seq < PER_THREAD)
	{
		size_t		n;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		n = 1 + rng % 200;
		if (n > PER_THREAD - seq)
			n = PER_THREAD - seq;
		for (size_t i = 0; i < n; i++)
			batch[i] = make_record(a->worker, ++seq);
		if (fp_ledger_append(a->w, batch, n) != 0)
			a->failures++;
	}
	return NULL;
}

/* Many threads append; every record comes back once, exactly, in order. */
static void
test_round_trip(void **state)
{
	const char *path = tmp_path("roundtrip.ledger");
	fp_ledger_header h = make_header();
	fp_ledger_header got;
	char		err[512];
	fp_ledger_writer *w;
	fp_ledger_reader *r;
	pthread_t	th[N_THREADS];
	appender	ap[N_THREADS];
	uint64_t	last_seq[N_THREADS] = {0};
	fp_record	rec;
	uint64_t	n = 0;
	struct stat st;
	int			rc;

	(void) state;
	w = fp_ledger_create(path, &h, false, 20, err, sizeof err);
	assert_non_null(w);
	assert_null(fp_ledger_error(w));
	for (int i = 0; i < N_THREADS; i++)
	{
		ap[i] = (appender) {w, (uint32_t) i, 0};
		assert_int_equal(pthread_create(&th[i], NULL, append_main, &ap[i]), 0);
	}
	for (int i = 0; i < N_THREADS; i++)
	{
		pthread_join(th[i], NULL);
		assert_int_equal(ap[i].failures, 0);
	}
	/* the writer gets everything to disk without being closed */
	wait_durable(w, (uint64_t) N_THREADS * PER_THREAD);
	assert_null(fp_ledger_error(w));
	assert_int_equal(fp_ledger_close(w, err, sizeof err), 0);

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	memset(&got, 0x55, sizeof got);
	r = fp_ledger_open(path, &got, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(got.version, FP_LEDGER_VERSION);
	assert_int_equal(got.run_id, h.run_id);
	assert_int_equal(got.start_us, h.start_us);
	assert_string_equal(got.meta, h.meta);

	/*
	 * Each worker appends in seq order from one thread, so its records must
	 * come back strictly ascending and, with the count, all of 1..PER_THREAD.
	 */
	while ((rc = fp_ledger_next(r, &rec, err, sizeof err)) == 1)
	{
		fp_record	want;

		assert_in_range(rec.worker, 0, N_THREADS - 1);
		assert_int_equal(rec.seq, last_seq[rec.worker] + 1);
		last_seq[rec.worker] = rec.seq;
		want = make_record(rec.worker, rec.seq);
		assert_memory_equal(&rec, &want, sizeof rec);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_false(fp_ledger_truncated(r));
	assert_int_equal(n, (uint64_t) N_THREADS * PER_THREAD);
	for (int i = 0; i < N_THREADS; i++)
		assert_int_equal(last_seq[i], PER_THREAD);
	fp_ledger_close_reader(r);
}

/* A ledger with no records is valid and reads as empty. */
static void
test_empty(void **state)
{
	const char *path = tmp_path("empty.ledger");
	fp_ledger_header h = make_header();
	char		err[512];
	fp_ledger_writer *w;
	struct stat st;
	int			rc;
	bool		trunc;

	(void) state;
	w = fp_ledger_create(path, &h, false, 0, err, sizeof err);
	assert_non_null(w);
	assert_int_equal(fp_ledger_durable_count(w), 0);
	assert_int_equal(fp_ledger_close(w, err, sizeof err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, HDR + BLK_HDR);	/* the header, the end mark */
	assert_int_equal(read_sequential(path, &rc, err, sizeof err, &trunc), 0);
	assert_int_equal(rc, 0);
}

/* An existing file is refused without force, replaced (and made 0600) with it. */
static void
test_existing_file(void **state)
{
	const char *path = tmp_path("existing.ledger");
	fp_ledger_header h = make_header();
	char		err[512];
	fp_ledger_writer *w;
	struct stat st;
	size_t		chunk = 10;
	int			rc;
	bool		trunc;

	(void) state;
	assert_int_equal(write_ledger(path, (size_t[]) {100}, 1), 100);

	w = fp_ledger_create(path, &h, false, 0, err, sizeof err);
	assert_null(w);
	assert_non_null(strstr(err, "already exists"));
	assert_non_null(strstr(err, "--force"));
	assert_non_null(strstr(err, path));
	/* refusing must not have touched the old ledger */
	assert_int_equal(read_sequential(path, &rc, err, sizeof err, &trunc), 100);
	assert_int_equal(rc, 0);

	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(write_ledger(path, &chunk, 1), 10);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(read_sequential(path, &rc, err, sizeof err, &trunc), 10);
	assert_int_equal(rc, 0);

	/* other open errors say what failed */
	w = fp_ledger_create(tmp_path("no/such/dir.ledger"), &h, false, 0,
						 err, sizeof err);
	assert_null(w);
	assert_non_null(strstr(err, "cannot create ledger"));
	assert_non_null(strstr(err, strerror(ENOENT)));
}

static const size_t three_blocks[] = {4096, 1000, 500};

/* Rewrite the header of path with another format version. */
static void
set_version(const char *path, uint32_t version)
{
	unsigned char hbuf[HDR];
	uint32_t	crc;
	int			fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, hbuf, HDR, 0), HDR);
	memcpy(hbuf + 8, &version, 4);
	crc = fp_crc32c(0, hbuf, HDR - 4);
	memcpy(hbuf + HDR - 4, &crc, 4);
	assert_int_equal(pwrite(fd, hbuf, HDR, 0), HDR);
	close(fd);
}

/* A cut or torn last block: the records before it, then -1, truncated. */
static void
test_truncated_tail(void **state)
{
	const char *path = tmp_path("truncated.ledger");
	off_t		last = block_offset(three_blocks, 2);
	off_t		end = block_offset(three_blocks, 3);
	uint64_t	before_last = 4096 + 1000;
	char		err[512];
	char		at[64];
	int			rc;
	bool		trunc;
	unsigned char zeros[4096] = {0};

	(void) state;
	snprintf(at, sizeof at, "offset %lld", (long long) last);

	/* cut in the middle of the last block's records */
	assert_int_equal(write_ledger(path, three_blocks, 3), 5596);
	assert_block_at(path, last, 500);
	assert_int_equal(truncate(path, last + BLK_HDR + 50 * REC + 7), 0);
	assert_read_ends(path, before_last, true, (const char *[]) {"truncated", at, NULL});

	/* cut in the middle of its block header */
	assert_int_equal(truncate(path, last + 9), 0);
	assert_read_ends(path, before_last, true, (const char *[]) {"truncated", at, NULL});

	/* cut exactly at a block boundary: no end mark, so not complete */
	assert_int_equal(truncate(path, last), 0);
	assert_read_ends(path, before_last, true, (const char *[]) {"no end mark", at, NULL});

	/* the end mark alone cut off: every record, but not complete */
	assert_int_equal(write_ledger(path, three_blocks, 3), 5596);
	assert_int_equal(truncate(path, end), 0);
	assert_read_ends(path, 5596, true, (const char *[]) {"no end mark", NULL});

	/* a version 1 file has no end mark: it ends cleanly after a block */
	set_version(path, 1);
	assert_int_equal(read_sequential(path, &rc, err, sizeof err, &trunc), 5596);
	assert_int_equal(rc, 0);

	/* something after the end mark is damage, not a killed writer */
	assert_int_equal(write_ledger(path, three_blocks, 3), 5596);
	patch(path, end + BLK_HDR, "x", 1);
	assert_read_ends(path, 5596, false, (const char *[]) {"after the end mark", NULL});

	/* a complete last block with a bad checksum and no end mark: a torn write */
	assert_int_equal(write_ledger(path, three_blocks, 3), 5596);
	assert_int_equal(truncate(path, end), 0);
	flip_byte(path, end - 3);
	assert_read_ends(path, before_last, true, (const char *[]) {"truncated", NULL});

	/* zeros after the last good block: the file grew, the data was lost */
	assert_int_equal(write_ledger(path, three_blocks, 3), 5596);
	patch(path, end, zeros, sizeof zeros);
	assert_read_ends(path, 5596, true, (const char *[]) {"truncated", NULL});
}

/*
 * A bad last block before a good end mark is damage: the writer adds the
 * end mark only after every block is durable.
 */
static void
test_damaged_before_end_mark(void **state)
{
	const char *path = tmp_path("damaged_end.ledger");
	off_t		last = block_offset(three_blocks, 2);
	off_t		end = block_offset(three_blocks, 3);
	uint32_t	nrec = 520;
	char		at[64];

	(void) state;
	snprintf(at, sizeof at, "offset %lld", (long long) last);

	/* a checksum mismatch in the last block */
	assert_int_equal(write_ledger(path, three_blocks, 3), 5596);
	flip_byte(path, end - 3);
	assert_read_ends(path, 4096 + 1000, false, (const char *[]) {"damaged", "checksum", at, NULL});

	/* a record count grown past the end of the file */
	assert_int_equal(write_ledger(path, three_blocks, 3), 5596);
	patch(path, last + 4, &nrec, sizeof nrec);
	assert_read_ends(path, 4096 + 1000, false, (const char *[]) {"damaged", at, NULL});

	/* the same in a middle block, reaching beyond the end of the file */
	nrec = 4000;
	assert_int_equal(write_ledger(path, (size_t[]) {10, 10, 10, 10, 10}, 5), 50);
	patch(path, HDR + BLK_HDR + 10 * REC + 4, &nrec, sizeof nrec);
	assert_read_ends(path, 10, false, (const char *[]) {"damaged", NULL});
}

/* Damage with good data after it is not a killed writer. */
static void
test_damaged_middle_block(void **state)
{
	const char *path = tmp_path("damaged.ledger");
	off_t		mid = block_offset(three_blocks, 1);
	char		at[64];

	(void) state;
	snprintf(at, sizeof at, "offset %lld", (long long) mid);

	assert_int_equal(write_ledger(path, three_blocks, 3), 5596);
	assert_block_at(path, mid, 1000);
	flip_byte(path, mid + BLK_HDR + 500 * REC + 3);
	assert_read_ends(path, 4096, false, (const char *[]) {"damaged", "checksum", at, NULL});

	/* a damaged block header: its length is unknown, and data follows */
	assert_int_equal(write_ledger(path, three_blocks, 3), 5596);
	flip_byte(path, mid);
	assert_read_ends(path, 4096, false, (const char *[]) {"damaged", "magic", NULL});

	/* a valid block in the wrong place (block 2 where 1 belongs) */
	assert_int_equal(write_ledger(path, (size_t[]) {100, 100, 100}, 3), 300);
	{
		unsigned char blk[BLK_HDR + 100 * sizeof(fp_record)];
		int			fd = open(path, O_RDWR);

		assert_true(fd >= 0);
		assert_int_equal(pread(fd, blk, sizeof blk, HDR + 2 * (off_t) sizeof blk),
						 sizeof blk);
		assert_int_equal(pwrite(fd, blk, sizeof blk, HDR + (off_t) sizeof blk),
						 sizeof blk);
		close(fd);
	}
	assert_read_ends(path, 100, false, (const char *[]) {"damaged", "block number 2", NULL});
}

/* Not a ledger at all, or no file. */
static void
test_bad_magic(void **state)
{
	const char *path = tmp_path("magic.ledger");
	fp_ledger_header h;
	char		err[512];

	(void) state;
	write_ledger(path, (size_t[]) {10}, 1);
	patch(path, 0, "X", 1);
	assert_null(fp_ledger_open(path, &h, err, sizeof err));
	assert_non_null(strstr(err, "not a failprobe ledger"));
	assert_non_null(strstr(err, path));

	/* shorter than the magic */
	assert_int_equal(truncate(path, 3), 0);
	assert_null(fp_ledger_open(path, &h, err, sizeof err));
	assert_non_null(strstr(err, "not a failprobe ledger"));

	assert_null(fp_ledger_open(tmp_path("missing.ledger"), &h, err, sizeof err));
	assert_non_null(strstr(err, "cannot open ledger"));
	assert_non_null(strstr(err, strerror(ENOENT)));
}

/* A version this code does not read, with an otherwise valid header. */
static void
test_wrong_version(void **state)
{
	const char *path = tmp_path("version.ledger");
	uint32_t	version = FP_LEDGER_VERSION + 1;
	fp_ledger_header h;
	char		err[512];
	char		found[32];

	(void) state;
	write_ledger(path, (size_t[]) {10}, 1);
	set_version(path, version);

	assert_null(fp_ledger_open(path, &h, err, sizeof err));
	snprintf(found, sizeof found, "version %u", version);
	assert_non_null(strstr(err, found));
	snprintf(found, sizeof found, "versions 1 to %d", FP_LEDGER_VERSION);
	assert_non_null(strstr(err, found));
}

/* Any change to the header is caught by its checksum. */
static void
test_header_checksum(void **state)
{
	const char *path = tmp_path("hdrcrc.ledger");
	fp_ledger_header h;
	fp_ledger_reader *r;
	char		err[512];

	(void) state;
	write_ledger(path, (size_t[]) {10}, 1);
	r = fp_ledger_open(path, &h, err, sizeof err);
	assert_non_null(r);
	fp_ledger_close_reader(r);

	flip_byte(path, 40 + 5);	/* inside the meta text */
	assert_null(fp_ledger_open(path, &h, err, sizeof err));
	assert_non_null(strstr(err, "header checksum mismatch"));
	assert_non_null(strstr(err, "damaged"));
}

static struct rlimit saved_fsize;

static int
restore_fsize_limit(void **state)
{
	(void) state;
	return setrlimit(RLIMIT_FSIZE, &saved_fsize);
}

/*
 * A write error (the file size limit here) stops the writer: appends fail
 * from then on and close reports it; the file reads as a truncated tail.
 */
static void
test_write_error(void **state)
{
	const char *path = tmp_path("ioerror.ledger");
	fp_ledger_header h = make_header();
	struct rlimit lim;
	struct timespec ms = {0, 1000000};
	fp_record	recs[1000];
	char		err[512];
	fp_ledger_writer *w;
	int			rc;
	bool		trunc;

	(void) state;
	signal(SIGXFSZ, SIG_IGN);	/* get EFBIG rather than a signal */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved_fsize), 0);
	lim = saved_fsize;
	lim.rlim_cur = 64 * 1024;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);

	w = fp_ledger_create(path, &h, false, 10, err, sizeof err);
	assert_non_null(w);
	for (int i = 0; i < 1000; i++)
		recs[i] = make_record(0, (uint64_t) i + 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(fp_ledger_append(w, recs, 1000), 0);
	for (int i = 0; i < 10000 && fp_ledger_error(w) == NULL; i++)
		nanosleep(&ms, NULL);
	assert_non_null(fp_ledger_error(w));
	assert_non_null(strstr(fp_ledger_error(w), "writing ledger"));
	assert_non_null(strstr(fp_ledger_error(w), strerror(EFBIG)));
	assert_int_equal(fp_ledger_append(w, recs, 1), -1);
	assert_int_equal(fp_ledger_durable_count(w), 0);
	assert_int_equal(fp_ledger_close(w, err, sizeof err), -1);
	assert_non_null(strstr(err, "writing ledger"));
	assert_non_null(strstr(err, path));

	/* the 64 KiB written hold a partial first block */
	assert_int_equal(read_sequential(path, &rc, err, sizeof err, &trunc), 0);
	assert_int_equal(rc, -1);
	assert_true(trunc);
}

/* The commit times pg_failprobe reports, parsed; malformed ones give 0. */
static void
test_commit_time_parse(void **state)
{
	(void) state;
	/* 2026-11-23T10:38:27.123456Z, from Python's datetime */
	assert_int_equal(fp_time_parse_pg_utc("2026-11-23 10:38:27.123456+00"), 1795430307123456LL);
	assert_int_equal(fp_time_parse_pg_utc("2026-11-23 10:38:27.1+00"), 1795430307100000LL);
	assert_int_equal(fp_time_parse_pg_utc("2026-11-23 10:38:27+00"), 1795430307000000LL);
	assert_int_equal(fp_time_parse_pg_utc("1970-01-01 00:00:00+00"), 0);
	assert_int_equal(fp_time_parse_pg_utc("2000-02-29 23:59:59.999999+00"), 951868799999999LL);
	assert_int_equal(fp_time_parse_pg_utc("2026-11-23 10:38:27.123456+01"), 0);
	assert_int_equal(fp_time_parse_pg_utc("2026-13-23 10:38:27+00"), 0);
	assert_int_equal(fp_time_parse_pg_utc("2026-11-23T10:38:27+00"), 0);
	assert_int_equal(fp_time_parse_pg_utc(""), 0);
	assert_int_equal(fp_time_parse_pg_utc(NULL), 0);
}

/* A commit time in the record's six spare bytes: before, after, unknown. */
static void
test_commit_time_record(void **state)
{
	fp_record	r;

	(void) state;
	memset(&r, 0, sizeof(r));
	r.done_us = 1795430307123456LL;
	assert_int_equal(fp_record_commit_us(&r), 0);	/* zeros: unknown */
	fp_record_set_commit_us(&r, r.done_us - 250);
	assert_int_equal(fp_record_commit_us(&r), r.done_us - 250);
	fp_record_set_commit_us(&r, r.done_us + 3600000000LL);	/* a server clock an hour ahead */
	assert_int_equal(fp_record_commit_us(&r), r.done_us + 3600000000LL);
	fp_record_set_commit_us(&r, r.done_us);	/* stored 1 us early */
	assert_int_equal(fp_record_commit_us(&r), r.done_us - 1);
	fp_record_set_commit_us(&r, 0);
	assert_int_equal(fp_record_commit_us(&r), 0);
	fp_record_set_commit_us(&r, r.done_us - ((int64_t) 1 << 48));	/* out of range: unknown */
	assert_int_equal(fp_record_commit_us(&r), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_crc32c_hw_matches_tables),
		cmocka_unit_test(test_commit_time_parse),
		cmocka_unit_test(test_commit_time_record),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_existing_file),
		cmocka_unit_test(test_truncated_tail),
		cmocka_unit_test(test_damaged_before_end_mark),
		cmocka_unit_test(test_damaged_middle_block),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_wrong_version),
		cmocka_unit_test(test_header_checksum),
		cmocka_unit_test_teardown(test_write_error, restore_fsize_limit),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
