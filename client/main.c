/*
 * main.c - the failprobe command line.
 *
 * failprobe run    --dsn CONNINFO --ledger FILE [--rate TPS] [--clients N]
 *                  [--threads J] [--duration SECONDS] [--json FILE] ...
 * failprobe verify --dsn CONNINFO --ledger FILE [--json FILE] ...
 * failprobe drill  [--fault F] [--at SECONDS] ...   (drill.c)
 *
 * Every option is parsed and checked here, into one fp_config, before a
 * connection is made or a thread started; a bad value is a one-line error
 * and exit status 2.  Flags that mean the same as pgbench's use its
 * letters: -c clients, -j threads, -T duration, -R rate, -P progress,
 * -M protocol.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_args.h"
#include "config.h"
#include "conninfo.h"
#include "digest.h"
#include "drill.h"
#include "export.h"
#include "inspect.h"
#include "profile.h"
#include "report.h"
#include "run_cmd.h"
#include "sampler.h"
#include "stages.h"
#include "verify.h"

#define FP_VERSION "0.1"

static const char *run_help =
"Usage: failprobe run --ledger FILE [OPTION]...\n"
"Send single-row write transactions at a fixed rate, keep a durable ledger of\n"
"every write and its fate, and ride through a failover by reconnecting.\n"
"\n"
"  -d, --dsn CONNINFO       libpq connection string or URI (multi-host lists and\n"
"                           target_session_attrs=read-write welcome); default:\n"
"                           the PG* environment variables and ~/.pgpass\n"
"  -l, --ledger FILE        ledger file to create (mode 0600); required\n"
"  -f, --force              overwrite FILE if it exists\n"
"  -R, --rate TPS           writes per second in all, open loop (default 1000);\n"
"                           0 = as fast as possible\n"
"  -c, --clients N          connections (default 8)\n"
"  -j, --threads J          threads driving them (default: min(N, CPUs))\n"
"  -T, --duration SECONDS   how long to send (default 60)\n"
"  -P, --progress SECONDS   progress line on stderr every SECONDS (default 1; 0 = off)\n"
"  -M, --protocol P         simple | extended | prepared (default extended);\n"
"                           through a pooler in transaction mode, prepared only\n"
"                           where it keeps named statements (PgBouncer 1.21+ with\n"
"                           max_prepared_statements > 0; checked at start)\n"
"      --pipeline K         up to K transactions in flight per connection\n"
"                           (libpq pipeline mode; not with simple; default 1);\n"
"                           at a fixed rate writes then come due in groups of K\n"
"                           per connection, sent together (same overall rate),\n"
"                           and answers are gathered for up to 2 ms per wake-up\n"
"      --burst B            group size at a fixed rate (1 to K; default K):\n"
"                           1 keeps the schedule smooth, at a higher CPU cost\n"
"      --reply-timeout S    drop a connection whose writes get no answer and that\n"
"                           receives nothing for S seconds (default 5; 0 = never):\n"
"                           its writes become in doubt and it reconnects; catches\n"
"                           a partition that keepalives cannot see (a proxy)\n"
"      --commit-time        also record the commit time the server reports for\n"
"                           each acknowledged write (pg_failprobe preloaded, not\n"
"                           through a pooler; costs the client about 1.8k\n"
"                           instructions per write, docs/commit-lsn.md)\n"
"      --payload-bytes N    N bytes of payload per row (default 0), covered by\n"
"                           the row's digest so that verify can spot corruption\n"
"      --run-id ID          use this run id (1 to 2^63-1) instead of a random one,\n"
"                           to share one run between clients on several hosts\n"
"      --first-worker K     number connections from K (default 0); clients that\n"
"                           share a run id need disjoint ranges: K = index * N;\n"
"                           K + N stays at or below 1048576\n"
"      --init               create the plain ledger table failprobe_client.ledger\n"
"                           when the pg_failprobe extension is not installed\n"
"      --json FILE          write the run's summary as JSON\n"
"      --no-server-metrics  do not sample the server's own metrics once a second\n"
"                           into FILE.server.jsonl (docs/metrics.md)\n"
"  -q, --quiet              no progress lines\n"
"  -h, --help               this help\n"
"\n"
"Load profiles (a table of stages at the end, and 'stages' in the JSON):\n"
"      --profile P          smoke (10 s at 100/s), load (10 s ramp to --rate,\n"
"                           default 8000, then --duration at it), stress (steps\n"
"                           from --rate, default 1000, up by half until an\n"
"                           objective is missed: the breaking point), spike\n"
"                           (20 s at --rate, 10 s at 4x, 30 s back: recovery)\n"
"      --stages LIST        custom shape: DURATION@RATE or DURATION@FROM-TO (a\n"
"                           linear ramp), comma-separated, e.g.\n"
"                           30s@1000,60s@1000-8000,2m@8000 (s, m or ms)\n"
"      --slo-p99 MS         objective: p99 latency per stage (default 100)\n"
"      --slo-errors PCT     objective: failed + in doubt + missed, % of the\n"
"                           writes due in a stage (default 0.1)\n"
"      --stage-seconds S    stress: length of each step (default 10)\n"
"      --max-rate TPS       stress: the highest step (default 1000000)\n"
"\n"
"Latency is measured from the moment each write was scheduled, so a stalled\n"
"server cannot hide its stall.  Writes that come due while their connection is\n"
"down are not sent late: they are counted as 'missed' and recorded in the ledger\n"
"as never sent.  Writes delayed by a slow server (pipeline full) are sent late,\n"
"their latency counted from the schedule.  SIGINT/SIGTERM end the run cleanly.\n"
"\n"
"Exit status: 0 the run completed (failover or not), 2 error.\n";

static const char *main_help =
"failprobe - how many acknowledged writes does a PostgreSQL failover lose, and\n"
"for how long are writes down?\n"
"\n"
"Usage: failprobe COMMAND [OPTION]...\n"
"  run      drive a fixed rate of writes and keep a durable ledger of their fate\n"
"  inspect  what a ledger file holds, and whether it ends cleanly\n"
"  export   a run's ledger and server metrics as CSV files\n"
"  report   an HTML page of a run: figures, timeline, outage, lost writes\n"
"  verify   reconcile a ledger with the promoted node\n"
"  drill    a local failover drill on a throwaway cluster\n"
"\n"
"failprobe COMMAND --help for a command's options.\n";

static const fp_cli cli = {"failprobe", "run"};

/* One-line error about the command line, exit status 2. */
static void
usage_error(const char *fmt, const char *arg)
{
	exit(fp_cli_usage(&cli, fmt, arg));
}

