/*
 * ledger.c - the ledger file of a failprobe run, declared in ledger.h.
 *
 * The ledger is the evidence of a run: every write the load threads made and
 * what became of it.  It must survive the client being killed mid-run, and a
 * damaged file must never be misread, so the tail is written in checksummed
 * blocks and made durable at least every flush interval.
 *
 * File format (all integers in the writer's native byte order; the header's
 * byte-order mark lets a reader on another order refuse the file):
 *
 *   Header, exactly FP_LEDGER_HEADER_SIZE (4096) bytes:
 *     offset    0  8 bytes  magic "FPLEDGR\n"
 *     offset    8  u32      format version (FP_LEDGER_VERSION)
 *     offset   12  u32      header size (4096)
 *     offset   16  u32      record size (64)
 *     offset   20  u32      byte-order mark 0x01020304
 *     offset   24  u64      run_id
 *     offset   32  i64      start_us
 *     offset   40  ...      meta JSON text, NUL-terminated (at most
 *                           sizeof(fp_ledger_header.meta) bytes with the NUL)
 *     ...                   zeros
 *     offset 4092  u32      CRC-32C of bytes 0..4091
 *
 *   Then zero or more blocks, back to back up to the end of the file:
 *     u32  magic 0x4B424C46 ("FLBK" read as little-endian bytes)
 *     u32  nrec, 1..FP_BLOCK_MAX_RECS (4096)
 *     u32  block_no: 0, 1, 2, ... in file order
 *     u32  CRC-32C of the 12 bytes above followed by the nrec records
 *     nrec records, each the 64 raw bytes of a struct fp_record
 *
 *   Then (version 2) the end mark, written when the run closes the ledger:
 *     u32  magic 0x444E4C46 ("FLND" read as little-endian bytes)
 *     u32  0 (no records)
 *     u32  block_no: the next block number
 *     u32  CRC-32C of the 12 bytes above
 *
 * The file ends cleanly exactly after the end mark (version 1: after a
 * block).  Anything else at the end (no end mark, a partial block header, a
 * partial block, or a last block whose checksum or fields are wrong) is what
 * a writer killed or crashed leaves, and is reported as a truncated tail;
 * all records before it are good.  Without the end mark a client killed
 * between two flushes would leave a file that looks complete while the
 * writes of its last flush interval are missing.  A bad block followed by
 * more data cannot be explained by a killed writer, and is reported as
 * damage.
 *
 * The writer: load threads copy records into a shared queue under a mutex
 * (cheap: a memcpy); one writer thread swaps the queue for an empty one, so
 * appenders never wait for the disk, writes it as blocks, and fdatasync()s,
 * every flush_ms or sooner when much is queued.
 */
#define _GNU_SOURCE

#include "ledger.h"

#include "crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ---- format constants ---- */

static const char ledger_magic[8] = {'F', 'P', 'L', 'E', 'D', 'G', 'R', '\n'};

#define FP_BOM 0x01020304u
#define FP_BLOCK_MAGIC 0x4B424C46u	/* bytes "FLBK" on little-endian */
#define FP_END_MAGIC 0x444E4C46u	/* bytes "FLND" on little-endian */
#define FP_LEDGER_OLDEST 1		/* version 1: no end mark */
#define FP_BLOCK_MAX_RECS 4096u
#define FP_BLOCK_HDR_SIZE 16
#define FP_BLOCK_MAX_SIZE (FP_BLOCK_HDR_SIZE + FP_BLOCK_MAX_RECS * sizeof(fp_record))

/* header field offsets */
#define HO_MAGIC 0
#define HO_VERSION 8
#define HO_HDRSIZE 12
#define HO_RECSIZE 16
#define HO_BOM 20
#define HO_RUN_ID 24
#define HO_START_US 32
#define HO_META 40
#define HO_CRC (FP_LEDGER_HEADER_SIZE - 4)

_Static_assert(HO_META + sizeof(((fp_ledger_header *) 0)->meta) <= HO_CRC,
			   "meta must fit in the header before its checksum");

/* Queued records at which an appender wakes the writer before its timer. */
#define WAKE_RECS (8 * FP_BLOCK_MAX_RECS)

