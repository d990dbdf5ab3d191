/*
 * drill_opts.c - parsing and checking the drill's options.
 *
 * Everything is checked here, before a directory or a server is made, so
 * that a typo costs a one-line error and nothing to clean up.  The load
 * options mean what they mean to `failprobe run`, which gets them as given.
 */
#define _POSIX_C_SOURCE 200809L

#include "drill_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_args.h"
#include "conninfo.h"

static const char *help =
"Usage: failprobe drill [OPTION]...\n"
"A failover drill in one command: a throwaway primary and synchronous standby\n"
"on 127.0.0.1, a fixed rate of writes, a fault, promotion of the standby, then\n"
"verification that no acknowledged write was lost, and a report.  Everything\n"
"it makes is removed at the end (also on Ctrl-C or an error).\n"
"\n"
"  -R, --rate TPS           writes per second (default 8000)\n"
"  -T, --duration SECONDS   length of the load (default 30)\n"
"  -c, --clients N          connections (default 8)\n"
"  -j, --threads J          threads driving them (default: run's)\n"
"      --at SECONDS         when to inject the fault (default: a third in)\n"
"      --fault F            kill (default: immediate stop of the primary),\n"
"                           stop (fast shutdown), switchover (clean stop, promote,\n"
"                           old primary rejoins as standby), partition (the\n"
"                           primary is cut off behind a silent proxy, still up)\n"
"      --async              asynchronous standby: what loss looks like\n"
"      --pause-replication S  freeze the primary's WAL sender for S seconds\n"
"                           before the fault (SIGSTOP), so that the standby lags\n"
"      --keep               keep the directory and the servers; say where\n"
"      --pg-bindir DIR      PostgreSQL programs (default: pg_config --bindir)\n"
"      --os-user NAME       as root: run the servers as NAME (default postgres)\n"
"      --html FILE          also write the HTML report (failprobe report)\n"
"      --json FILE          the drill's summary as JSON: cluster, fault, times,\n"
"                           verdict, and the run's and verify's own JSON\n"
"\n"
"Against a real cluster (no local servers):\n"
"  -d, --dsn CONNINFO       the cluster, e.g. host=a,b target_session_attrs=read-write\n"
"      --fault-cmd COMMAND  run COMMAND with /bin/sh -c at --at to trigger the\n"
"                           failover (e.g. a cloud CLI's forced failover)\n"
"      --init               create the plain ledger table if the extension is absent\n"
"\n"
"Exit status: 0 no acknowledged write lost, 1 some were lost, 2 error (or no\n"
"verdict: verification unavailable).\n";

static const char *fault_names[] = {"kill", "stop", "switchover", "partition", "command"};

const char *
fp_fault_name(fp_fault f)
{
	return fault_names[f];
}

static const fp_cli cli = {"failprobe drill", "drill"};

static int
bad(const char *fmt, const char *arg)
{
	return fp_cli_usage(&cli, fmt, arg);
}

static bool
parse_fault(const char *arg, fp_fault *f)
{
	for (int i = 0; i < FP_FAULT_CMD; i++)
		if (strcmp(arg, fault_names[i]) == 0)
		{
			*f = (fp_fault) i;
			return true;
		}
	return false;
}

/* The combinations that cannot work, after every option is known. */
static int
check(fp_drill_opts *o, bool at_given, bool fault_given, bool local_only)
{
	char		err[512];

	if (o->fault_cmd != NULL && o->dsn == NULL)
		return bad("%s--fault-cmd needs --dsn: the command acts on your cluster, so the drill "
				   "must load and verify that cluster", "");
	if (o->dsn != NULL)
	{
		if (fp_conninfo_check(o->dsn, err, sizeof(err)) != 0)
			return bad("--dsn: %s", err);
		if (o->fault_cmd == NULL)
			return bad("%s--dsn needs --fault-cmd COMMAND: the drill cannot fault a remote "
					   "cluster itself", "");
		if (fault_given || local_only)
			return bad("%s--fault, --async, --pause-replication, --pg-bindir, --os-user and "
					   "--keep are for the local cluster; not with --dsn", "");
		o->fault = FP_FAULT_CMD;
	}
	if (!at_given)
		o->at_s = o->duration_s / 3;
	if (o->at_s >= o->duration_s)
		return bad("%s--at must come before the end of --duration", "");
	if (o->pause_s > o->at_s)
		return bad("%s--pause-replication starts that many seconds before --at, so it cannot "
				   "be longer than --at", "");
	if (o->threads > o->clients)
		return bad("%s--threads cannot exceed --clients", "");
	return 0;
}

int
fp_drill_parse(int argc, char **argv, fp_drill_opts *o)
{
	static const struct option opts[] = {
		{"rate", required_argument, NULL, 'R'},
		{"duration", required_argument, NULL, 'T'},
		{"clients", required_argument, NULL, 'c'},
		{"threads", required_argument, NULL, 'j'},
		{"dsn", required_argument, NULL, 'd'},
		{"at", required_argument, NULL, 1},
		{"fault", required_argument, NULL, 2},
		{"fault-cmd", required_argument, NULL, 3},
		{"async", no_argument, NULL, 4},
		{"pause-replication", required_argument, NULL, 5},
		{"keep", no_argument, NULL, 6},
		{"pg-bindir", required_argument, NULL, 7},
		{"os-user", required_argument, NULL, 8},
		{"html", required_argument, NULL, 9},
		{"init", no_argument, NULL, 10},
		{"json", required_argument, NULL, 11},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	bool		at_given = false, fault_given = false, local_only = false, ok = true;
	int			ch;

	memset(o, 0, sizeof(*o));
	o->rate = 8000;
	o->duration_s = 30;
	o->clients = 8;
	o->os_user = "postgres";
	opterr = 0;
	optind = 1;
	while (ok && (ch = getopt_long(argc, argv, ":R:T:c:j:d:h", opts, NULL)) != -1)
	{
		switch (ch)
		{
			case 'R': ok = fp_cli_number(&cli, optarg, "--rate", 1, 1e7, &o->rate); break;
			case 'T': ok = fp_cli_number(&cli, optarg, "--duration", 2, 86400, &o->duration_s); break;
			case 'c': ok = fp_cli_int(&cli, optarg, "--clients", 1, 10000, &o->clients); break;
			case 'j': ok = fp_cli_int(&cli, optarg, "--threads", 1, 1024, &o->threads); break;
			case 'd': o->dsn = fp_conninfo_take_arg(optarg); break;
			case 1: ok = fp_cli_number(&cli, optarg, "--at", 0.1, 86400, &o->at_s); at_given = true; break;
			case 2:
				if (!parse_fault(optarg, &o->fault))
					return bad("unknown fault '%s' (kill, stop, switchover or partition)", optarg);
				fault_given = true;
				break;
			case 3: o->fault_cmd = optarg; break;
			case 4: o->async = local_only = true; break;
			case 5: ok = fp_cli_number(&cli, optarg, "--pause-replication", 0.1, 86400, &o->pause_s); local_only = true; break;
			case 6: o->keep = local_only = true; break;
			case 7: o->pg_bindir = optarg; local_only = true; break;
			case 8: o->os_user = optarg; local_only = true; break;
			case 9: ok = fp_cli_output(&cli, optarg, "--html"); o->html = optarg; break;
			case 10: o->init = true; break;
			case 11: ok = fp_cli_output(&cli, optarg, "--json"); o->json = optarg; break;
			case 'h': fputs(help, stdout); return 1;
			case ':': return bad("option %s needs a value", argv[optind - 1]);
			default: return bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!ok)
		return 2;
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	return check(o, at_given, fault_given, local_only);
}
