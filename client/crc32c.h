/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of the ledger file.
 *
 * The same CRC as iSCSI, ext4 and PostgreSQL's WAL (reflected polynomial
 * 0x82F63B78, initial value and final XOR 0xFFFFFFFF): "123456789" gives
 * 0xE3069283.  The CPU's CRC32 instruction where it has one (x86-64 with
 * SSE4.2), else tables: the same result either way, so a ledger written on
 * one machine reads on any other.
 */
#ifndef FP_CRC32C_H
#define FP_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC-32C of data[0..len) continuing from crc.  Start with crc = 0; the
 * result of one call can be passed to the next to checksum data in pieces:
 * fp_crc32c(fp_crc32c(0, a, n), b, m) == CRC of a followed by b.
 * Thread-safe.
 */
uint32_t	fp_crc32c(uint32_t crc, const void *data, size_t len);

/* The table-driven sum alone, and whether fp_crc32c uses the CPU's. */
uint32_t	fp_crc32c_sw(uint32_t crc, const void *data, size_t len);
int			fp_crc32c_hw(void);

#endif
