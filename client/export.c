/*
 * export.c - `failprobe export --ledger FILE --csv DIR [--writes] [--force]`.
 *
 * Reads the ledger once, from start to end, and writes into DIR:
 *   client_seconds.csv  the client's view per second (export_seconds.h);
 *   server_seconds.csv  the server's samples, when FILE.server.jsonl exists;
 *   stages.csv          the load stages, when FILE.stages.jsonl exists;
 *   writes.csv          with --writes, every record (export_writes.h).
 * Which files will be written is settled, and checked against what DIR
 * already holds, before any is created, so a refusal leaves DIR untouched.
 * The ledger is never written to.
 */
#define _POSIX_C_SOURCE 200809L

#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "export_csv.h"
#include "jsonl.h"
#include "export_seconds.h"
#include "export_server.h"
#include "export_stages.h"
#include "export_writes.h"
#include "ledger.h"
#include "sampler.h"
#include "stages.h"

static const char *help =
"Usage: failprobe export --ledger FILE --csv DIR [--writes] [--force]\n"
"Write a run as CSV files with a header row into DIR (created if missing):\n"
"  client_seconds.csv  per second of the run: writes sent, acked, failed, in\n"
"                      doubt, missed; latency percentiles of the acks\n"
"  server_seconds.csv  the server's metrics sampled during the run (from\n"
"                      FILE.server.jsonl, when present)\n"
"  stages.csv          the load stages of a profiled run (FILE.stages.jsonl)\n"
"  writes.csv          with --writes: every write in the ledger\n"
"\n"
"  -l, --ledger FILE   the ledger of the run\n"
"      --csv DIR       where to write the CSV files\n"
"      --writes        also write writes.csv (large: a row per write)\n"
"  -f, --force         overwrite CSV files that already exist in DIR\n"
"  -h, --help          this help\n"
"\n"
"Exit status: 0 exported (a truncated ledger tail is reported on stderr and the\n"
"records before it exported), 2 an error.\n";

/* What to write, settled before anything is. */
typedef struct fp_export
{
	const char *ledger;
	const char *dir;
	bool		writes;
	bool		force;
	char		server_jsonl[4096];	/* "" when absent */
	char		stages_jsonl[4096];	/* "" when absent */
} fp_export;