static uint64_t
parse_run_id(const char *arg)
{
	char	   *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || arg[0] == '-' || v == 0 || v > INT64_MAX)
		usage_error("invalid value '%s' for --run-id (a whole number from 1 to 9223372036854775807)", arg);
	return (uint64_t) v;
}

static fp_protocol
parse_protocol(const char *arg)
{
	if (strcmp(arg, "simple") == 0)
		return FP_PROTO_SIMPLE;
	if (strcmp(arg, "extended") == 0)
		return FP_PROTO_EXTENDED;
	if (strcmp(arg, "prepared") == 0)
		return FP_PROTO_PREPARED;
	usage_error("invalid protocol '%s' (simple, extended or prepared)", arg);
	return FP_PROTO_EXTENDED;
}

static void
validate(fp_config *cfg, bool threads_given, bool rate_given, bool duration_given)
{
	char		err[512];

	if (cfg->ledger_path == NULL)
		usage_error("%s--ledger FILE is required: the ledger is the record of every write", "");
	if (fp_conninfo_check(cfg->dsn, err, sizeof(err)) != 0)
		usage_error("%s", err);
	/* checked again, atomically, when the file is created */
	if (!cfg->force && access(cfg->ledger_path, F_OK) == 0)
		usage_error("ledger file %s already exists; use --force to overwrite it", cfg->ledger_path);
	{
		char		path[4096];
		char		stages[4096];

		/* report and export would take files left beside the ledger for this run's */
		fp_sampler_path(path, sizeof(path), cfg->ledger_path);
		if (!cfg->force && access(path, F_OK) == 0)
			usage_error("server metrics file %s already exists; use --force to overwrite it", path);
		fp_stages_path(stages, sizeof(stages), cfg->ledger_path);
		if (!cfg->force && access(stages, F_OK) == 0)
			usage_error("stages file %s already exists; use --force to overwrite it", stages);
		/* the summary is written last: it would replace the run's record */
		if (fp_cli_same_file(cfg->json_path, cfg->ledger_path) || fp_cli_same_file(cfg->json_path, path) ||
			fp_cli_same_file(cfg->json_path, stages))
			usage_error("--json %s names the ledger or a file written beside it; give it a file of its own",
						cfg->json_path);
	}
	if (!threads_given)
	{
		long		cpus = sysconf(_SC_NPROCESSORS_ONLN);

		cfg->threads = cpus > 0 && cpus < cfg->clients ? (int) cpus : cfg->clients;
	}
	if (fp_profile_resolve(cfg, rate_given, duration_given, err, sizeof(err)) != 0)
		usage_error("%s", err);
	if (cfg->nstages > 0 && fp_schedule_init(&(fp_schedule) {0}, cfg->stages, cfg->nstages,
											 cfg->clients, 1, err, sizeof(err)) != 0)
		usage_error("%s", err);
	_Static_assert(FP_MAX_WORKERS == 1048576, "the message below names the limit");
	if ((int64_t) cfg->first_worker + cfg->clients > FP_MAX_WORKERS)
		usage_error("%s--first-worker + --clients must stay at or below 1048576 (2^20, "
					"the worker numbers verify can read)", "");
	if (cfg->threads > cfg->clients)
		usage_error("%s--threads cannot exceed --clients: each thread needs a connection", "");
	if (cfg->burst == 0)
		cfg->burst = cfg->pipeline;
	if (cfg->burst > cfg->pipeline)
		usage_error("%s--burst cannot exceed --pipeline: a group is sent at once, and at most K may be in flight", "");
	if (cfg->pipeline > 1 && cfg->protocol == FP_PROTO_SIMPLE)
		usage_error("%s--pipeline needs --protocol extended or prepared (libpq pipelines no simple queries)", "");
	if (cfg->rate > 0 && cfg->rate / cfg->clients > 1e6)
		usage_error("%s--rate is more than a million writes per second per connection", "");
}

