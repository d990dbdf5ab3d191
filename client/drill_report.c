/*
 * drill_report.c - verification and the drill's report.
 *
 * The drill does not count anything itself: the load child (`failprobe
 * run`) and the verify child write their findings as JSON in the drill's
 * directory, and the report is read from those files, so it says exactly
 * what the two commands would say to someone running them by hand.
 */
#define _POSIX_C_SOURCE 200809L

#include "drill_report.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "drill_opts.h"
#include "drill_phase.h"
#include "drill_proc.h"

/* Copy a small text file to stream (the children's captured output). */
static void
cat_file(const char *path, FILE *to)
{
	char		buf[4096];
	size_t		n;
	FILE	   *f = fopen(path, "r");

	if (f == NULL)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, to);
	fclose(f);
}

static bool
file_says(const char *path, const char *needle)
{
	char		buf[8192];
	size_t		n;
	FILE	   *f = fopen(path, "r");

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* Run this program with argv[1...]; stdout and stderr captured under the
 * drill's directory as NAME.out and NAME.err; password: its PGPASSWORD, or
 * NULL.  The exit status or < 0. */
static int
self_child(fp_drill *d, const char *name, char **argv, const char *password,
		   char *errpath, size_t errlen)
{
	char		out[PATH_MAX + 16], why[256];
	pid_t		pid;
	int			rc;

	snprintf(out, sizeof(out), "%s/%s.out", d->dir, name);
	snprintf(errpath, errlen, "%s/%s.err", d->dir, name);
	argv[0] = "/proc/self/exe";
	pid = fp_proc_start_with_password(argv, password, NULL, out, errpath, why, sizeof(why));
	if (pid < 0)
	{
		fp_drill_error("%s", why);
		return -3;
	}
	rc = fp_proc_wait(pid, 600);
	if (rc < 0)
		fp_proc_end(pid, SIGTERM, 5);
	return rc;
}

fp_verdict
fp_report_verify(fp_drill *d, const char *dsn)
{
	char	   *argv[] = {NULL, "verify", "--dsn", (char *) dsn, "--ledger", d->ledger,
		"--json", d->verify_json, NULL};
	char		err[PATH_MAX + 16];
	int			rc;

	snprintf(d->verify_json, sizeof(d->verify_json), "%s/verify.json", d->dir);
	rc = self_child(d, "verify", argv, d->password, err, sizeof(err));
	if (rc == 2 && file_says(err, "not in this version"))
	{
		fp_phase("verification is unavailable: this build's 'failprobe verify' is not there yet");
		return FP_VERDICT_UNAVAILABLE;
	}
	cat_file(err, stderr);
	if (rc == 0 || rc == 1)
		return (fp_verdict) rc;
	fp_drill_error("verification failed (failprobe verify exit %d)", rc);
	return FP_VERDICT_ERROR;
}

void
fp_report_html(fp_drill *d)
{
	char		run_json[PATH_MAX];
	char	   *argv[] = {NULL, "report", "--ledger", d->ledger, "--run-json", run_json,
		"--verify-json", d->verify_json, "--html", (char *) d->o.html, NULL};
	char		err[PATH_MAX + 16];
	int			rc;

	snprintf(run_json, sizeof(run_json), "%s", d->run_json);
	rc = self_child(d, "report", argv, NULL, err, sizeof(err));
	if (rc == 0)
		fp_phase("HTML report written to %s", d->o.html);
	else if (rc == 2 && file_says(err, "unknown command"))
		fp_phase("the HTML report is unavailable in this build (no 'failprobe report'); "
				 "--html was not written");
	else
	{
		cat_file(err, stderr);
		fp_drill_error("the HTML report failed (failprobe report exit %d)", rc);
	}
}

/* ---- reading the JSON --------------------------------------------------- */

static double
num(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void
print_ms(const char *label, double v)
{
	if (isnan(v))
		printf("  %s -", label);
	else
		printf("  %s %.1f ms", label, v);
}

static void
print_run(const fp_drill *d, json_t *run)
{
	json_t	   *lat = json_object_get(run, "latency_ms");
	json_t	   *out = json_object_get(run, "outage");

	printf("load         %.0f TPS target for %.0f s, %d clients (%s mode): achieved %.0f TPS\n",
		   d->o.rate, d->o.duration_s, d->o.clients,
		   json_string_value(json_object_get(run, "mode")) ? json_string_value(json_object_get(run, "mode")) : "?",
		   num(run, "tps"));
	printf("writes       sent %.0f  acked %.0f  failed %.0f  in doubt %.0f  missed %.0f\n",
		   num(run, "sent"), num(run, "acked"), num(run, "failed"), num(run, "in_doubt"),
		   num(run, "missed"));
	printf("latency    ");
	print_ms("p50", num(lat, "p50"));
	print_ms("p99", num(lat, "p99"));
	print_ms("p99.9", num(lat, "p999"));
	print_ms("max", num(lat, "max"));
	printf("\n");
	if (!json_is_string(json_object_get(out, "first_problem_at")))
		printf("outage       none: every write was acknowledged%s\n",
			   d->o.dsn ? " (did the fault command fail over?)" : "");
	else if (isnan(num(run, "rto_ms")))
		printf("outage       no RTO: writes did not come back during the run\n");
	else
		printf("outage       RTO %.0f ms; last ack before on timeline %.0f, first ack after on timeline %.0f\n",
			   num(run, "rto_ms"), num(out, "tli_before"), num(out, "tli_after"));
}

static void
print_verify(json_t *v)
{
	printf("verified     lost %.0f of %.0f acknowledged writes; in doubt %.0f (committed %.0f); "
		   "corrupt %.0f; unexpected %.0f\n",
		   num(v, "acked_lost"), num(v, "acked"), num(v, "in_doubt"), num(v, "in_doubt_committed"),
		   num(v, "corrupt"), num(v, "unexpected"));
	printf("           ");
	print_ms("RPO", num(v, "rpo_ms"));
	print_ms("RTO", num(v, "rto_ms"));
	printf("\n");
}

static const char *
verdict_line(fp_verdict v)
{
	switch (v)
	{
		case FP_VERDICT_NONE_LOST: return "PASS: no acknowledged write was lost";
		case FP_VERDICT_LOST: return "FAIL: acknowledged writes were lost";
		case FP_VERDICT_ERROR: return "no verdict: verification failed (see above)";
		case FP_VERDICT_UNAVAILABLE: break;
	}
	return "no verdict: verification is unavailable in this build (failprobe verify)";
}

void
fp_report_print(const fp_drill *d, fp_verdict v)
{
	char		path[PATH_MAX + 16];
	json_t	   *run = json_load_file(d->run_json, 0, NULL);

	fp_phase("report");
	snprintf(path, sizeof(path), "%s/run.out", d->dir);
	printf("== the load (failprobe run)\n");
	cat_file(path, stdout);
	if (v == FP_VERDICT_NONE_LOST || v == FP_VERDICT_LOST)
	{
		snprintf(path, sizeof(path), "%s/verify.out", d->dir);
		printf("\n== verification (failprobe verify)\n");
		cat_file(path, stdout);
	}
	printf("\n== failprobe drill report\n");
	printf("cluster      %s\n", d->cluster);
	printf("fault        %s", d->fault_at >= 0 ? d->fault_note : "none injected");
	if (d->promoted_at >= 0)
		printf("; standby promoted at %.1f s", d->promoted_at);
	printf("\n");
	if (run != NULL)
		print_run(d, run);
	else
		printf("load         no run summary (%s missing)\n", d->run_json);
	if (v == FP_VERDICT_NONE_LOST || v == FP_VERDICT_LOST)
	{
		json_t	   *vj = json_load_file(d->verify_json, 0, NULL);

		if (vj != NULL)
			print_verify(vj);
		json_decref(vj);
	}
	printf("verdict      %s\n", verdict_line(v));
	fflush(stdout);
	json_decref(run);
}

static json_t *
time_or_null(double t)
{
	return t >= 0 ? json_real(t) : json_null();
}

int
fp_report_json(const fp_drill *d, fp_verdict v)
{
	static const char *verdicts[] = {"none_lost", "lost", "error", "unavailable"};
	json_t	   *run = json_load_file(d->run_json, 0, NULL);
	json_t	   *ver = v <= FP_VERDICT_LOST ? json_load_file(d->verify_json, 0, NULL) : NULL;
	json_t	   *root;
	int			rc;

	root = json_pack("{s:s,s:s,s:s,s:o,s:o,s:b,s:f,s:s,s:o,s:o}",
					 "program", "failprobe drill",
					 "cluster", d->cluster,
					 "fault", d->o.fault == FP_FAULT_CMD ? "command" : fp_fault_name(d->o.fault),
					 "fault_at_s", time_or_null(d->fault_at),
					 "promoted_at_s", time_or_null(d->promoted_at),
					 "synchronous", !d->o.async && d->o.fault != FP_FAULT_CMD,
					 "pause_replication_s", d->o.pause_s,
					 "verdict", verdicts[v],
					 "run", run ? run : json_null(),
					 "verify", ver ? ver : json_null());
	rc = root ? json_dump_file(root, d->o.json, JSON_INDENT(2)) : -1;
	if (rc != 0)
		fp_drill_error("cannot write --json %s: %s", d->o.json, root ? strerror(errno) : "out of memory");
	json_decref(root);
	return rc;
}
