/*
 * inspect.c - `failprobe inspect --ledger FILE [--json]`.
 *
 * Reads a ledger once and says what it holds: the run it belongs to, the
 * options it was run with, the records by outcome, the span of time they
 * cover, and whether the file ends cleanly.  It is the quick look before a
 * verify (is this the right file? did the client die?), and the independent
 * reader the tests use to check that a killed client's ledger stays
 * readable.
 */
#define _POSIX_C_SOURCE 200809L

#include "inspect.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "ledger.h"
#include "timefmt.h"

typedef struct fp_inspect
{
	uint64_t	records;
	uint64_t	by_outcome[5];	/* index: fp_outcome; 0 = unknown */
	int64_t		first_us;		/* earliest due time */
	int64_t		last_us;		/* latest completion */
	uint32_t	workers;		/* highest worker number + 1 */
	bool		truncated;
	bool		damaged;
	char		error[256];
} fp_inspect;

static const char *help =
"Usage: failprobe inspect --ledger FILE [--json]\n"
"Say what a ledger file holds: its run, options, records by outcome, and\n"
"whether it ends cleanly.\n"
"\n"
"  -l, --ledger FILE   the ledger to read\n"
"      --json          print JSON instead of text\n"
"  -h, --help          this help\n"
"\n"
"Exit status: 0 a whole file, 1 a truncated tail (the client was killed: at\n"
"most its last flush interval is missing, the records before are good),\n"
"2 an error (not a ledger, damaged, unreadable).\n";

static void
tally(fp_inspect *in, const fp_record *rec)
{
	int64_t		done = rec->outcome == FP_OUT_MISSED ? rec->scheduled_us : rec->done_us;

	in->records++;
	in->by_outcome[rec->outcome <= FP_OUT_MISSED ? rec->outcome : 0]++;
	if (in->first_us == 0 || rec->scheduled_us < in->first_us)
		in->first_us = rec->scheduled_us;
	if (done > in->last_us)
		in->last_us = done;
	if (rec->worker + 1 > in->workers)
		in->workers = rec->worker + 1;
}

static int
read_all(const char *path, fp_ledger_header *hdr, fp_inspect *in)
{
	fp_ledger_reader *r;
	fp_record	rec;
	int			rc;

	memset(in, 0, sizeof(*in));
	r = fp_ledger_open(path, hdr, in->error, sizeof(in->error));
	if (r == NULL)
		return -1;
	while ((rc = fp_ledger_next(r, &rec, in->error, sizeof(in->error))) == 1)
		tally(in, &rec);
	if (rc < 0)
	{
		in->truncated = fp_ledger_truncated(r);
		in->damaged = !in->truncated;
	}
	fp_ledger_close_reader(r);
	return 0;
}

static void
print_text(const char *path, const fp_ledger_header *hdr, const fp_inspect *in)
{
	char		a[40], b[40];

	fp_time_iso(a, sizeof(a), hdr->start_us);
	printf("ledger %s: run %" PRIu64 ", started %s, format %u\n", path, hdr->run_id, a, hdr->version);
	printf("  options: %s\n", hdr->meta);
	fp_time_iso(a, sizeof(a), in->first_us);
	fp_time_iso(b, sizeof(b), in->last_us);
	printf("  records: %" PRIu64 " from %u workers, %s to %s\n", in->records, in->workers, a, b);
	printf("  acked %" PRIu64 ", failed %" PRIu64 ", in doubt %" PRIu64 ", missed %" PRIu64 "\n",
		   in->by_outcome[FP_OUT_ACKED], in->by_outcome[FP_OUT_FAILED],
		   in->by_outcome[FP_OUT_IN_DOUBT], in->by_outcome[FP_OUT_MISSED]);
	if (in->truncated)
		printf("  end: %s\n", in->error);
	else if (in->damaged)
		printf("  end: DAMAGED: %s\n", in->error);
	else
		printf("  end: clean\n");
}

/* The summary as JSON on stdout; -1 if it cannot be made. */
static int
print_json(const char *path, const fp_ledger_header *hdr, const fp_inspect *in)
{
	json_error_t jerr;
	json_t	   *meta = json_loads(hdr->meta, 0, &jerr);
	json_t	   *o = json_pack("{s:s,s:I,s:I,s:i,s:o,s:I,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s?}",
							  "path", path, "run_id", (json_int_t) hdr->run_id,
							  "start_us", (json_int_t) hdr->start_us, "version", (int) hdr->version,
							  "meta", meta ? meta : json_null(),
							  "records", (json_int_t) in->records, "workers", (int) in->workers,
							  "acked", (json_int_t) in->by_outcome[FP_OUT_ACKED],
							  "failed", (json_int_t) in->by_outcome[FP_OUT_FAILED],
							  "in_doubt", (json_int_t) in->by_outcome[FP_OUT_IN_DOUBT],
							  "missed", (json_int_t) in->by_outcome[FP_OUT_MISSED],
							  "first_us", (json_int_t) in->first_us, "last_us", (json_int_t) in->last_us,
							  "end", in->truncated ? "truncated" : in->damaged ? "damaged" : "clean",
							  "error", in->error[0] ? in->error : NULL);

	/* jansson takes UTF-8 only: a path in another encoding ends here */
	if (o == NULL)
	{
		fprintf(stderr, "failprobe: cannot write the JSON of %s: the path or a text in the ledger "
				"is not UTF-8; use the text output\n", path);
		return -1;
	}
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(o);
	return 0;
}

int
fp_inspect_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ledger", required_argument, NULL, 'l'},
		{"json", no_argument, NULL, 1},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const char *path = NULL;
	bool		as_json = false;
	fp_ledger_header hdr;
	fp_inspect	in;
	int			ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "l:h", opts, NULL)) != -1)
	{
		switch (ch)
		{
			case 'l': path = optarg; break;
			case 1: as_json = true; break;
			case 'h': fputs(help, stdout); return 0;
			default:
				fprintf(stderr, "failprobe: unknown option or missing value '%s'; see 'failprobe inspect --help'\n",
						argv[optind - 1]);
				return 2;
		}
	}
	if (path == NULL || optind < argc)
	{
		fprintf(stderr, "failprobe: inspect needs --ledger FILE and nothing else; see 'failprobe inspect --help'\n");
		return 2;
	}
	if (read_all(path, &hdr, &in) != 0)
	{
		fprintf(stderr, "failprobe: %s\n", in.error);
		return 2;
	}
	if (as_json)
	{
		if (print_json(path, &hdr, &in) != 0)
			return 2;
	}
	else
		print_text(path, &hdr, &in);
	return in.damaged ? 2 : in.truncated ? 1 : 0;
}
