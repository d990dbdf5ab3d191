/*
 * digest.c - row identity, payload and digest (see digest.h).
 */

/*
 * SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but
 * they run the same assembly (SHA-NI where the CPU has it) without EVP's
 * per-call work: in OpenSSL 3.0 each EVP_DigestInit_ex looks for an engine,
 * frees and allocates the provider's context, and clears flags, which made
 * one digest of a 20-byte identity 1.1k instructions against 0.5k here.  At
 * one digest per write that was a tenth of the load client's own CPU.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#define _DEFAULT_SOURCE			/* htobe64 */

#include "digest.h"

#include <endian.h>
#include <string.h>

#include <openssl/sha.h>

/*
 * Big-endian stores through htobe*: one instruction each, where the loops
 * of byte shifts they replace cost a hundred per identity, built per write.
 */
void
fp_identity(uint64_t run_id, uint32_t worker, uint64_t seq,
			unsigned char id[FP_IDENTITY_LEN])
{
	uint64_t	r = htobe64(run_id);
	uint32_t	w = htobe32(worker);
	uint64_t	s = htobe64(seq);

	memcpy(id, &r, 8);
	memcpy(id + 8, &w, 4);
	memcpy(id + 12, &s, 8);
}

static uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void
fp_payload_fill(uint64_t run_id, uint32_t worker, uint64_t seq,
				unsigned char *buf, size_t n)
{
	uint64_t	state = run_id ^ ((uint64_t) worker << 40) ^ (seq * UINT64_C(0xD1B54A32D192ED03));
	size_t		i = 0;

	while (i < n)
	{
		uint64_t	v = splitmix64(&state);

		for (int b = 0; b < 8 && i < n; b++, i++)
			buf[i] = (unsigned char) (v >> (8 * b));
	}
}

int
fp_digest(EVP_MD_CTX *md, const EVP_MD *sha256, uint64_t run_id, uint32_t worker, uint64_t seq,
		  const unsigned char *payload, size_t n, unsigned char out[FP_DIGEST_LEN])
{
	unsigned char id[FP_IDENTITY_LEN];
	unsigned int len = FP_DIGEST_LEN;

	fp_identity(run_id, worker, seq, id);
	if (EVP_DigestInit_ex(md, sha256, NULL) != 1 ||
		EVP_DigestUpdate(md, id, sizeof(id)) != 1 ||
		(n > 0 && EVP_DigestUpdate(md, payload, n) != 1) ||
		EVP_DigestFinal_ex(md, out, &len) != 1)
		return -1;
	return 0;
}

/*
 * SHA-256 of a message short enough for one 64-byte block with its padding
 * (the message, 0x80, zeros, its length in bits as 8 big-endian bytes):
 * the block built here and compressed by one SHA256_Transform.  For the
 * 20-byte identity that is 0.3k instructions against the 0.5k of
 * SHA256_Update and SHA256_Final, which buffer, pad and cleanse.
 */
#define FP_ONE_BLOCK_MAX 55		/* 64 - the 0x80 - the length */

static void
sha256_one_block(const unsigned char id[FP_IDENTITY_LEN],
				 const unsigned char *payload, size_t n,
				 unsigned char out[FP_DIGEST_LEN])
{
	SHA256_CTX	c;
	unsigned char block[64] = {0};
	uint64_t	bits = htobe64((uint64_t) (FP_IDENTITY_LEN + n) * 8);

	memcpy(block, id, FP_IDENTITY_LEN);
	if (n > 0)
		memcpy(block + FP_IDENTITY_LEN, payload, n);
	block[FP_IDENTITY_LEN + n] = 0x80;
	memcpy(block + 56, &bits, 8);
	SHA256_Init(&c);
	SHA256_Transform(&c, block);
	for (int i = 0; i < 8; i++)
	{
		uint32_t	w = htobe32(c.h[i]);

		memcpy(out + 4 * i, &w, 4);
	}
}

void
fp_digest_identity(const unsigned char id[FP_IDENTITY_LEN],
				   const unsigned char *payload, size_t n,
				   unsigned char out[FP_DIGEST_LEN])
{
	SHA256_CTX	c;

	if (FP_IDENTITY_LEN + n <= FP_ONE_BLOCK_MAX)
	{
		sha256_one_block(id, payload, n, out);
		return;
	}
	/* none of the three can fail: they only move bytes through the state */
	SHA256_Init(&c);
	SHA256_Update(&c, id, FP_IDENTITY_LEN);
	SHA256_Update(&c, payload, n);
	SHA256_Final(out, &c);
}