/* Reader buffer: several maximal blocks, so reads are few and large. */
#define READ_BUF_SIZE (4 * 1024 * 1024)
_Static_assert(READ_BUF_SIZE >= FP_BLOCK_MAX_SIZE, "read buffer too small");

/* ---- small helpers ---- */

static void
put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof v);
}

static uint32_t
get_u32(const unsigned char *p)
{
	uint32_t	v;

	memcpy(&v, p, sizeof v);
	return v;
}

/* Write all of buf, retrying short writes and EINTR.  Returns 0 or -1/errno. */
static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0)
	{
		ssize_t		n = write(fd, p, len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

/*
 * Write all of iov[0..cnt), retrying short writes and EINTR.  Consumes
 * (modifies) iov.  Returns 0 or -1/errno.
 */
static int
writev_all(int fd, struct iovec *iov, int cnt)
{
	while (cnt > 0)
	{
		int			batch = cnt < IOV_MAX ? cnt : IOV_MAX;
		ssize_t		n = writev(fd, iov, batch);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* skip what was written, possibly stopping inside one iovec */
		while (cnt > 0 && (size_t) n >= iov->iov_len)
		{
			n -= (ssize_t) iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0)
		{
			iov->iov_base = (char *) iov->iov_base + n;
			iov->iov_len -= (size_t) n;
		}
	}
	return 0;
}

/* Read up to len bytes, retrying EINTR and short reads; stops at EOF. */
static ssize_t
read_full(int fd, void *buf, size_t len)
{
	char	   *p = buf;
	size_t		got = 0;

	while (got < len)
	{
		ssize_t		n = read(fd, p + got, len - got);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t) n;
	}
	return (ssize_t) got;
}

/*
 * fsync the directory holding path, so that the new file's name is durable
 * too.  Best effort: some file systems refuse fsync on a directory, and the
 * data itself is already safe.
 */
static void
fsync_parent_dir(const char *path)
{
	char	   *copy = strdup(path);
	int			fd;

	if (copy == NULL)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
	{
		(void) fsync(fd);
		close(fd);
	}
	free(copy);
}

/* ==================================================================== */
/* Writer                                                               */
/* ==================================================================== */

struct fp_ledger_writer
{
	char	   *path;
	int			fd;
	int			flush_ms;
	pthread_t	thread;

	pthread_mutex_t mu;			/* guards everything below */
	pthread_cond_t wake;		/* appenders/close -> writer thread */
	fp_record  *queue;			/* records appended, not yet taken */
	size_t		queue_len;
	size_t		queue_cap;
	fp_record  *spare;			/* the other buffer of the double buffer */
	size_t		spare_cap;
	bool		stop;			/* close asked: write what is left and exit */
	bool		failed;			/* errmsg holds the first error */
	char		errmsg[512];
	uint64_t	durable;		/* records written and fdatasync'ed */

	/* used by the writer thread only */
	uint32_t	next_block_no;
	unsigned char (*blk_hdrs)[FP_BLOCK_HDR_SIZE];
	struct iovec *iov;
	size_t		nblk_cap;
};

/* Record the first error (later ones are consequences).  Caller holds mu. */
static void
set_failed_locked(fp_ledger_writer *w, const char *what, int errnum)
{
	if (w->failed)
		return;
	w->failed = true;
	snprintf(w->errmsg, sizeof w->errmsg, "%s ledger %s: %s",
			 what, w->path, strerror(errnum));
}

static void
set_failed(fp_ledger_writer *w, const char *what, int errnum)
{
	pthread_mutex_lock(&w->mu);
	set_failed_locked(w, what, errnum);
	pthread_mutex_unlock(&w->mu);
}

/* Make room for nblk blocks' headers and iovecs.  Writer thread only. */
static int
reserve_blocks(fp_ledger_writer *w, size_t nblk)
{
	void	   *h;
	void	   *v;

	if (nblk <= w->nblk_cap)
		return 0;
	h = realloc(w->blk_hdrs, nblk * sizeof *w->blk_hdrs);
	if (h == NULL)
		return -1;
	w->blk_hdrs = h;
	v = realloc(w->iov, 2 * nblk * sizeof *w->iov);
	if (v == NULL)
		return -1;
	w->iov = v;
	w->nblk_cap = nblk;
	return 0;
}

/*
 * Write recs[0..n) as blocks of at most FP_BLOCK_MAX_RECS records with one
 * writev() (more only on short writes), then fdatasync.  Writer thread only.
 * Returns 0, or -1 with the error recorded.
 */
static int
write_blocks(fp_ledger_writer *w, const fp_record *recs, size_t n)
{
	size_t		nblk = (n + FP_BLOCK_MAX_RECS - 1) / FP_BLOCK_MAX_RECS;

	if (reserve_blocks(w, nblk) < 0)
	{
		set_failed(w, "writing", ENOMEM);
		return -1;
	}
	for (size_t b = 0; b < nblk; b++)
	{
		const fp_record *first = recs + b * FP_BLOCK_MAX_RECS;
		size_t		nrec = n - b * FP_BLOCK_MAX_RECS;
		unsigned char *h = w->blk_hdrs[b];
		uint32_t	crc;

		if (nrec > FP_BLOCK_MAX_RECS)
			nrec = FP_BLOCK_MAX_RECS;
		put_u32(h, FP_BLOCK_MAGIC);
		put_u32(h + 4, (uint32_t) nrec);
		put_u32(h + 8, w->next_block_no++);
		crc = fp_crc32c(0, h, 12);
		crc = fp_crc32c(crc, first, nrec * sizeof(fp_record));
		put_u32(h + 12, crc);

		w->iov[2 * b].iov_base = h;
		w->iov[2 * b].iov_len = FP_BLOCK_HDR_SIZE;
		w->iov[2 * b + 1].iov_base = (void *) first;
		w->iov[2 * b + 1].iov_len = nrec * sizeof(fp_record);
	}
	if (writev_all(w->fd, w->iov, (int) (2 * nblk)) < 0 ||
		fdatasync(w->fd) < 0)
	{
		set_failed(w, "writing", errno);
		return -1;
	}
	return 0;
}

/* Absolute CLOCK_MONOTONIC time ms from now (the condvar's clock). */
static struct timespec
deadline_in(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long) (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L)
	{
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/*
 * The writer thread: every flush_ms (or when woken because much is queued,
 * or to stop) take the whole queue and write it out.  The queue is swapped
 * with the spare buffer under the mutex, and written without it.
 */
static void *
writer_main(void *arg)
{
	fp_ledger_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;)
	{
		struct timespec deadline = deadline_in(w->flush_ms);
		fp_record  *batch;
		size_t		n;
		bool		stopping;
		bool		failed;

		while (!w->stop && w->queue_len < WAKE_RECS)
		{
			if (pthread_cond_timedwait(&w->wake, &w->mu, &deadline) == ETIMEDOUT)
				break;
		}

		/* swap buffers: appenders continue into the (empty) spare */
		batch = w->queue;
		n = w->queue_len;
		w->queue = w->spare;
		w->queue_len = 0;
		{
			size_t		cap = w->queue_cap;

			w->queue_cap = w->spare_cap;
			w->spare_cap = cap;
		}
		w->spare = batch;
		stopping = w->stop;
		failed = w->failed;
		pthread_mutex_unlock(&w->mu);

		/*
		 * After a failure nothing more is written: the file may end in a torn
		 * block, and anything after it would be reported as damage.
		 */
		if (n > 0 && !failed && write_blocks(w, batch, n) == 0)
		{
			pthread_mutex_lock(&w->mu);
			w->durable += n;
			pthread_mutex_unlock(&w->mu);
		}

		pthread_mutex_lock(&w->mu);
		if (stopping)
			break;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Lay out the 4096-byte header of hdr into buf, checksum included. */
static void
encode_header(unsigned char *buf, const fp_ledger_header *hdr)
{
	uint32_t	u32;
	size_t		metalen = strnlen(hdr->meta, sizeof hdr->meta - 1);

	memset(buf, 0, FP_LEDGER_HEADER_SIZE);
	memcpy(buf + HO_MAGIC, ledger_magic, sizeof ledger_magic);
	/* always the version this code writes, whatever hdr->version says */
	put_u32(buf + HO_VERSION, FP_LEDGER_VERSION);
	put_u32(buf + HO_HDRSIZE, FP_LEDGER_HEADER_SIZE);
	put_u32(buf + HO_RECSIZE, sizeof(fp_record));
	put_u32(buf + HO_BOM, FP_BOM);
	memcpy(buf + HO_RUN_ID, &hdr->run_id, sizeof hdr->run_id);
	memcpy(buf + HO_START_US, &hdr->start_us, sizeof hdr->start_us);
	/* the NUL is already there: buf was zeroed and metalen < sizeof meta */
	memcpy(buf + HO_META, hdr->meta, metalen);
	u32 = fp_crc32c(0, buf, HO_CRC);
	put_u32(buf + HO_CRC, u32);
}

/* Open path for writing as create's contract says; -1 with err filled. */
static int
create_file(const char *path, bool force, char *err, size_t errlen)
{
	int			flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	int			fd;

	flags |= force ? O_TRUNC : O_EXCL;
	fd = open(path, flags, 0600);
	if (fd < 0)
	{
		if (errno == EEXIST)
			snprintf(err, errlen,
					 "ledger file %s already exists; use --force to overwrite it",
					 path);
		else
			snprintf(err, errlen, "cannot create ledger %s: %s",
					 path, strerror(errno));
		return -1;
	}
	/* an overwritten file keeps its old mode; the ledger holds run details */
	if (fchmod(fd, 0600) < 0)
	{
		snprintf(err, errlen, "cannot create ledger %s: %s",
				 path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
free_writer(fp_ledger_writer *w)
{
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->wake);
	free(w->queue);
	free(w->spare);
	free(w->blk_hdrs);
	free(w->iov);
	free(w->path);
	free(w);
}

/* Set up the mutex and the monotonic-clock condvar.  0 or an errno. */
static int
init_sync(fp_ledger_writer *w)
{
	pthread_condattr_t ca;
	int			rc;

	if ((rc = pthread_mutex_init(&w->mu, NULL)) != 0)
		return rc;
	if ((rc = pthread_condattr_init(&ca)) != 0)
		return rc;
	/* monotonic, so a clock step cannot stall or rush the flushes */
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&w->wake, &ca);
	pthread_condattr_destroy(&ca);
	return rc;
}

fp_ledger_writer *
fp_ledger_create(const char *path, const fp_ledger_header *hdr,
				 bool force, int flush_ms,
				 char *err, size_t errlen)
{
	unsigned char buf[FP_LEDGER_HEADER_SIZE];
	fp_ledger_writer *w;
	int			fd;
	int			rc;

	w = calloc(1, sizeof *w);
	if (w == NULL || (w->path = strdup(path)) == NULL)
	{
		snprintf(err, errlen, "cannot create ledger %s: out of memory", path);
		free(w);
		return NULL;
	}
	if ((rc = init_sync(w)) != 0)
	{
		snprintf(err, errlen, "cannot create ledger %s: %s", path, strerror(rc));
		free(w->path);
		free(w);
		return NULL;
	}
	w->flush_ms = flush_ms > 0 ? flush_ms : 100;

	fd = create_file(path, force, err, errlen);
	if (fd < 0)
	{
		free_writer(w);
		return NULL;
	}
	w->fd = fd;

	/* the header is durable before the run starts, or there is no run */
	encode_header(buf, hdr);
	if (write_all(fd, buf, sizeof buf) < 0 || fsync(fd) < 0)
	{
		snprintf(err, errlen, "writing ledger %s: %s", path, strerror(errno));
		goto fail_unlink;
	}
	fsync_parent_dir(path);

	if ((rc = pthread_create(&w->thread, NULL, writer_main, w)) != 0)
	{
		snprintf(err, errlen, "cannot start the ledger writer thread: %s",
				 strerror(rc));
		goto fail_unlink;
	}
	return w;

fail_unlink:
	/* a file without a complete header is no ledger: do not leave it */
	close(fd);
	unlink(path);
	free_writer(w);
	return NULL;
}

/* Grow the queue to hold need records.  Caller holds mu.  0 or -1. */
static int
reserve_queue_locked(fp_ledger_writer *w, size_t need)
{
	size_t		cap = w->queue_cap ? w->queue_cap : FP_BLOCK_MAX_RECS;
	fp_record  *q;

	if (need <= w->queue_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	q = realloc(w->queue, cap * sizeof *q);
	if (q == NULL)
		return -1;
	w->queue = q;
	w->queue_cap = cap;
	return 0;
}

int
fp_ledger_append(fp_ledger_writer *w, const fp_record *recs, size_t n)
{
	size_t		before;

	pthread_mutex_lock(&w->mu);
	if (w->failed)
		goto fail;
	if (reserve_queue_locked(w, w->queue_len + n) < 0)
	{
		/* dropping records silently would falsify the ledger: fail it */
		set_failed_locked(w, "queuing records for", ENOMEM);
		goto fail;
	}
	before = w->queue_len;
	memcpy(w->queue + before, recs, n * sizeof *recs);
	w->queue_len += n;
	/* wake the writer once, when the queue crosses the threshold */
	if (before < WAKE_RECS && w->queue_len >= WAKE_RECS)
		pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	return 0;

fail:
	pthread_mutex_unlock(&w->mu);
	return -1;
}

const char *
fp_ledger_error(fp_ledger_writer *w)
{
	bool		failed;

	pthread_mutex_lock(&w->mu);
	failed = w->failed;
	pthread_mutex_unlock(&w->mu);
	/* errmsg is written once, before failed is set, and never again */
	return failed ? w->errmsg : NULL;
}

uint64_t
fp_ledger_durable_count(fp_ledger_writer *w)
{
	uint64_t	n;

	pthread_mutex_lock(&w->mu);
	n = w->durable;
	pthread_mutex_unlock(&w->mu);
	return n;
}

int
fp_ledger_close(fp_ledger_writer *w, char *err, size_t errlen)
{
	int			rc = 0;

	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);

	/*
	 * The thread's last round wrote whatever was queued; the end mark says
	 * that nothing more was to come, and the fdatasync makes both durable.
	 * The thread has exited, so no locking is needed.
	 */
	if (!w->failed)
	{
		unsigned char end[FP_BLOCK_HDR_SIZE];

		put_u32(end, FP_END_MAGIC);
		put_u32(end + 4, 0);
		put_u32(end + 8, w->next_block_no);
		put_u32(end + 12, fp_crc32c(0, end, 12));
		if (write_all(w->fd, end, sizeof end) < 0 || fdatasync(w->fd) < 0)
			set_failed_locked(w, "writing", errno);
	}
	if (close(w->fd) < 0)
		set_failed_locked(w, "closing", errno);
	if (w->failed)
	{
		snprintf(err, errlen, "%s", w->errmsg);
		rc = -1;
	}
	free_writer(w);
	return rc;
}

/* ==================================================================== */
/* Reader                                                               */
/* ==================================================================== */

struct fp_ledger_reader
{
	char	   *path;
	int			fd;
	unsigned char *buf;			/* READ_BUF_SIZE bytes read ahead */
	size_t		pos;			/* next unconsumed byte in buf */
	size_t		len;			/* valid bytes in buf */
	uint64_t	buf_off;		/* file offset of buf[0] */
	bool		eof;			/* read() has returned 0 */

	const unsigned char *cur;	/* next record of the current block */
	uint32_t	cur_left;		/* records left in the current block */
	uint32_t	next_block_no;
	uint64_t	nread;			/* records returned so far */
	uint32_t	version;		/* the file's format version */

	int			state;			/* 1 reading, 0 clean end, -1 error */
	bool		truncated;
	char		errmsg[512];
};

/* Size of the file now, or -1 (then errno is set). */
static int64_t
file_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	return (int64_t) st.st_size;
}

/*
 * Make at least need bytes available at buf[pos], reading ahead in large
 * chunks.  Returns the bytes available (less than need only at end of
 * file), or -1 on a read error.
 */
static ssize_t
fill(fp_ledger_reader *r, size_t need)
{
	if (r->len - r->pos >= need || r->eof)
		return (ssize_t) (r->len - r->pos);

	/* keep the unread rest, moved to the front */
	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->buf_off += r->pos;
	r->len -= r->pos;
	r->pos = 0;

	while (r->len < need && !r->eof)
	{
		ssize_t		n = read(r->fd, r->buf + r->len, READ_BUF_SIZE - r->len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			r->eof = true;
		r->len += (size_t) n;
	}
	return (ssize_t) r->len;
}

/* Stop reading for good: every later fp_ledger_next returns -1 again. */
static void
reader_fail(fp_ledger_reader *r, bool truncated, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
reader_fail(fp_ledger_reader *r, bool truncated, const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof r->errmsg, fmt, ap);
	va_end(ap);
	r->state = -1;
	r->truncated = truncated;
}

static void
fail_truncated(fp_ledger_reader *r, uint64_t off, uint64_t ignored,
			   const char *why)
{
	reader_fail(r, true,
				"truncated tail at offset %llu (a killed client, or a full disk?): "
				"%llu bytes ignored%s; records before it are good",
				(unsigned long long) off, (unsigned long long) ignored, why);
}

/*
 * Whether the file holds only zero bytes from offset off to its end: what a
 * crash can leave when the file system extended the file but its data never
 * reached the disk.  Used when a block header is unreadable, so the block's
 * extent (and whether it is the last one) is unknown.
 */
static bool
zeros_to_eof(fp_ledger_reader *r, uint64_t off)
{
	unsigned char chunk[65536];
	ssize_t		n;

	while ((n = pread(r->fd, chunk, sizeof chunk, (off_t) off)) > 0)
	{
		for (ssize_t i = 0; i < n; i++)
			if (chunk[i] != 0)
				return false;
		off += (uint64_t) n;
	}
	return n == 0;
}

/*
 * A block at off, of blk_len bytes (0: unknown), failed its checks for the
 * reason why.  Decide between a torn last write (truncated) and damage.
 */
static void
fail_bad_block(fp_ledger_reader *r, uint64_t off, uint64_t blk_len,
			   const char *why)
{
	int64_t		size = file_size(r->fd);
	bool		torn;
	char		reason[128];

	/* the last block, or the last before an end mark written after it
	 * (the end mark can reach the disk while the block does not) */
	if (blk_len > 0)
		torn = size >= 0 && ((uint64_t) size == off + blk_len ||
							 (uint64_t) size == off + blk_len + FP_BLOCK_HDR_SIZE);
	else
		torn = zeros_to_eof(r, off);

	if (torn)
	{
		snprintf(reason, sizeof reason, " (last block: %s)", why);
		fail_truncated(r, off, size >= 0 ? (uint64_t) size - off : 0, reason);
	}
	else
		reader_fail(r, false,
					"damaged block at offset %llu: %s; the %llu records before it are good",
					(unsigned long long) off, why,
					(unsigned long long) r->nread);
}

/*
 * The end mark at off (its 16 bytes at h): 0 when it is good and the last
 * thing in the file, else -1 (reader failed).
 */
static int
end_mark(fp_ledger_reader *r, uint64_t off, const unsigned char *h)
{
	int64_t		size = file_size(r->fd);

	if (get_u32(h + 4) != 0 || get_u32(h + 8) != r->next_block_no ||
		fp_crc32c(0, h, 12) != get_u32(h + 12))
	{
		fail_bad_block(r, off, FP_BLOCK_HDR_SIZE, "damaged end mark");
		return -1;
	}
	if (size < 0 || (uint64_t) size != off + FP_BLOCK_HDR_SIZE)
	{
		reader_fail(r, false, "%lld bytes after the end mark at offset %llu: the file is damaged "
					"or something was appended; the %llu records before it are good",
					(long long) (size - (int64_t) (off + FP_BLOCK_HDR_SIZE)),
					(unsigned long long) off, (unsigned long long) r->nread);
		return -1;
	}
	r->pos += FP_BLOCK_HDR_SIZE;
	return 0;
}

/*
 * Read and verify the next block, making its records current.  Returns 1,
 * 0 at the clean end of the file, or -1 (reader failed).
 */
static int
next_block(fp_ledger_reader *r)
{
	ssize_t		avail;
	uint64_t	off;
	const unsigned char *h;
	uint32_t	magic,
				nrec,
				block_no;
	size_t		blk_len;
	char		why[96];

	avail = fill(r, FP_BLOCK_HDR_SIZE);
	off = r->buf_off + r->pos;
	if (avail < 0)
	{
		reader_fail(r, false, "reading ledger %s: %s", r->path, strerror(errno));
		return -1;
	}
	if (avail == 0 && r->version == FP_LEDGER_OLDEST)
		return 0;
	if (avail == 0)
	{
		reader_fail(r, true, "no end mark after the last block, at offset %llu: the run did not "
					"finish (a killed or crashed client, or a full disk?), so the writes of "
					"its last flush interval may be missing; the %llu records before it are good",
					(unsigned long long) off, (unsigned long long) r->nread);
		return -1;
	}
	if (avail < FP_BLOCK_HDR_SIZE)
	{
		fail_truncated(r, off, (uint64_t) avail, "");
		return -1;
	}

	h = r->buf + r->pos;
	magic = get_u32(h);
	nrec = get_u32(h + 4);
	block_no = get_u32(h + 8);
	if (magic == FP_END_MAGIC && r->version > FP_LEDGER_OLDEST)
		return end_mark(r, off, h);
	if (magic != FP_BLOCK_MAGIC)
	{
		snprintf(why, sizeof why, "bad block magic 0x%08x", magic);
		fail_bad_block(r, off, 0, why);
		return -1;
	}
	if (nrec < 1 || nrec > FP_BLOCK_MAX_RECS)
	{
		snprintf(why, sizeof why, "record count %u out of range 1..%u",
				 nrec, FP_BLOCK_MAX_RECS);
		fail_bad_block(r, off, 0, why);
		return -1;
	}

	blk_len = FP_BLOCK_HDR_SIZE + (size_t) nrec * sizeof(fp_record);
	avail = fill(r, blk_len);
	if (avail < 0)
	{
		reader_fail(r, false, "reading ledger %s: %s", r->path, strerror(errno));
		return -1;
	}
	if ((size_t) avail < blk_len)
	{
		fail_truncated(r, off, (uint64_t) avail, "");
		return -1;
	}

	h = r->buf + r->pos;		/* fill() may have moved the data */
	if (fp_crc32c(fp_crc32c(0, h, 12), h + FP_BLOCK_HDR_SIZE,
				  blk_len - FP_BLOCK_HDR_SIZE) != get_u32(h + 12))
	{
		fail_bad_block(r, off, blk_len, "checksum mismatch");
		return -1;
	}
	/* a valid block in the wrong place: duplicated or spliced data */
	if (block_no != r->next_block_no)
	{
		snprintf(why, sizeof why, "block number %u where %u was expected",
				 block_no, r->next_block_no);
		fail_bad_block(r, off, blk_len, why);
		return -1;
	}

	r->next_block_no++;
	r->cur = h + FP_BLOCK_HDR_SIZE;
	r->cur_left = nrec;
	r->pos += blk_len;
	return 1;
}

/* Check the header in buf (n bytes read).  0, or -1 with err filled. */
static int
check_header(const char *path, const unsigned char *buf, size_t n,
			 char *err, size_t errlen)
{
	uint32_t	version,
				hdr_size,
				rec_size,
				bom;

	if (n < sizeof ledger_magic || memcmp(buf, ledger_magic, sizeof ledger_magic) != 0)
	{
		snprintf(err, errlen, "%s is not a failprobe ledger (bad magic)", path);
		return -1;
	}
	if (n < FP_LEDGER_HEADER_SIZE)
	{
		snprintf(err, errlen,
				 "%s: header truncated (%zu of %d bytes): the file is damaged",
				 path, n, FP_LEDGER_HEADER_SIZE);
		return -1;
	}
	bom = get_u32(buf + HO_BOM);
	if (bom != FP_BOM)
	{
		snprintf(err, errlen,
				 "%s has byte-order mark 0x%08x, not 0x%08x: it was written on a machine of another byte order, or is damaged",
				 path, bom, FP_BOM);
		return -1;
	}
	version = get_u32(buf + HO_VERSION);
	if (version < FP_LEDGER_OLDEST || version > FP_LEDGER_VERSION)
	{
		snprintf(err, errlen,
				 "%s is ledger format version %u; this failprobe reads versions %d to %d",
				 path, version, FP_LEDGER_OLDEST, FP_LEDGER_VERSION);
		return -1;
	}
	hdr_size = get_u32(buf + HO_HDRSIZE);
	rec_size = get_u32(buf + HO_RECSIZE);
	if (hdr_size != FP_LEDGER_HEADER_SIZE || rec_size != sizeof(fp_record))
	{
		snprintf(err, errlen,
				 "%s: header size %u and record size %u, expected %d and %zu: the file is damaged",
				 path, hdr_size, rec_size, FP_LEDGER_HEADER_SIZE, sizeof(fp_record));
		return -1;
	}
	if (fp_crc32c(0, buf, HO_CRC) != get_u32(buf + HO_CRC))
	{
		snprintf(err, errlen, "%s: header checksum mismatch: the file is damaged",
				 path);
		return -1;
	}
	return 0;
}

/* Fill hdr from a checked header. */
static void
decode_header(const unsigned char *buf, fp_ledger_header *hdr)
{
	memset(hdr, 0, sizeof *hdr);
	hdr->version = get_u32(buf + HO_VERSION);
	memcpy(&hdr->run_id, buf + HO_RUN_ID, sizeof hdr->run_id);
	memcpy(&hdr->start_us, buf + HO_START_US, sizeof hdr->start_us);
	memcpy(hdr->meta, buf + HO_META, sizeof hdr->meta - 1);
	/* the writer always ends meta with a NUL; make sure of it anyway */
	hdr->meta[sizeof hdr->meta - 1] = '\0';
}

fp_ledger_reader *
fp_ledger_open(const char *path, fp_ledger_header *hdr,
			   char *err, size_t errlen)
{
	unsigned char hbuf[FP_LEDGER_HEADER_SIZE];
	fp_ledger_reader *r;
	ssize_t		n;
	int			fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
	{
		snprintf(err, errlen, "cannot open ledger %s: %s", path, strerror(errno));
		return NULL;
	}
	n = read_full(fd, hbuf, sizeof hbuf);
	if (n < 0)
	{
		snprintf(err, errlen, "reading ledger %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (check_header(path, hbuf, (size_t) n, err, errlen) < 0)
	{
		close(fd);
		return NULL;
	}

	r = calloc(1, sizeof *r);
	if (r == NULL ||
		(r->path = strdup(path)) == NULL ||
		(r->buf = malloc(READ_BUF_SIZE)) == NULL)
	{
		snprintf(err, errlen, "cannot open ledger %s: out of memory", path);
		if (r != NULL)
			free(r->path);
		free(r);
		close(fd);
		return NULL;
	}
	r->fd = fd;
	r->buf_off = FP_LEDGER_HEADER_SIZE;
	r->state = 1;
	r->version = get_u32(hbuf + HO_VERSION);
	if (hdr != NULL)
		decode_header(hbuf, hdr);
	return r;
}

int
fp_ledger_next(fp_ledger_reader *r, fp_record *rec, char *err, size_t errlen)
{
	while (r->cur_left == 0 && r->state == 1)
	{
		int			rc = next_block(r);

		if (rc == 0)
			r->state = 0;
		else if (rc < 0)
			break;
	}
	if (r->state == -1)
	{
		snprintf(err, errlen, "%s", r->errmsg);
		return -1;
	}
	if (r->state == 0)
		return 0;

	memcpy(rec, r->cur, sizeof *rec);
	r->cur += sizeof *rec;
	r->cur_left--;
	r->nread++;
	return 1;
}

bool
fp_ledger_truncated(const fp_ledger_reader *r)
{
	return r->state == -1 && r->truncated;
}

void
fp_ledger_close_reader(fp_ledger_reader *r)
{
	if (r == NULL)
		return;
	close(r->fd);
	free(r->buf);
	free(r->path);
	free(r);
}
