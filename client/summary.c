/*
 * summary.c - after a run: what the ledger says, as text and as JSON.
 *
 * The outage is measured from the ledger itself, read back after it was
 * closed (which also proves the file is readable), by the definitions that
 * verify and report share (outage.h): detection = first problem - last ack
 * before it; RTO = first ack after - last ack before, the ends taken from
 * the two timelines when there was a failover.
 */
#define _POSIX_C_SOURCE 200809L

#include "summary.h"

#include <stdio.h>
#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "jsonfmt.h"
#include "ledger.h"
#include "sampler.h"
#include "stages.h"
#include "timefmt.h"
#include "worker.h"

static int
class_index(const char *sqlstate)
{
	int			idx = 0;

	if (sqlstate[0] == '\0')
		return 0;
	for (int i = 0; i < 2; i++)
	{
		char		ch = sqlstate[i];
		int			v = (ch >= '0' && ch <= '9') ? ch - '0' :
			(ch >= 'A' && ch <= 'Z') ? ch - 'A' + 10 : 0;

		idx = idx * 36 + v;
	}
	return idx;
}

static void
scan_pass(fp_summary *sum, fp_outage_scan *sc, const char *path, bool second)
{
	fp_ledger_header hdr;
	fp_ledger_reader *r;
	fp_record	rec;
	int			rc;

	r = fp_ledger_open(path, &hdr, sum->ledger_error, sizeof(sum->ledger_error));
	if (r == NULL)
	{
		sum->ledger_ok = false;
		return;
	}
	while ((rc = fp_ledger_next(r, &rec, sum->ledger_error, sizeof(sum->ledger_error))) == 1)
	{
		if (second)
		{
			fp_outage_add_second(sc, &rec);
			continue;
		}
		sum->records++;
		if (rec.outcome == FP_OUT_ACKED && rec.commit_lsn != 0)
		{
			sum->lsn_known++;
			sum->time_known += fp_record_commit_us(&rec) != 0;
			if (rec.commit_lsn > sum->lsn_max)
				sum->lsn_max = rec.commit_lsn;
		}
		if (rec.outcome == FP_OUT_FAILED || rec.outcome == FP_OUT_IN_DOUBT)
			sum->errors_by_class[class_index(rec.sqlstate)]++;
		fp_outage_add(sc, &rec);
	}
	sum->ledger_ok = (rc == 0);
	fp_ledger_close_reader(r);
}

void
fp_summary_scan(fp_summary *sum, const char *path)
{
	fp_outage_scan sc;

	fp_outage_init(&sc);
	scan_pass(sum, &sc, path, false);
	if (!sum->ledger_ok)
	{
		/* a ledger that cannot be read to its end: no ends to trust */
		memset(&sum->outage, 0, sizeof(sum->outage));
		sum->outage.first_problem = sc.first_problem;
		fp_outage_free(&sc);
		return;
	}
	if (fp_outage_finish(&sc))
		scan_pass(sum, &sc, path, true);
	sum->outage = sc.outage;
	fp_outage_free(&sc);
}

/* The name of a SQLSTATE class (its first two characters), or "". */
static const char *
class_name(const char *cls)
{
	static const char *const names[][2] = {
		{"08", "connection exception"}, {"23", "integrity constraint violation"},
		{"25", "invalid transaction state"}, {"28", "invalid authorization"},
		{"40", "transaction rollback"}, {"42", "syntax error or access rule violation"},
		{"53", "insufficient resources"}, {"57", "operator intervention"},
		{"58", "system error"}, {"XX", "internal error"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i][0], cls) == 0)
			return names[i][1];
	return "";
}

/* "  errors by SQLSTATE class: 57 (operator intervention) 4, ..." */
static void
print_error_classes(const fp_summary *sum)
{
	const char *digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *sep = "";

	for (int i = 0; i < 36 * 36; i++)
	{
		char		cls[3] = {digits[i / 36], digits[i % 36], '\0'};
		const char *name = class_name(cls);

		if (sum->errors_by_class[i] == 0)
			continue;
		printf("%s", sep[0] ? sep : "  errors by SQLSTATE class (failed and in doubt): ");
		if (i == 0)
			printf("none given %llu", (unsigned long long) sum->errors_by_class[i]);
		else
			printf("%s%s%s%s %llu", cls, name[0] ? " (" : "", name, name[0] ? ")" : "",
				   (unsigned long long) sum->errors_by_class[i]);
		sep = ", ";
	}
	if (sep[0])
		printf("\n");
}

static double
ms(uint64_t us)
{
	return us / 1000.0;
}

