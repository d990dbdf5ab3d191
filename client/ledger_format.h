/*
 * ledger_format.h - the layout of a ledger file, shared by its writer
 * (ledger_write.c) and its reader (ledger_read.c); the API is ledger.h.
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
 */
#ifndef FP_LEDGER_FORMAT_H
#define FP_LEDGER_FORMAT_H

#include "ledger.h"

#include <stdint.h>
#include <string.h>

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

static inline void
put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof v);
}

static inline uint32_t
get_u32(const unsigned char *p)
{
	uint32_t	v;

	memcpy(&v, p, sizeof v);
	return v;
}

#endif
