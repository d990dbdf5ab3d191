/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of the ledger file.
 *
 * The same CRC as iSCSI, ext4 and PostgreSQL's WAL (reflected polynomial
 * 0x82F63B78, initial value and final XOR 0xFFFFFFFF): "123456789" gives
 * 0xE3069283.  Computed in software, so the file format does not depend on
 * the CPU.
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

#endif