static const char *
server_name(const fp_run *run, uint32_t id, char *buf, size_t size)
{
	if (id == 0 || id > (uint32_t) run->nservers)
		return "unknown";
	snprintf(buf, size, "%s:%s (timeline %u)", run->servers[id - 1].host,
			 run->servers[id - 1].port, run->servers[id - 1].tli);
	return buf;
}

void
fp_summary_print(const fp_summary *sum, const fp_run *run)
{
	const fp_counts *c = &sum->counts;
	const fp_outage *o = &sum->outage;
	char		a[200], b[200];

	printf("failprobe run %llu: %s mode, table %s\n", (unsigned long long) run->run_id,
		   run->extension ? "extension" : "plain", run->table);
	{
		char		target[64];

		if (run->cfg->nstages > 1)
			snprintf(target, sizeof(target), "%d stages", run->cfg->nstages);
		else if (run->cfg->nstages == 1)
			snprintf(target, sizeof(target), "%.0f/s", run->cfg->stages[0].from);
		else
			snprintf(target, sizeof(target), "as fast as possible");
		printf("  duration %.1f s, target %s, achieved %.1f tps\n", sum->elapsed_s, target,
			   sum->elapsed_s > 0 ? c->acked / sum->elapsed_s : 0.0);
	}
	printf("  writes: sent %llu = acked %llu + failed %llu + in doubt %llu; missed (never sent) %llu\n",
		   (unsigned long long) c->sent, (unsigned long long) c->acked,
		   (unsigned long long) c->failed, (unsigned long long) c->in_doubt,
		   (unsigned long long) c->missed);
	printf("  latency from schedule (ms): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
		   ms(fp_hist_percentile(&sum->latency, 50)), ms(fp_hist_percentile(&sum->latency, 90)),
		   ms(fp_hist_percentile(&sum->latency, 99)), ms(fp_hist_percentile(&sum->latency, 99.9)),
		   ms(sum->latency.max));
	if (run->cfg->pipeline > 1)
		printf("  (pipelined: answers are read in groups, up to %.0f ms after they came; "
			   "their latency includes that)\n", FP_COALESCE_US / 1000.0);
	printf("  schedule lag (ms): p50 %.2f  p99 %.2f  max %.2f\n",
		   ms(fp_hist_percentile(&sum->lag, 50)), ms(fp_hist_percentile(&sum->lag, 99)),
		   ms(sum->lag.max));
	if (o->first_problem == 0)
		printf("  outage: none\n");
	else
	{
		double		detection = fp_outage_detection_ms(o);
		double		rto = fp_outage_rto_ms(o);

		printf("  outage: detection %.1f ms, RTO %s (last ack before on %s, first ack after on %s)\n",
			   detection >= 0 ? detection : 0.0,
			   rto >= 0 ? (snprintf(a, 40, "%.1f ms", rto), a) : "not recovered",
			   server_name(run, o->server_before, b, sizeof(b)),
			   server_name(run, o->server_after, a + 100, 100));
	}
	print_error_classes(sum);
	if (sum->connects_failed > 0 || sum->connects > (uint64_t) run->cfg->clients)
		printf("  connection attempts: %llu, of which %llu failed (the first %d included)\n",
			   (unsigned long long) sum->connects, (unsigned long long) sum->connects_failed,
			   run->cfg->clients);
	if (run->report_lsn)
		printf("  commit LSNs reported for %llu of %llu acknowledged writes (highest %X/%X)\n",
			   (unsigned long long) sum->lsn_known, (unsigned long long) c->acked,
			   (unsigned int) (sum->lsn_max >> 32), (unsigned int) sum->lsn_max);
	if (run->report_time)
		printf("  commit times reported for %llu of %llu acknowledged writes\n",
			   (unsigned long long) sum->time_known, (unsigned long long) c->acked);
	printf("  ledger: %llu records read back%s%s\n", (unsigned long long) sum->records,
		   sum->ledger_ok ? "" : "; PROBLEM: ", sum->ledger_ok ? "" : sum->ledger_error);
}

static json_t *
latency_json(const fp_hist *h)
{
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f}",
					 "p50", ms(fp_hist_percentile(h, 50)), "p90", ms(fp_hist_percentile(h, 90)),
					 "p99", ms(fp_hist_percentile(h, 99)), "p999", ms(fp_hist_percentile(h, 99.9)),
					 "max", ms(h->max), "mean", fp_hist_mean(h) / 1000.0);
}

