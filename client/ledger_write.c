/*
 * ledger_write.c - writing a run's ledger (ledger.h; the layout is in
 * ledger_format.h).
 *
 * The writer: load threads copy records into a shared queue under a mutex
 * (cheap: a memcpy); one writer thread swaps the queue for an empty one, so
 * appenders never wait for the disk, writes it as blocks, and fdatasync()s,
 * every flush_ms or sooner when much is queued.
 */
#define _GNU_SOURCE

#include "ledger.h"
#include "ledger_format.h"

#include "crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Queued records at which an appender wakes the writer before its timer. */
#define WAKE_RECS (8 * FP_BLOCK_MAX_RECS)

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

	struct timespec deadline = deadline_in(w->flush_ms);

	pthread_mutex_lock(&w->mu);
	for (;;)
	{
		fp_record  *batch;
		size_t		n;
		bool		stopping;
		bool		failed;

		while (!w->stop && w->queue_len < WAKE_RECS)
		{
			if (pthread_cond_timedwait(&w->wake, &w->mu, &deadline) == ETIMEDOUT)
				break;
		}
		/* from the swap, not after the write: a slow fdatasync must not
		 * stretch the time a record waits for the next one */
		deadline = deadline_in(w->flush_ms);

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
