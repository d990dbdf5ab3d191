/*
 * digest.h - what makes a ledger row checkable: its identity, its payload,
 * and the SHA-256 over both.
 *
 * The identity is run_id (8 bytes), worker (4) and seq (8), big-endian, so
 * that the server can rebuild it in SQL as
 *     int8send(run_id) || int4send(worker) || int8send(seq)
 * and check a row on its own:
 *     sha256(<identity> || coalesce(payload, '')) = digest
 * The payload (--payload-bytes) is not random: it is a pure function of the
 * identity, so that `failprobe verify` knows every row's expected digest
 * without having stored it.
 */
#ifndef FP_DIGEST_H
#define FP_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define FP_IDENTITY_LEN 20
#define FP_DIGEST_LEN 32
#define FP_PAYLOAD_MAX 65536

void		fp_identity(uint64_t run_id, uint32_t worker, uint64_t seq,
						unsigned char id[FP_IDENTITY_LEN]);

/* Fill n bytes of the row's payload (splitmix64 seeded by the identity). */
void		fp_payload_fill(uint64_t run_id, uint32_t worker, uint64_t seq,
							unsigned char *buf, size_t n);

/*
 * A SHA-256 context (OpenSSL EVP) and its method, fetched once: an implicit
 * fetch per digest takes a lock each time.  One per thread: EVP contexts
 * are not shared.
 */
typedef struct fp_digester
{
	EVP_MD_CTX *ctx;
	EVP_MD	   *sha256;
} fp_digester;

/* 0, or -1 when OpenSSL cannot provide SHA-256 (or no memory). */
int			fp_digester_init(fp_digester *d);
void		fp_digester_free(fp_digester *d);

/*
 * SHA-256 over identity || payload[0..n), the identity already built (the
 * load threads send its bytes as the row's key too).  0, or -1 if OpenSSL
 * fails.
 */
int			fp_digest_identity(fp_digester *d, const unsigned char id[FP_IDENTITY_LEN],
							   const unsigned char *payload, size_t n,
							   unsigned char out[FP_DIGEST_LEN]);

/* The same from the identity's parts. */
int			fp_digest(fp_digester *d, uint64_t run_id, uint32_t worker, uint64_t seq,
					  const unsigned char *payload, size_t n,
					  unsigned char out[FP_DIGEST_LEN]);

#endif
