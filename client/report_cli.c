/*
 * report_cli.c - `failprobe report --ledger FILE [--run-json FILE]
 * [--verify-json FILE] [--server-metrics FILE | --no-server-metrics]
 * --html FILE`: the command line, and writing the page so that a reader
 * never sees half of it.
 *
 * All input is read and checked first (report_input.c); the page is then
 * written to a temporary file beside the target and renamed over it, so an
 * error leaves the old page, if any, as it was.  The output may not be one
 * of the input files: a report never overwrites a ledger.
 */
#define _POSIX_C_SOURCE 200809L

#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_args.h"
#include "report_html.h"
#include "report_input.h"
#include "sampler.h"

static const char *help =
"Usage: failprobe report --ledger FILE [--run-json FILE] [--verify-json FILE]\n"
"                        [--server-metrics FILE | --no-server-metrics] --html FILE\n"
"Write one self-contained HTML page (no network needed to view it) with a\n"
"run's figures at a glance: the verdict, RPO, RTO, detection time, peak and\n"
"sustained TPS, p99 latency, and a timeline of throughput, latency and\n"
"errors per second with the outage shaded and the promotion marked; and\n"
"the server's view on the same time axis: its commits per second against the\n"
"client's acknowledgements, replication lag per standby, failed samples.\n"
"\n"
"  -l, --ledger FILE        the run's ledger (required); a truncated tail is\n"
"                           reported on the page and the rest used\n"
"      --run-json FILE      failprobe run --json output: names the servers\n"
"      --verify-json FILE   failprobe verify --json output: lost writes, RPO;\n"
"                           without it the page says \"not verified\"\n"
"      --server-metrics FILE\n"
"                           the server's samples that failprobe run took\n"
"                           (default: LEDGER.server.jsonl, when it exists)\n"
"      --no-server-metrics  leave the server's view out\n"
"  -o, --html FILE          the page to write (replaced if it exists)\n"
"  -h, --help               this help\n"
"\n"
"Exit status: 0 the page was written, 2 error.\n";

static int
fail(const char *msg)
{
	fprintf(stderr, "failprobe: %s\n", msg);
	return 2;
}

/* The page into path via a temporary file and rename(). */
static int
write_page(const fp_report_input *in, const char *path, char *err, size_t errlen)
{
	size_t		len = strlen(path);
	char	   *tmp = malloc(len + 8);
	int			fd;
	FILE	   *f;
	int			rc;

	if (tmp == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(tmp, len + 8, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "w")) == NULL)
	{
		snprintf(err, errlen, "cannot write %s: %s; give --html a path in a writable directory",
				 path, strerror(errno));
		if (fd >= 0)
		{
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return -1;
	}
	rc = fp_html_page(f, in);
	rc |= fflush(f) != 0 || fsync(fd) != 0;
	rc |= fchmod(fd, 0644) != 0;
	rc |= fclose(f) != 0;
	if (rc != 0 || rename(tmp, path) != 0)
	{
		snprintf(err, errlen, "cannot write %s: %s; check the disk space and the directory's permissions",
				 path, strerror(errno ? errno : EIO));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int
fp_report_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ledger", required_argument, NULL, 'l'},
		{"run-json", required_argument, NULL, 1},
		{"verify-json", required_argument, NULL, 2},
		{"html", required_argument, NULL, 'o'},
		{"server-metrics", required_argument, NULL, 3},
		{"no-server-metrics", no_argument, NULL, 4},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	fp_report_input in = {0};
	const char *html = NULL;
	bool		no_server = false;
	char		default_server[4096];
	char		err[5000];
	int			ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "l:o:h", opts, NULL)) != -1)
	{
		switch (ch)
		{
			case 'l': in.ledger_path = optarg; break;
			case 1: in.run_path = optarg; break;
			case 2: in.verify_path = optarg; break;
			case 3: in.server_path = optarg; in.server_named = true; break;
			case 4: no_server = true; break;
			case 'o': html = optarg; break;
			case 'h': fputs(help, stdout); return 0;
			default:
				fprintf(stderr, "failprobe: unknown option or missing value '%s'; see 'failprobe report --help'\n",
						argv[optind - 1]);
				return 2;
		}
	}
	if (optind < argc)
		return fail("report takes no arguments besides its options; see 'failprobe report --help'");
	if (in.ledger_path == NULL || html == NULL)
		return fail("report needs --ledger FILE and --html FILE; see 'failprobe report --help'");
	if (no_server && in.server_named)
		return fail("--server-metrics and --no-server-metrics contradict each other; give one");
	if (!no_server && !in.server_named)
	{
		fp_sampler_path(default_server, sizeof(default_server), in.ledger_path);
		in.server_path = default_server;
	}
	if (fp_cli_same_existing_file(html, in.ledger_path) || fp_cli_same_existing_file(html, in.run_path) ||
		fp_cli_same_existing_file(html, in.verify_path) || fp_cli_same_existing_file(html, in.server_path))
		return fail("--html names one of the input files; give the page a file of its own");
	if (fp_report_load(&in, err, sizeof(err)) != 0 || write_page(&in, html, err, sizeof(err)) != 0)
	{
		fp_report_input_free(&in);
		return fail(err);
	}
	fp_report_input_free(&in);
	return 0;
}
