/*
 * verify_ranges.h - sets of writes as compact worker:seq ranges.
 *
 * A failover loses a tail of every connection, not scattered writes, so
 * "worker 3: seq 1041-1187" says in one line what a list of a thousand
 * writes would.  Ranges are built by walking the state store in order
 * (sorted by construction), or from a list of (worker, seq) pairs for rows
 * the store has no place for; each range can carry the first and last time
 * of its writes, filled in by a later read of the ledger.
 */
#ifndef FP_VERIFY_RANGES_H
#define FP_VERIFY_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "verify_store.h"

typedef struct fpv_range
{
	int64_t		worker;
	int64_t		from;			/* first seq */
	int64_t		to;				/* last seq, inclusive */
	int64_t		first_us;		/* earliest done time of its writes; 0 unknown */
	int64_t		last_us;		/* latest */
} fpv_range;

typedef struct fpv_ranges
{
	fpv_range  *r;				/* sorted by (worker, from), disjoint */
	size_t		n;
	size_t		cap;
	uint64_t	writes;			/* writes covered */
	uint64_t	unlisted;		/* writes of the kind left out (a cap was hit) */
} fpv_ranges;

void		fpv_ranges_free(fpv_ranges *rs);

/* Append (worker, seq); extends the last range when it follows it.  Input
 * must come in (worker, seq) order.  Returns 0, -1 out of memory. */
int			fpv_ranges_add(fpv_ranges *rs, int64_t worker, int64_t seq);

/* The ranges of writes whose state byte has (state & mask) == want. */
int			fpv_ranges_from_store(fpv_ranges *rs, const fpv_store *s,
								  uint8_t mask, uint8_t want);

/* Sort n (worker, seq) pairs (pairs[2i], pairs[2i+1]) and compact them;
 * duplicates count once.  Returns 0, -1 out of memory. */
int			fpv_ranges_from_pairs(fpv_ranges *rs, int64_t *pairs, size_t n);

/* The range holding (worker, seq), or NULL. */
fpv_range  *fpv_ranges_find(const fpv_ranges *rs, int64_t worker, int64_t seq);

/* Widen the range's time span to include t. */
void		fpv_range_note_time(fpv_range *r, int64_t t);

/* "3:1041-1187" or "3:1041" into buf. */
void		fpv_range_format(const fpv_range *r, char *buf, size_t size);

#endif
