/*
 * stages.c - the stages of a profiled run: watched while it goes, tabled
 * at its end.
 *
 * A stage meets the objectives when its p99 latency (from each write's due
 * time, so a stalled server shows) is within --slo-p99, the writes that
 * failed, were in doubt or were missed are within --slo-errors of those
 * due, and the acknowledgements that arrived during it reach 97 % of the
 * writes due in it: a server that falls behind fails the last test even
 * before its latency gives way (stage_verdict.c judges, and says what gave
 * way in the order it did).
 *
 * While the run goes, the once-a-second figures (completion time) are
 * summed per stage, so that a stress run can stop after the first stage
 * that misses.  The table at the end is built again from the ledger, each
 * write in the stage it was due in: exact, and the same whichever thread
 * sent it.
 */
#define _POSIX_C_SOURCE 200809L

#include "stages.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "profile.h"
#include "stage_verdict.h"

int
fp_stage_watch_init(fp_stage_watch *w)
{
	memset(w, 0, sizeof(*w));
	return fp_hist_init(&w->hist);
}

void
fp_stage_watch_free(fp_stage_watch *w)
{
	fp_hist_free(&w->hist);
}

void
fp_stage_watch_tick(fp_stage_watch *w, fp_run *run, const fp_hist *interval,
					const fp_series *series, int64_t now)
{
	const fp_config *cfg = run->cfg;
	const fp_second *sec;
	double		mid;
	int			stage;

	if (cfg->nstages == 0 || series->n == 0 || w->stopped)
		return;
	sec = &series->s[series->n - 1];
	mid = sec->t - 0.5;			/* the interval belongs where most of it was */
	stage = fp_schedule_stage_at(&run->sched, mid * 1e6);
	if (stage > w->current)
	{
		const fp_stage *st = &cfg->stages[w->current];
		char		reason[320];
		/*
		 * Due by the schedule, as the table counts it: the writes sent or
		 * missed so far fall short of it exactly when the server falls
		 * behind (writes go out late), which hid a throughput shortfall.
		 */
		fp_stage_tally tally = {
			.seconds = st->duration_s,
			.due = (uint64_t) llround(run->sched.start_writes[w->current + 1] -
									  run->sched.start_writes[w->current]),
			.bad = w->counts.failed + w->counts.in_doubt + w->counts.missed,
			.acks = w->counts.acked,
			.p99_ms = fp_hist_percentile(&w->hist, 99) / 1000.0,
		};

		if (!fp_stage_judge(cfg, &tally, NULL, reason, sizeof(reason)) &&
			cfg->profile == FP_PROFILE_STRESS)
		{
			run->end_mono = now;
			w->stopped = true;
			if (!cfg->quiet)
				fprintf(stderr, "failprobe: stress: stage %d (%.0f/s) missed the objectives (%s): stopping\n",
						w->current + 1, st->to, reason);
			return;
		}
		fp_hist_reset(&w->hist);
		memset(&w->counts, 0, sizeof(w->counts));
		w->current = stage;
		if (!cfg->quiet)
			fprintf(stderr, "failprobe: stage %d/%d: %.0f/s%s\n", stage + 1, cfg->nstages,
					cfg->stages[stage].from,
					cfg->stages[stage].to != cfg->stages[stage].from ? " (ramp)" : "");
	}
	fp_hist_merge(&w->hist, interval);
	fp_counts_add(&w->counts, &sec->counts);
}

/* ---- the table, from the ledger ------------------------------------------ */

static void
spike_recovery(fp_stage_report *rep, const fp_run *run, const fp_series *series)
{
	const fp_config *cfg = run->cfg;
	double		burst_end;
	double		prev = 0;

	rep->spike_recovery_s = NAN;
	if (cfg->spike_stage < 0)
		return;
	burst_end = run->sched.start_us[cfg->spike_stage + 1] / 1e6;
	rep->spike_recovery_s = -1;
	for (int i = 0; i < series->n; i++)
	{
		const fp_second *s = &series->s[i];

		if (s->t > burst_end && s->counts.acked > 0 && s->p99_ms <= cfg->slo_p99_ms)
		{
			rep->spike_recovery_s = prev > burst_end ? prev - burst_end : 0;
			return;
		}
		prev = s->t;
	}
}

static void
tally(fp_stage_result *res, fp_hist *hist, const fp_record *rec)
{
	switch (rec->outcome)
	{
		case FP_OUT_ACKED:
			res->acked++;
			fp_hist_record(hist, rec->done_us > rec->scheduled_us ?
						   (uint64_t) (rec->done_us - rec->scheduled_us) : 0);
			break;
		case FP_OUT_FAILED:
			res->failed++;
			break;
		case FP_OUT_IN_DOUBT:
			res->in_doubt++;
			break;
		case FP_OUT_MISSED:
			res->missed++;
			break;
	}
	res->due++;
	if (rec->outcome != FP_OUT_MISSED)
		res->sent++;
}