static void
parse_run(int argc, char **argv, fp_config *cfg)
{
	static const struct option opts[] = {
		{"dsn", required_argument, NULL, 'd'},
		{"ledger", required_argument, NULL, 'l'},
		{"force", no_argument, NULL, 'f'},
		{"rate", required_argument, NULL, 'R'},
		{"clients", required_argument, NULL, 'c'},
		{"threads", required_argument, NULL, 'j'},
		{"duration", required_argument, NULL, 'T'},
		{"progress", required_argument, NULL, 'P'},
		{"protocol", required_argument, NULL, 'M'},
		{"pipeline", required_argument, NULL, 1},
		{"init", no_argument, NULL, 2},
		{"json", required_argument, NULL, 3},
		{"payload-bytes", required_argument, NULL, 4},
		{"run-id", required_argument, NULL, 5},
		{"burst", required_argument, NULL, 7},
		{"reply-timeout", required_argument, NULL, 14},
		{"profile", required_argument, NULL, 8},
		{"stages", required_argument, NULL, 9},
		{"slo-p99", required_argument, NULL, 10},
		{"slo-errors", required_argument, NULL, 11},
		{"stage-seconds", required_argument, NULL, 12},
		{"max-rate", required_argument, NULL, 13},
		{"first-worker", required_argument, NULL, 6},
		{"no-server-metrics", no_argument, NULL, 40},
		{"commit-time", no_argument, NULL, 41},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	bool		threads_given = false;
	bool		rate_given = false;
	bool		duration_given = false;
	bool		ok = true;
	int			ch;

	memset(cfg, 0, sizeof(*cfg));
	cfg->rate = 1000;
	cfg->clients = 8;
	cfg->duration_s = 60;
	cfg->progress_s = 1;
	cfg->protocol = FP_PROTO_EXTENDED;
	cfg->pipeline = 1;
	cfg->slo_p99_ms = 100;
	cfg->reply_timeout_s = 5;
	cfg->slo_errors = 0.001;
	cfg->stage_s = 10;
	cfg->max_rate = 1000000;

	opterr = 0;
	while (ok && (ch = getopt_long(argc, argv, "d:l:fR:c:j:T:P:M:qh", opts, NULL)) != -1)
	{
		switch (ch)
		{
			case 'd': cfg->dsn = fp_conninfo_take_arg(optarg); break;
			case 'l': cfg->ledger_path = optarg; break;
			case 'f': cfg->force = true; break;
			case 'R': ok = fp_cli_number(&cli, optarg, "--rate", 0, 1e8, &cfg->rate); rate_given = true; break;
			case 'c': ok = fp_cli_int(&cli, optarg, "--clients", 1, 10000, &cfg->clients); break;
			case 'j': ok = fp_cli_int(&cli, optarg, "--threads", 1, 1024, &cfg->threads); threads_given = true; break;
			case 'T': ok = fp_cli_number(&cli, optarg, "--duration", 0.1, FP_STAGES_MAX_S, &cfg->duration_s); duration_given = true; break;
			case 'P': ok = fp_cli_int(&cli, optarg, "--progress", 0, 3600, &cfg->progress_s); break;
			case 'M': cfg->protocol = parse_protocol(optarg); break;
			case 1: ok = fp_cli_int(&cli, optarg, "--pipeline", 1, 10000, &cfg->pipeline); break;
			case 2: cfg->init = true; break;
			case 3: ok = fp_cli_output(&cli, optarg, "--json"); cfg->json_path = optarg; break;
			case 8:
				if (!fp_profile_parse(optarg, &cfg->profile))
					usage_error("unknown profile '%s' (smoke, load, stress or spike)", optarg);
				break;
			case 9: cfg->stages_text = optarg; break;
			case 10: ok = fp_cli_number(&cli, optarg, "--slo-p99", 0.001, 3600000, &cfg->slo_p99_ms); break;
			case 11:
				ok = fp_cli_number(&cli, optarg, "--slo-errors", 0, 100, &cfg->slo_errors);
				cfg->slo_errors /= 100;	/* given in %, kept as a fraction */
				break;
			case 12: ok = fp_cli_number(&cli, optarg, "--stage-seconds", 1, 86400, &cfg->stage_s); break;
			case 13: ok = fp_cli_number(&cli, optarg, "--max-rate", 1, 1e8, &cfg->max_rate); break;
			case 14: ok = fp_cli_number(&cli, optarg, "--reply-timeout", 0, 86400, &cfg->reply_timeout_s); break;
			case 7: ok = fp_cli_int(&cli, optarg, "--burst", 1, 10000, &cfg->burst); break;
			case 5: cfg->run_id = parse_run_id(optarg); break;
			case 6: ok = fp_cli_int(&cli, optarg, "--first-worker", 0, (int) FP_MAX_WORKERS - 1, &cfg->first_worker); break;
			case 4: ok = fp_cli_int(&cli, optarg, "--payload-bytes", 0, FP_PAYLOAD_MAX, &cfg->payload_bytes); break;
			case 40: cfg->no_server_metrics = true; break;
			case 41: cfg->commit_time = true; break;
			case 'q': cfg->quiet = true; break;
			case 'h': fputs(run_help, stdout); exit(0);
			case ':': usage_error("option %s needs a value", argv[optind - 1]); break;
			default: usage_error("unknown option '%s'", argv[optind - 1]); break;
		}
	}
	if (!ok)
		exit(2);
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	validate(cfg, threads_given, rate_given, duration_given);
}

int
main(int argc, char **argv)
{
	fp_config	cfg;

	/*
	 * A file size limit (ulimit -f) then fails a write with EFBIG, which is
	 * reported like a full disk, instead of killing us with a core dump.
	 */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
	{
		fputs(main_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0)
	{
		printf("failprobe %s\n", FP_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
	{
		parse_run(argc - 1, argv + 1, &cfg);
		return fp_run_command(&cfg);
	}
	if (strcmp(argv[1], "verify") == 0)
		return fp_verify_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return fp_export_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "inspect") == 0)
		return fp_inspect_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "drill") == 0)
		return fp_drill_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return fp_report_main(argc - 1, argv + 1);
	fprintf(stderr, "failprobe: unknown command '%s'; see 'failprobe --help'\n", argv[1]);
	return 2;
}
