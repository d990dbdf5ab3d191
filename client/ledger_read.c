/*
 * ledger_read.c - reading a ledger back, record by record, telling a
 * truncated tail (a writer killed) from damage (ledger.h; the layout is in
 * ledger_format.h).
 */
#define _GNU_SOURCE

#include "ledger.h"
#include "ledger_format.h"

#include "crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reader buffer: several maximal blocks, so reads are few and large. */
#define READ_BUF_SIZE (4 * 1024 * 1024)
_Static_assert(READ_BUF_SIZE >= FP_BLOCK_MAX_SIZE, "read buffer too small");

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

/*
 * Whether the file's last 16 bytes, after offset off, are a good end mark.
 * The writer adds the end mark only once every block is durable, so a file
 * that ends in one was complete: a bad tail before it is damage.
 */
static bool
ends_in_end_mark(fp_ledger_reader *r, uint64_t off)
{
	int64_t		size = file_size(r->fd);
	unsigned char m[FP_BLOCK_HDR_SIZE];

	if (r->version == FP_LEDGER_OLDEST || size < 0 ||
		(uint64_t) size < off + 2 * FP_BLOCK_HDR_SIZE ||
		pread(r->fd, m, sizeof m, (off_t) size - FP_BLOCK_HDR_SIZE) != (ssize_t) sizeof m)
		return false;
	return get_u32(m) == FP_END_MAGIC && get_u32(m + 4) == 0 &&
		fp_crc32c(0, m, 12) == get_u32(m + 12);
}

/*
 * The tail from off on is unreadable (why: a parenthesised reason, or "").
 * A killed writer leaves that, unless the file still ends in its end mark.
 */
static void
fail_truncated(fp_ledger_reader *r, uint64_t off, uint64_t ignored,
			   const char *why)
{
	if (ends_in_end_mark(r, off))
		reader_fail(r, false,
					"damaged block at offset %llu%s, before a good end mark: the run "
					"finished, so this is damage, not a killed client; the %llu records "
					"before it are good",
					(unsigned long long) off, why[0] ? why : " (cut short)",
					(unsigned long long) r->nread);
	else
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

	/* the last thing in the file, or followed by nothing but an end mark
	 * (fail_truncated tells that damage from a torn write) */
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
