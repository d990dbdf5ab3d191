/*
 * report_input.h - what a report is made from: the ledger (required), the
 * JSON of `failprobe run --json` and of `failprobe verify --json` (both
 * optional), loaded and checked before anything is written.
 *
 * The server's samples (<ledger>.server.jsonl, report_server.h) are
 * optional too: a missing default file only makes the page say so.
 *
 * The JSON files come from other commands, possibly other versions of
 * them, so every key is read defensively: a missing key or one of another
 * type reads as absent, never as an error.
 */
#ifndef FP_REPORT_INPUT_H
#define FP_REPORT_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ledger.h"
#include "report_series.h"
#include "report_server.h"

typedef struct fp_report_input
{
	const char *ledger_path;
	const char *run_path;		/* NULL: none given */
	const char *verify_path;	/* NULL: not verified */
	const char *server_path;	/* the server's samples; NULL: none (off) */
	bool		server_named;	/* server_path was given: it must be readable */
	fp_ledger_header hdr;
	json_t	   *meta;			/* the ledger header's options; NULL if unreadable */
	json_t	   *run;			/* run JSON object, or NULL */
	json_t	   *verify;			/* verify JSON object, or NULL */
	fp_rseries	series;
	fp_rserver	server;			/* state FP_RSV_OFF when server_path is NULL */
	bool		truncated;		/* the ledger ends in a torn tail */
	char		end_note[256];	/* what the reader said about the tail */
} fp_report_input;

/* Read everything.  Returns 0, or -1 with a one-line message in err. */
int			fp_report_load(fp_report_input *in, char *err, size_t errlen);
void		fp_report_input_free(fp_report_input *in);

/* A number under key (integer or real); false when absent or not a number. */
bool		fp_rj_number(const json_t *obj, const char *key, double *out);

/* A string under key, or NULL. */
const char *fp_rj_string(const json_t *obj, const char *key);

/*
 * A timestamp as Unix microseconds: ISO 8601 / PostgreSQL text
 * ("2024-05-01 12:00:00.123456+00", "...T...Z", offsets +HH[:MM]); 0 when
 * it does not parse.
 */
int64_t		fp_rj_parse_time(const char *text);

/*
 * The promotion time the verify JSON carries (from failprobe.events), or 0:
 * a "promoted_at" key at any depth up to 4, or an "at" in an object with
 * "kind": "promoted"; of several, the earliest within [from_us, to_us].
 */
int64_t		fp_rj_promotion_us(const json_t *verify, int64_t from_us, int64_t to_us);

/*
 * The lost acknowledged writes the verify JSON lists, as an array of
 * objects (ranges or single writes), or NULL: "lost_ranges" (an array, or
 * an object holding one, as verify writes it), else the first top-level
 * key containing "lost" that holds such a list.  *key names it.
 */
const json_t *fp_rj_lost_list(const json_t *verify, const char **key);

#endif
