/*
 * verify.c - `failprobe verify`: reconcile the ledger(s) of a run with the
 * rows that survived on the node to check.
 *
 *   failprobe verify --dsn CONNINFO --ledger FILE [--ledger FILE2 ...]
 *                    [--json FILE] [--old-primary CONNINFO]
 *                    [--max-lost N] [--max-rto SECONDS]
 *
 * The order of work keeps memory at about a byte per write and the server
 * to one query per node: read the ledgers once (state bytes, counts),
 * stream the run's rows from the node (and the old primary) with COPY,
 * read the ledgers again for the times and LSNs of what was lost, report.
 * This file is the command line and that sequence; the parts live in
 * verify_ledger.c, verify_server.c, verify_reconcile.c, verify_report.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "verify.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_args.h"
#include "conninfo.h"
#include "verify_ledger.h"
#include "verify_reconcile.h"
#include "verify_report.h"
#include "verify_server.h"

static const char *help =
"Usage: failprobe verify --ledger FILE [OPTION]...\n"
"Reconcile the ledger(s) of a run with the rows on the node to check\n"
"(normally the promoted primary; a standby works too): lost acknowledged\n"
"writes, in-doubt writes that did or did not commit, corrupt rows, rows no\n"
"one sent, RPO and RTO, checked against the server's record of promotions.\n"
"\n"
"  -d, --dsn CONNINFO       the node to check (default: the PG* variables)\n"
"  -l, --ledger FILE        the run's ledger; repeat for the ledgers of clients\n"
"                           that shared one --run-id\n"
"      --json FILE          write the report as JSON\n"
"      --old-primary CONNINFO  also read the old primary (started on its own):\n"
"                           the lost tail it has and the node lacks\n"
"      --max-lost N         acknowledged writes that may be lost (default 0)\n"
"      --max-rto SECONDS    fail when the RTO is longer\n"
"  -h, --help               this help\n"
"\n"
"Exit status: 0 nothing acknowledged was lost or corrupt and the gates pass,\n"
"1 some was or a gate failed (the report says which), 2 an error.\n";

typedef struct fpv_options
{
	const char *dsn;
	const char *old_dsn;
	const char *json_path;
	const char *ledgers[FPV_MAX_LEDGERS];
	int			nledgers;
	fpv_gates	gates;
} fpv_options;

static const fp_cli cli = {"failprobe", "verify"};

static int
usage(const char *fmt, const char *arg)
{
	return fp_cli_usage(&cli, fmt, arg);
}

static bool
parse_count(const char *arg, uint64_t *out)
{
	char	   *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || arg[0] == '-')
		return false;
	*out = v;
	return true;
}

static bool
parse_seconds(const char *arg, double *out)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(v) || v < 0)
		return false;
	*out = v;
	return true;
}

/* Returns -1 when parsed, else the exit status (help: 0, error: 2). */
static int
parse_options(int argc, char **argv, fpv_options *o)
{
	static const struct option opts[] = {
		{"dsn", required_argument, NULL, 'd'},
		{"ledger", required_argument, NULL, 'l'},
		{"json", required_argument, NULL, 1},
		{"old-primary", required_argument, NULL, 2},
		{"max-lost", required_argument, NULL, 3},
		{"max-rto", required_argument, NULL, 4},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int			ch;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:l:h", opts, NULL)) != -1)
	{
		switch (ch)
		{
			case 'd': o->dsn = fp_conninfo_take_arg(optarg); break;
			case 'l':
				if (o->nledgers == FPV_MAX_LEDGERS)
					return usage("too many --ledger files (at most 64)%s", "");
				o->ledgers[o->nledgers++] = optarg;
				break;
			case 1:
				if (!fp_cli_output(&cli, optarg, "--json"))
					return 2;
				o->json_path = optarg;
				break;
			case 2: o->old_dsn = fp_conninfo_take_arg(optarg); break;
			case 3:
				if (!parse_count(optarg, &o->gates.max_lost))
					return usage("invalid value '%s' for --max-lost: a whole number of writes is needed", optarg);
				break;
			case 4:
				if (!parse_seconds(optarg, &o->gates.max_rto_s))
					return usage("invalid value '%s' for --max-rto: seconds (a number >= 0) are needed", optarg);
				o->gates.has_max_rto = true;
				break;
			case 'h': fputs(help, stdout); return 0;
			default:
				return usage("unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage("unexpected argument '%s'", argv[optind]);
	if (o->nledgers == 0)
		return usage("verify needs --ledger FILE%s", "");
	for (int i = 0; i < o->nledgers; i++)
		if (fp_cli_same_file(o->json_path, o->ledgers[i]))
			return usage("--json %s is a --ledger file: the JSON would replace the ledger; give it a file of its own",
						 o->json_path);
	return -1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The work of one verify, kept together so that cleanup is in one place. */
typedef struct fpv_job
{
	fpv_options opt;
	fpv_ledger	ledgers[FPV_MAX_LEDGERS];
	fpv_recon	recon;
	fpv_view	view;
	char	   *node;			/* masked conninfo */
	char	   *old_node;
	const char *table_sql;
	char		err[1024];
} fpv_job;

static int
read_old_primary(fpv_job *j)
{
	char		msg[700];
	PGconn	   *pg = fpv_connect(j->opt.old_dsn, "--old-primary", msg, sizeof(msg));
	int			rc = -1;

	if (pg == NULL)
	{
		snprintf(j->err, sizeof(j->err), "%s", msg);
		return -1;
	}
	if (fpv_table_exists(pg, j->ledgers[0].table, "the old primary", msg, sizeof(msg)) == 0 &&
		fpv_stream_rows(pg, j->table_sql, &j->recon, true, msg, sizeof(msg)) == 0)
		rc = 0;
	else
		snprintf(j->err, sizeof(j->err), "old primary: %s", msg);
	PQfinish(pg);
	return rc;
}

/* Steps 1 and 2: the ledgers, then the node's rows. */
static int
gather(fpv_job *j)
{
	PGconn	   *pg;
	int			rc = -1;

	if (fpv_ledgers_check(j->ledgers, j->opt.nledgers, j->err, sizeof(j->err)) != 0 ||
		fpv_recon_init(&j->recon, j->ledgers[0].hdr.run_id, j->err, sizeof(j->err)) != 0)
		return -1;
	j->table_sql = fpv_table_sql(j->ledgers[0].table);
	if (fpv_ledgers_read(j->ledgers, j->opt.nledgers, &j->recon, false, j->err, sizeof(j->err)) != 0)
		return -1;
	fpv_recon_timelines(&j->recon);
	pg = fpv_connect(j->opt.dsn, "--dsn", j->err, sizeof(j->err));
	if (pg == NULL)
		return -1;
	fpv_read_view(pg, &j->view);
	j->recon.promos = j->view.promos;
	j->recon.npromos = j->view.npromos;
	if (fpv_table_exists(pg, j->ledgers[0].table, "the node", j->err, sizeof(j->err)) == 0 &&
		fpv_stream_rows(pg, j->table_sql, &j->recon, false, j->err, sizeof(j->err)) == 0)
		rc = 0;
	PQfinish(pg);
	if (rc == 0 && j->opt.old_dsn)
		rc = read_old_primary(j);
	return rc;
}

/* Step 3 and the report. */
static int
conclude(fpv_job *j, double start)
{
	fpv_report	rep = {0};

	if (fpv_recon_ranges(&j->recon) != 0)
	{
		snprintf(j->err, sizeof(j->err), "out of memory for the ranges of lost writes");
		return 2;
	}
	if (fpv_ledgers_read(j->ledgers, j->opt.nledgers, &j->recon, true, j->err, sizeof(j->err)) != 0)
		return 2;
	rep.ledgers = j->ledgers;
	rep.nledgers = j->opt.nledgers;
	rep.r = &j->recon;
	rep.view = &j->view;
	rep.node = j->node;
	rep.old_node = j->opt.old_dsn ? j->old_node : NULL;
	rep.table = j->ledgers[0].table;
	rep.gates = j->opt.gates;
	rep.elapsed_s = now_s() - start;
	fpv_verdict_decide(&rep);
	fpv_report_print(&rep, stdout);
	fflush(stdout);
	if (j->recon.c.rows == 0)
		fprintf(stderr, "failprobe: no rows of run_id %llu in table %s on this node: wrong "
				"database, or the run's writes never reached it\n",
				(unsigned long long) j->recon.run_id, rep.table);
	if (j->opt.json_path && fpv_report_json(&rep, j->opt.json_path, j->err, sizeof(j->err)) != 0)
		return 2;
	return rep.verdict.pass ? 0 : 1;
}

int
fp_verify_main(int argc, char **argv)
{
	fpv_job    *j = calloc(1, sizeof(fpv_job));
	double		start = now_s();
	int			rc;

	if (j == NULL)
		return 2;
	rc = parse_options(argc, argv, &j->opt);
	if (rc >= 0)
	{
		free(j);
		return rc;
	}
	for (int i = 0; i < j->opt.nledgers; i++)
		j->ledgers[i].path = j->opt.ledgers[i];
	j->node = fp_conninfo_masked(j->opt.dsn);
	j->old_node = j->opt.old_dsn ? fp_conninfo_masked(j->opt.old_dsn) : NULL;
	if (j->node == NULL || (j->opt.old_dsn && j->old_node == NULL))
	{
		snprintf(j->err, sizeof(j->err), "%s is not a valid connection string; give a libpq "
				 "conninfo (host=... dbname=...) or a postgresql:// URI",
				 j->node == NULL ? "--dsn" : "--old-primary");
		rc = 2;
	}
	else
		rc = gather(j) == 0 ? conclude(j, start) : 2;
	if (rc == 2)
		fprintf(stderr, "failprobe: %s\n", j->err);
	fpv_recon_free(&j->recon);
	free(j->node);
	free(j->old_node);
	free(j);
	return rc;
}