static int
scan_ledger(fp_stage_report *rep, const fp_run *run, fp_hist *hists, char *err, size_t errlen)
{
	fp_ledger_header hdr;
	fp_ledger_reader *r = fp_ledger_open(run->cfg->ledger_path, &hdr, err, errlen);
	fp_record	rec;
	int			rc;

	if (r == NULL)
		return -1;
	while ((rc = fp_ledger_next(r, &rec, err, errlen)) == 1)
	{
		int			s = fp_schedule_stage_at(&run->sched, (double) (rec.scheduled_us - run->start_wall));

		tally(&rep->r[s], &hists[s], &rec);
		if (rec.outcome == FP_OUT_ACKED)
		{
			int			d = fp_schedule_stage_at(&run->sched, (double) (rec.done_us - run->start_wall));

			rep->r[d].acks_within++;
		}
	}
	fp_ledger_close_reader(r);
	return rc == 0 ? 0 : -1;
}

int
fp_stage_report_build(fp_stage_report *rep, const fp_run *run, const fp_series *series,
					  double elapsed_s, char *err, size_t errlen)
{
	const fp_config *cfg = run->cfg;
	fp_hist		hists[FP_MAX_STAGES];
	int			rc;

	memset(rep, 0, sizeof(*rep));
	rep->n = cfg->nstages;
	rep->breaking_point = rep->first_missed = -1;
	for (int i = 0; i < rep->n; i++)
		if (fp_hist_init(&hists[i]) != 0)
		{
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	rc = scan_ledger(rep, run, hists, err, errlen);
	for (int i = 0; i < rep->n && rc == 0; i++)
	{
		fp_stage_result *res = &rep->r[i];
		double		seconds;
		fp_stage_tally tally;
		fp_stage_span span = {.sched = &run->sched, .series = series};

		res->start_s = run->sched.start_us[i] / 1e6;
		res->end_s = fmin(run->sched.start_us[i + 1] / 1e6, elapsed_s);
		res->from = cfg->stages[i].from;
		res->to = cfg->stages[i].to;
		res->reached = res->start_s < elapsed_s && res->due > 0;
		seconds = res->end_s - res->start_s;
		res->achieved = seconds > 0 ? res->acks_within / seconds : 0;
		res->p50_ms = fp_hist_percentile(&hists[i], 50) / 1000.0;
		res->p99_ms = fp_hist_percentile(&hists[i], 99) / 1000.0;
		res->p999_ms = fp_hist_percentile(&hists[i], 99.9) / 1000.0;
		if (!res->reached)
			continue;
		tally.seconds = seconds;
		tally.due = res->due;
		tally.bad = res->failed + res->in_doubt + res->missed;
		tally.acks = res->acks_within;
		tally.p99_ms = res->p99_ms;
		span.start_s = res->start_s;
		span.end_s = res->end_s;
		res->met = fp_stage_judge(cfg, &tally, &span, res->reason, sizeof(res->reason));
		if (!res->met && rep->first_missed < 0)
			rep->first_missed = i;
		if (res->met && rep->first_missed < 0)
			rep->breaking_point = i;
	}
	for (int i = 0; i < rep->n; i++)
		fp_hist_free(&hists[i]);
	spike_recovery(rep, run, series);
	return rc;
}

void
fp_stage_report_print(const fp_stage_report *rep, const fp_run *run)
{
	const fp_config *cfg = run->cfg;

	printf("  stages (%s; objectives: p99 <= %.1f ms, errors <= %.2f %%, throughput >= 97 %% of due):\n",
		   fp_profile_name(cfg->profile), cfg->slo_p99_ms, 100 * cfg->slo_errors);
	printf("    %-3s %-15s %-13s %10s %9s %9s %9s %8s %8s %8s  %s\n", "#", "time (s)", "target/s",
		   "achieved/s", "p50 ms", "p99 ms", "p99.9 ms", "failed", "missed", "in doubt", "met");
	for (int i = 0; i < rep->n; i++)
	{
		const fp_stage_result *r = &rep->r[i];
		char		target[32];
		char		span[32];

		if (!r->reached)
			continue;
		if (r->from == r->to)
			snprintf(target, sizeof(target), "%.0f", r->from);
		else
			snprintf(target, sizeof(target), "%.0f-%.0f", r->from, r->to);
		snprintf(span, sizeof(span), "%.0f-%.0f", r->start_s, r->end_s);
		/* counted as the JSON counts them: failed (in LEDGER.stages.jsonl
		 * "errors"), missed and in doubt apart */
		printf("    %-3d %-15s %-13s %10.0f %9.2f %9.2f %9.2f %8llu %8llu %8llu  %s%s%s\n", i + 1, span, target,
			   r->achieved, r->p50_ms, r->p99_ms, r->p999_ms, (unsigned long long) r->failed,
			   (unsigned long long) r->missed, (unsigned long long) r->in_doubt,
			   r->met ? "yes" : "NO", r->met ? "" : ": ", r->reason);
	}
	if (cfg->profile == FP_PROFILE_STRESS)
	{
		if (rep->first_missed < 0)
		{
			/* the last stage the run got to, not the last one planned (Ctrl-C) */
			int			last = rep->n - 1;

			while (last > 0 && !rep->r[last].reached)
				last--;
			printf("  breaking point: not reached up to %.0f/s\n", rep->r[last].to);
		}
		else if (rep->breaking_point < 0)
			printf("  breaking point: below the first stage (%.0f/s); gave way: %s\n",
				   rep->r[rep->first_missed].to, rep->r[rep->first_missed].reason);
		else
			printf("  breaking point: %.0f/s (stage %d met the objectives; at %.0f/s: %s)\n",
				   rep->r[rep->breaking_point].to, rep->breaking_point + 1,
				   rep->r[rep->first_missed].to, rep->r[rep->first_missed].reason);
	}
	if (!isnan(rep->spike_recovery_s))
	{
		if (rep->spike_recovery_s < 0)
			printf("  spike recovery: p99 did not come back within %.1f ms before the run ended\n",
				   cfg->slo_p99_ms);
		else
			printf("  spike recovery: p99 back within %.1f ms %.0f s after the burst ended\n",
				   cfg->slo_p99_ms, rep->spike_recovery_s);
	}
}

static json_t *
stage_json(const fp_stage_result *r, int i)
{
	return json_pack("{s:i,s:f,s:f,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:f,s:b,s:s?}",
					 "stage", i + 1, "start_s", r->start_s, "end_s", r->end_s,
					 "rate_from", r->from, "rate_to", r->to,
					 "due", (json_int_t) r->due, "sent", (json_int_t) r->sent,
					 "acked", (json_int_t) r->acked, "failed", (json_int_t) r->failed,
					 "in_doubt", (json_int_t) r->in_doubt, "missed", (json_int_t) r->missed,
					 "achieved", r->achieved, "p50_ms", r->p50_ms, "p99_ms", r->p99_ms,
					 "p999_ms", r->p999_ms, "met", r->met,
					 "reason", r->met ? NULL : r->reason);
}

void
fp_stage_report_json(const fp_stage_report *rep, const fp_run *run, json_t *root)
{
	const fp_config *cfg = run->cfg;
	json_t	   *arr = json_array();

	for (int i = 0; i < rep->n; i++)
		if (rep->r[i].reached)
			json_array_append_new(arr, stage_json(&rep->r[i], i));
	json_object_set_new(root, "stages", arr);
	json_object_set_new(root, "profile", json_string(fp_profile_name(cfg->profile)));
	json_object_set_new(root, "objectives", json_pack("{s:f,s:f}", "p99_ms", cfg->slo_p99_ms,
													  "errors_pct", 100 * cfg->slo_errors));
	if (cfg->profile == FP_PROFILE_STRESS)
	{
		const fp_stage_result *bp = rep->breaking_point >= 0 ? &rep->r[rep->breaking_point] : NULL;
		const fp_stage_result *miss = rep->first_missed >= 0 ? &rep->r[rep->first_missed] : NULL;

		json_object_set_new(root, "breaking_point", json_pack("{s:o,s:o,s:o,s:o}",
			"rate", bp ? json_real(bp->to) : json_null(),
			"stage", bp ? json_integer(rep->breaking_point + 1) : json_null(),
			"failed_at_rate", miss ? json_real(miss->to) : json_null(),
			"gave_way", miss ? json_string(miss->reason) : json_null()));
	}
	if (!isnan(rep->spike_recovery_s))
		json_object_set_new(root, "spike_recovery_s",
							rep->spike_recovery_s >= 0 ? json_real(rep->spike_recovery_s) : json_null());
}

void
fp_stages_path(char *buf, size_t size, const char *ledger_path)
{
	snprintf(buf, size, "%s.stages.jsonl", ledger_path);
}

int
fp_stage_report_file(const fp_stage_report *rep, const fp_run *run, char *err, size_t errlen)
{
	char		path[4096];
	FILE	   *f;

	fp_stages_path(path, sizeof(path), run->cfg->ledger_path);
	f = fopen(path, "w");
	if (f == NULL)
	{
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	for (int i = 0; i < rep->n; i++)
	{
		const fp_stage_result *r = &rep->r[i];
		json_t	   *o;
		char	   *line;

		if (!r->reached)
			continue;
		o = json_pack("{s:i,s:I,s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:b,s:s}",
					  "stage", i + 1,
					  "start_us", (json_int_t) (run->start_wall + (int64_t) (r->start_s * 1e6)),
					  "end_us", (json_int_t) (run->start_wall + (int64_t) (r->end_s * 1e6)),
					  "rate_from", r->from, "rate_to", r->to, "achieved", r->achieved,
					  "p50_ms", r->p50_ms, "p99_ms", r->p99_ms, "p999_ms", r->p999_ms,
					  "sent", (json_int_t) r->sent, "acked", (json_int_t) r->acked,
					  "errors", (json_int_t) r->failed, "in_doubt", (json_int_t) r->in_doubt,
					  "missed", (json_int_t) r->missed, "met", r->met, "reason", r->reason);
		line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) : NULL;
		if (line)
			fprintf(f, "%s\n", line);
		free(line);
		json_decref(o);
	}
	if (fclose(f) != 0)
	{
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	return 0;
}
