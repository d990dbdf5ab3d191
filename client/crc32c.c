/*
 * crc32c.c - CRC-32C (Castagnoli), declared in crc32c.h: tables, or the
 * CPU's CRC32 instruction where it has one.
 *
 * "Slicing-by-8": eight 256-entry tables let the loop fold 8 input bytes
 * per step instead of one, about 5x faster than the classic byte-at-a-time
 * table, which matters because the reader checksums every byte of a
 * possibly multi-gigabyte ledger.  Table t[k][b] is the CRC of byte b
 * followed by k zero bytes, so the 8 lookups of one step can be XORed
 * together.  The bytes are combined one by one rather than loaded as a
 * 64-bit word, so the code gives the same result on any byte order.
 *
 * The tables (8 KiB) are built on first use, under pthread_once so that
 * concurrent first calls are safe.
 *
 * On x86-64 CPUs with SSE4.2 (checked once at run time) the CRC32
 * instruction does the same sum 8 bytes per instruction: the ledger is
 * checksummed once per write by the load client and once per write again
 * by every reader, and the tables cost some 25 instructions per 8 bytes.
 * Both paths give the same result (tests/test_ledger.c compares them).
 */
#include "crc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>
#define FP_HAVE_SSE42_CRC 1
#endif

#define CRC32C_POLY 0x82F63B78u	/* 0x1EDC6F41 bit-reversed */

static uint32_t crc_table[8][256];
static pthread_once_t crc_table_once = PTHREAD_ONCE_INIT;

static void
build_tables(void)
{
	for (uint32_t b = 0; b < 256; b++)
	{
		uint32_t	c = b;

		for (int i = 0; i < 8; i++)
			c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
		crc_table[0][b] = c;
	}
	/* t[k][b] = t[k-1][b] advanced over one more zero byte */
	for (int k = 1; k < 8; k++)
		for (int b = 0; b < 256; b++)
		{
			uint32_t	c = crc_table[k - 1][b];

			crc_table[k][b] = (c >> 8) ^ crc_table[0][c & 0xFF];
		}
}

uint32_t
fp_crc32c_sw(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;

	pthread_once(&crc_table_once, build_tables);

	/*
	 * The pre- and post-inversion live here rather than with the caller, so
	 * that 0 is the starting value and results chain (as zlib's crc32()).
	 */
	crc = ~crc;
	while (len >= 8)
	{
		crc ^= (uint32_t) p[0] | (uint32_t) p[1] << 8 |
			(uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
		crc = crc_table[7][crc & 0xFF] ^
			crc_table[6][(crc >> 8) & 0xFF] ^
			crc_table[5][(crc >> 16) & 0xFF] ^
			crc_table[4][crc >> 24] ^
			crc_table[3][p[4]] ^
			crc_table[2][p[5]] ^
			crc_table[1][p[6]] ^
			crc_table[0][p[7]];
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xFF];
	return ~crc;
}

#ifdef FP_HAVE_SSE42_CRC
__attribute__((target("sse4.2")))
static uint32_t
crc32c_sse42(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t	c = ~crc;

	for (; len >= 8; p += 8, len -= 8)
	{
		uint64_t	v;

		memcpy(&v, p, 8);		/* x86 is little-endian, as the tables */
		c = _mm_crc32_u64(c, v);
	}
	crc = (uint32_t) c;
	while (len-- > 0)
		crc = _mm_crc32_u8(crc, *p++);
	return ~crc;
}
#endif

int
fp_crc32c_hw(void)
{
#ifdef FP_HAVE_SSE42_CRC
	return __builtin_cpu_supports("sse4.2");
#else
	return 0;
#endif
}

uint32_t
fp_crc32c(uint32_t crc, const void *data, size_t len)
{
#ifdef FP_HAVE_SSE42_CRC
	/* the CPU's features are read once, before main, by libgcc */
	if (__builtin_cpu_supports("sse4.2"))
		return crc32c_sse42(crc, data, len);
#endif
	return fp_crc32c_sw(crc, data, len);
}