static json_t *
errors_json(const fp_summary *sum)
{
	json_t	   *obj = json_object();
	const char *digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

	for (int i = 0; i < 36 * 36; i++)
	{
		char		key[16];

		if (sum->errors_by_class[i] == 0)
			continue;
		if (i == 0)
			snprintf(key, sizeof(key), "none");
		else
			snprintf(key, sizeof(key), "%c%c", digits[i / 36], digits[i % 36]);
		json_object_set_new(obj, key, json_integer((json_int_t) sum->errors_by_class[i]));
	}
	return obj;
}

static json_t *
servers_json(const fp_run *run)
{
	json_t	   *arr = json_array();

	for (int i = 0; i < run->nservers; i++)
	{
		const fp_server *s = &run->servers[i];

		json_array_append_new(arr, json_pack("{s:i,s:s,s:s,s:o,s:i,s:o}",
											 "id", i + 1, "host", s->host, "port", s->port,
											 "system_identifier", s->system_id[0] ? json_string(s->system_id) : json_null(),
											 "tli", (int) s->tli,
											 "first_seen_at", fp_json_time(s->first_seen_us)));
	}
	return arr;
}

static json_t *
series_json(const fp_series *series)
{
	json_t	   *arr = json_array();

	for (int i = 0; i < series->n; i++)
	{
		const fp_second *s = &series->s[i];

		json_array_append_new(arr, json_pack("{s:f,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:i}",
											 "t", s->t, "sent", (json_int_t) s->counts.sent,
											 "acked", (json_int_t) s->counts.acked,
											 "failed", (json_int_t) s->counts.failed,
											 "in_doubt", (json_int_t) s->counts.in_doubt,
											 "missed", (json_int_t) s->counts.missed,
											 "p50_ms", s->p50_ms, "p99_ms", s->p99_ms,
											 "max_ms", s->max_ms, "down", s->down));
	}
	return arr;
}

int
fp_summary_json(const fp_summary *sum, const fp_run *run, const fp_series *series,
				const char *path, const char *conninfo, char *err, size_t errlen)
{
	const fp_counts *c = &sum->counts;
	char		started[40];
	json_t	   *root;
	int			rc;

	fp_time_iso(started, sizeof(started), run->start_wall);
	root = json_pack("{s:I,s:s,s:s,s:s,s:s,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:f,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
					 "run_id", (json_int_t) run->run_id,
					 "mode", run->extension ? "extension" : "plain",
					 "table", run->table,
					 "conninfo", conninfo,
					 "started_at", started,
					 "duration_s", sum->elapsed_s,
					 "target_rate", run->cfg->rate,
					 "sent", (json_int_t) c->sent, "acked", (json_int_t) c->acked,
					 "failed", (json_int_t) c->failed, "in_doubt", (json_int_t) c->in_doubt,
					 "missed", (json_int_t) c->missed,
					 "tps", sum->elapsed_s > 0 ? c->acked / sum->elapsed_s : 0.0,
					 "latency_ms", latency_json(&sum->latency),
					 "schedule_lag_ms", latency_json(&sum->lag),
					 "outage", fp_json_outage(&sum->outage, true),
					 "rto_ms", fp_json_ms(fp_outage_rto_ms(&sum->outage)),
					 "errors_by_class", errors_json(sum),
					 "servers", servers_json(run),
					 "series", series_json(series));
	if (root == NULL)
	{
		snprintf(err, errlen, "cannot build the JSON summary");
		return -1;
	}
	{
		char		lsn[32];

		snprintf(lsn, sizeof(lsn), "%X/%X", (unsigned int) (sum->lsn_max >> 32),
				 (unsigned int) sum->lsn_max);
		json_object_set_new(root, "commit_lsn", json_pack("{s:b,s:I,s:s}",
														  "available", run->report_lsn && !run->pooled,
														  "known", (json_int_t) sum->lsn_known, "max", lsn));
		json_object_set_new(root, "commit_time", json_pack("{s:b,s:I}", "available", run->report_time,
														   "known", (json_int_t) sum->time_known));
		json_object_set_new(root, "pooled", json_boolean(run->pooled));
		json_object_set_new(root, "connections", json_pack("{s:I,s:I}",
														   "attempts", (json_int_t) sum->connects,
														   "failed", (json_int_t) sum->connects_failed));
	}
	json_object_set_new(root, "ledger", json_pack("{s:s,s:I,s:b}", "path", run->cfg->ledger_path,
												  "records", (json_int_t) sum->records, "ok", sum->ledger_ok));
	if (run->stages)
		fp_stage_report_json(run->stages, run, root);
	json_object_set_new(root, "server_metrics", fp_sampler_json(run->sampler));
	rc = fp_json_write(root, path);
	if (rc != 0)
		snprintf(err, errlen, "cannot write --json %s: %s", path, strerror(errno));
	return rc;
}
