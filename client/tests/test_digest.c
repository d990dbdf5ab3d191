/*
 * test_digest.c - cmocka unit tests for the row identity, payload and
 * digest (digest.c).
 *
 * The expected values come from outside this code: Python's hashlib over
 * struct.pack('>QIQ', run_id, worker, seq) followed by the payload, the
 * payload from a twelve-line Python port of fp_payload_fill (splitmix64).
 * The server checks rows with the same formula in SQL (verify_server.c):
 *     sha256(int8send(run_id) || int4send(worker) || int8send(seq) || payload)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "digest.h"

#define RUN UINT64_C(0x0123456789ABCDEF)
#define WORKER 7
#define SEQ 42

static void
hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* Big-endian run_id, worker, seq: what int8send/int4send give. */
static void
test_identity_layout(void **state)
{
	unsigned char id[FP_IDENTITY_LEN];
	char		h[2 * FP_IDENTITY_LEN + 1];

	(void) state;
	fp_identity(RUN, WORKER, SEQ, id);
	hex(id, sizeof id, h);
	assert_string_equal(h, "0123456789abcdef00000007000000000000002a");
}

/*
 * Payload lengths on both sides of one SHA-256 block (identity + payload
 * up to 55 bytes fit one block with the padding) and well past it.
 */
static void
test_digest_vectors(void **state)
{
	static const struct
	{
		size_t		n;
		const char *sha;
	}			v[] = {
		{0, "527a7516f31f29e449564218f8b07a2c3126372998c2a165623aefa0700b39fd"},
		{1, "e529c094c6af298ed31d27136c49c8e585c30e26b16def564dbabb84279f3d2b"},
		{35, "48da7899bfc16afa517f4c0a04548e42825f9b40b654bbe2be52a3c5f7be094f"},
		{36, "16994d3a17373ef30457342fdf6c8f10b1ee951f0a6ee66fd77cff977c2bf614"},
		{100, "b61e8940dfac8e1afeb68361fceae3083032875d64e772a1f23b04ee73047eed"},
		{300, "963bd957d26a357712669d61d775166a5f5cabc50b3503e25e18a7d10d05bf49"},
	};
	fp_digester d;
	unsigned char payload[300];
	unsigned char id[FP_IDENTITY_LEN];
	unsigned char out[FP_DIGEST_LEN];
	char		h[2 * FP_DIGEST_LEN + 1];

	(void) state;
	assert_int_equal(fp_digester_init(&d), 0);
	fp_identity(RUN, WORKER, SEQ, id);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
	{
		fp_payload_fill(RUN, WORKER, SEQ, payload, v[i].n);
		assert_int_equal(fp_digest_identity(&d, id, payload, v[i].n, out), 0);
		hex(out, sizeof out, h);
		assert_string_equal(h, v[i].sha);
		/* the same through the identity's parts: the context is reused */
		memset(out, 0, sizeof out);
		assert_int_equal(fp_digest(&d, RUN, WORKER, SEQ, payload, v[i].n, out), 0);
		hex(out, sizeof out, h);
		assert_string_equal(h, v[i].sha);
	}
	fp_digester_free(&d);
	fp_digester_free(&d);		/* twice is harmless */
}

/* The payload's first bytes, and a shorter one is a prefix of a longer one. */
static void
test_payload_prefix(void **state)
{
	unsigned char a[300];
	unsigned char b[37];

	(void) state;
	fp_payload_fill(RUN, WORKER, SEQ, a, sizeof a);
	fp_payload_fill(RUN, WORKER, SEQ, b, sizeof b);
	assert_memory_equal(a, b, sizeof b);
	assert_int_equal(a[0], 0xcd);
	assert_int_equal(a[1], 0x95);
	fp_payload_fill(RUN, WORKER, SEQ + 1, b, sizeof b);
	assert_memory_not_equal(a, b, sizeof b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_layout),
		cmocka_unit_test(test_digest_vectors),
		cmocka_unit_test(test_payload_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