static int
fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "failprobe export: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static int
parse(int argc, char **argv, fp_export *ex)
{
	static const struct option opts[] = {
		{"ledger", required_argument, NULL, 'l'},
		{"csv", required_argument, NULL, 1},
		{"writes", no_argument, NULL, 2},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int			ch;

	memset(ex, 0, sizeof(*ex));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "l:fh", opts, NULL)) != -1)
	{
		switch (ch)
		{
			case 'l': ex->ledger = optarg; break;
			case 1: ex->dir = optarg; break;
			case 2: ex->writes = true; break;
			case 'f': ex->force = true; break;
			case 'h': fputs(help, stdout); exit(0);
			case ':': return fail("option %s needs a value; see 'failprobe export --help'", argv[optind - 1]);
			default: return fail("unknown option '%s'; see 'failprobe export --help'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail("unexpected argument '%s'; see 'failprobe export --help'", argv[optind]);
	if (ex->ledger == NULL)
		return fail("%s--ledger FILE is required: the ledger of the run to export", "");
	if (ex->dir == NULL)
		return fail("%s--csv DIR is required: where to write the CSV files", "");
	return 0;
}

/* DIR exists as a directory afterwards, or an error. */
static int
make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
	{
		fprintf(stderr, "failprobe export: cannot create directory %s: %s\n", dir, strerror(errno));
		return 2;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return fail("%s exists and is not a directory; give --csv a directory", dir);
	return 0;
}

static void
out_path(char *buf, size_t size, const fp_export *ex, const char *name)
{
	snprintf(buf, size, "%s/%s", ex->dir, name);
}

/* Refuse before writing anything if a file to be written exists. */
static int
check_targets(const fp_export *ex)
{
	const char *names[] = {"client_seconds.csv",
		ex->server_jsonl[0] ? "server_seconds.csv" : NULL,
		ex->stages_jsonl[0] ? "stages.csv" : NULL,
		ex->writes ? "writes.csv" : NULL};
	char		path[4200];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !ex->force; i++)
	{
		out_path(path, sizeof(path), ex, names[i] ? names[i] : "");
		if (names[i] && access(path, F_OK) == 0)
			return fail("%s already exists; use --force to overwrite it", path);
	}
	return 0;
}

static FILE *
open_out(const fp_export *ex, const char *name)
{
	char		path[4200];
	int			fd;
	FILE	   *f;

	out_path(path, sizeof(path), ex, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (ex->force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
	{
		fprintf(stderr, "failprobe export: cannot create %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static int
close_out(FILE *f, const fp_export *ex, const char *name, int rc)
{
	char		path[4200];

	if (fclose(f) != 0 || rc != 0)
	{
		out_path(path, sizeof(path), ex, name);
		fprintf(stderr, "failprobe export: cannot write %s: %s\n", path, strerror(errno));
		return 2;
	}
	return 0;
}

/* The ledger in one pass: the seconds, and writes.csv when asked. */
static int
export_ledger(const fp_export *ex, fp_ledger_reader *r, const fp_ledger_header *hdr,
			  uint64_t *records)
{
	fp_record	rec;
	fp_secs		secs;
	fp_csv		wc;
	FILE	   *wf = NULL;
	FILE	   *sf;
	char		err[512];
	int			n, rc = 0;

	if (fp_secs_init(&secs, hdr->start_us) != 0 || (ex->writes && (wf = open_out(ex, "writes.csv")) == NULL))
	{
		fp_secs_free(&secs);
		return 2;
	}
	if (wf)
	{
		fp_csv_init(&wc, wf);
		fp_writes_header(&wc);
	}
	*records = 0;
	while ((n = fp_ledger_next(r, &rec, err, sizeof(err))) == 1)
	{
		(*records)++;
		if (fp_secs_add(&secs, &rec) != 0)
		{
			n = 0;
			rc = fail("%sout of memory", "");
			break;
		}
		if (wf)
			fp_writes_row(&wc, &rec);
	}
	if (n < 0 && fp_ledger_truncated(r))
		fprintf(stderr, "failprobe export: %s; those %" PRIu64 " are exported\n", err, *records);
	else if (n < 0)
		rc = fail("ledger is damaged: %s; the records before the damage are exported", err);
	fp_secs_finish(&secs);
	if (secs.late > 0)
		fprintf(stderr, "failprobe export: %" PRIu64 " latencies came more than %d s out of order and are "
				"left out of their second's percentiles\n", secs.late, FP_SECS_WINDOW);
	if (wf && close_out(wf, ex, "writes.csv", 0) != 0)
		rc = 2;
	if ((sf = open_out(ex, "client_seconds.csv")) == NULL ||
		close_out(sf, ex, "client_seconds.csv", fp_secs_write_csv(&secs, sf)) != 0)
		rc = 2;
	fp_secs_free(&secs);
	return rc;
}

/* A JSON-lines file beside the ledger as a CSV file. */
static int
export_jsonl(const fp_export *ex, const char *jsonl, const char *name,
			 int (*write_csv) (const json_t *, FILE *))
{
	char		err[4400];
	bool		torn;
	json_t	   *rows = fp_jsonl_read(jsonl, &torn, NULL, err, sizeof(err));
	FILE	   *f;
	int			rc;

	if (rows == NULL)
		return fail("%s", err);
	if (torn)
		fprintf(stderr, "failprobe export: %s ends in a torn line (the run was killed?); the lines before it are exported\n", jsonl);
	if ((f = open_out(ex, name)) == NULL)
	{
		json_decref(rows);
		return 2;
	}
	rc = close_out(f, ex, name, write_csv(rows, f));
	json_decref(rows);
	return rc;
}

int
fp_export_main(int argc, char **argv)
{
	fp_export	ex;
	fp_ledger_header hdr;
	fp_ledger_reader *r;
	uint64_t	records = 0;
	char		err[512];
	int			rc;

	if ((rc = parse(argc, argv, &ex)) != 0)
		return rc;
	if ((r = fp_ledger_open(ex.ledger, &hdr, err, sizeof(err))) == NULL)
		return fail("%s", err);
	fp_sampler_path(ex.server_jsonl, sizeof(ex.server_jsonl), ex.ledger);
	if (access(ex.server_jsonl, F_OK) != 0)
		ex.server_jsonl[0] = '\0';
	fp_stages_path(ex.stages_jsonl, sizeof(ex.stages_jsonl), ex.ledger);
	if (access(ex.stages_jsonl, F_OK) != 0)
		ex.stages_jsonl[0] = '\0';
	if ((rc = make_dir(ex.dir)) == 0 && (rc = check_targets(&ex)) == 0)
		rc = export_ledger(&ex, r, &hdr, &records);
	fp_ledger_close_reader(r);
	if (rc == 0 && ex.server_jsonl[0])
		rc = export_jsonl(&ex, ex.server_jsonl, "server_seconds.csv", fp_server_csv);
	if (rc == 0 && ex.stages_jsonl[0])
		rc = export_jsonl(&ex, ex.stages_jsonl, "stages.csv", fp_stages_csv);
	if (rc == 0)
		printf("exported %" PRIu64 " writes to %s: client_seconds.csv%s%s%s\n", records, ex.dir,
			   ex.server_jsonl[0] ? ", server_seconds.csv" : "", ex.stages_jsonl[0] ? ", stages.csv" : "",
			   ex.writes ? ", writes.csv" : "");
	return rc;
}
