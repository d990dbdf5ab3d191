/*
 * verify_report.c - the verify report as text (verify_report.h).
 *
 * Read at a glance: the counts first, then RPO and RTO beside the
 * server's own view, then the lost writes as worker:seq ranges, and the
 * verdict last, where the eye ends.
 */
#define _POSIX_C_SOURCE 200809L

#include "verify_report.h"

#include <inttypes.h>

#include "timefmt.h"

/* Ranges listed in the text; the JSON lists more, the counts are exact. */
#define FPV_TEXT_RANGES 20

static void
lsn_text(char *buf, size_t size, uint64_t lsn)
{
	snprintf(buf, size, "%X/%X", (unsigned) (lsn >> 32), (unsigned) lsn);
}

static void
print_counts(const fpv_report *rep, FILE *out)
{
	const fpv_counts *c = &rep->r->c;

	fprintf(out, "  writes    sent %" PRIu64 " = acked %" PRIu64 " + failed %" PRIu64
			" + in doubt %" PRIu64 "; missed (never sent) %" PRIu64 "\n",
			c->sent, c->acked, c->failed, c->in_doubt, c->missed);
	fprintf(out, "  acked     present %" PRIu64 ", LOST %" PRIu64 ", corrupt %" PRIu64 "\n",
			c->acked_ok - c->corrupt_acked, c->acked_lost, c->corrupt_acked);
	fprintf(out, "  in doubt  committed %" PRIu64 ", absent %" PRIu64 "\n",
			c->in_doubt_committed, c->in_doubt_absent);
	fprintf(out, "  failed    present anyway (anomaly) %" PRIu64 "\n", c->failed_present);
	fprintf(out, "  rows      %" PRIu64 " of this run on the node; corrupt %" PRIu64
			" (digest not the write's %" PRIu64 ", not self-consistent %" PRIu64 ")\n",
			c->rows, c->corrupt, c->corrupt_digest, c->corrupt_inconsistent);
	fprintf(out, "            unexpected %" PRIu64 " (of missed writes %" PRIu64 ")",
			c->unexpected, c->missed_present);
	if (rep->r->truncated)
		fprintf(out, "; not in the truncated ledger %" PRIu64, c->beyond_ledger);
	fputc('\n', out);
	if (c->unexpected_other_worker)
		fprintf(out, "            %" PRIu64 " of them from workers no given ledger numbers: "
				"did another client share this run id? give its ledger too (--ledger)\n",
				c->unexpected_other_worker);
	if (c->dup_records)
		fprintf(out, "  WARNING   %" PRIu64 " ledger records repeat a write already recorded\n",
				c->dup_records);
}

static void
print_rpo(const fpv_report *rep, FILE *out)
{
	const fpv_recon *r = rep->r;
	char		a[40], b[40];

	if (r->c.acked_lost == 0)
	{
		fprintf(out, "  RPO       0: no acknowledged write lost\n");
		return;
	}
	fp_time_of_day(a, sizeof(a), r->rpo.first_lost_us);
	fp_time_of_day(b, sizeof(b), r->rpo.last_lost_us);
	fprintf(out, "  RPO       %" PRIu64 " acknowledged writes lost, acked over %.1f ms (%s .. %s)\n",
			r->c.acked_lost, fpv_rpo_ms(r), a, b);
	if (r->rpo.lsn_known)
	{
		lsn_text(a, sizeof(a), r->rpo.lsn_first);
		lsn_text(b, sizeof(b), r->rpo.lsn_last);
		fprintf(out, "            their commit LSNs %s .. %s (%" PRIu64 " bytes of WAL; %" PRIu64
				" of them known)\n", a, b, r->rpo.lsn_last - r->rpo.lsn_first, r->rpo.lsn_known);
	}
}

static void
print_rto(const fpv_report *rep, FILE *out)
{
	const fp_outage *o = &rep->r->outage.outage;
	double		rto = fp_outage_rto_ms(o);
	double		detection = fp_outage_detection_ms(o);
	char		a[40], b[40], c[40], before[80], det[40] = "";

	if (o->first_problem == 0)
	{
		fprintf(out, "  RTO       no outage: every write was acknowledged\n");
		return;
	}
	fp_time_of_day(a, sizeof(a), o->last_ack_before);
	fp_time_of_day(b, sizeof(b), o->first_problem);
	fp_time_of_day(c, sizeof(c), o->first_ack_after);
	/* a run that began in the outage has no ack before it */
	if (o->last_ack_before == 0)
		snprintf(before, sizeof(before), "no ack before it");
	else
		snprintf(before, sizeof(before), "last ack %s on timeline %u", a, o->tli_before);
	if (detection >= 0)
		snprintf(det, sizeof(det), ", detection %.1f ms", detection);
	if (rto >= 0)
		fprintf(out, "  RTO       %.1f ms%s (client: %s, first problem %s, first ack after %s on timeline %u)\n",
				rto, det, before, b, c, o->tli_after);
	else
		fprintf(out, "  RTO       not recovered (client: %s, first problem %s, no ack after)\n",
				before, b);
}

static void
print_view(const fpv_report *rep, FILE *out)
{
	const fpv_view *v = rep->view;
	char		sp[40];

	if (!v->has_events)
	{
		fprintf(out, "  server    no record of promotions: %s\n", v->note);
		return;
	}
	if (v->npromos == 0)
		fprintf(out, "  server    this node records no promotion\n");
	for (int i = 0; i < v->npromos; i++)
	{
		const fpv_promotion *p = &v->promos[i];

		lsn_text(sp, sizeof(sp), p->switchpoint);
		fprintf(out, "  server    promoted to timeline %u from %u at %s, switch point %s; "
				"upstream last heard %s\n", p->tli, p->previous_tli,
				p->promoted_at[0] ? p->promoted_at : p->at, sp,
				p->upstream_last_heard[0] ? p->upstream_last_heard : "-");
		if (p->has_heartbeat)
			fprintf(out, "            last surviving heartbeat: seq %" PRId64 " of timeline %u at %s (lsn %s)\n",
					p->hb_seq, p->hb_tli, p->hb_beat_at, p->hb_lsn);
	}
}

static void
print_lsn_check(const fpv_report *rep, FILE *out)
{
	const fpv_lsn_check *l = &rep->r->lsn;

	if (l->checked == 0)
	{
		fprintf(out, "  LSN check not possible (no commit LSNs of a timeline the node switched away from)\n");
		return;
	}
	if (l->lost_before_switch + l->kept_after_switch == 0)
		fprintf(out, "  LSN check %" PRIu64 " acked writes agree with the switch point: "
				"lost ones beyond it, surviving ones at or before it\n", l->checked);
	else
		fprintf(out, "  LSN check CONTRADICTION: %" PRIu64 " lost at or before the switch point, %"
				PRIu64 " survived beyond it; e.g. %s\n",
				l->lost_before_switch, l->kept_after_switch, l->example);
	if (l->lost_unswitched)
		fprintf(out, "            %" PRIu64 " lost writes are of a timeline this node never "
				"switched away from\n", l->lost_unswitched);
}

static void
print_ranges(const char *title, const fpv_ranges *rs, bool times, FILE *out)
{
	char		id[64], a[40], b[40];

	if (rs->n == 0)
		return;
	fprintf(out, "  %s: %" PRIu64 " writes in %zu ranges (worker:seq)\n", title, rs->writes, rs->n);
	for (size_t i = 0; i < rs->n && i < FPV_TEXT_RANGES; i++)
	{
		fpv_range_format(&rs->r[i], id, sizeof(id));
		fp_time_of_day(a, sizeof(a), rs->r[i].first_us);
		fp_time_of_day(b, sizeof(b), rs->r[i].last_us);
		if (times)
			fprintf(out, "    %-24s %s .. %s\n", id, a, b);
		else
			fprintf(out, "    %s\n", id);
	}
	if (rs->n > FPV_TEXT_RANGES)
		fprintf(out, "    ... %zu more ranges (all in --json)\n", rs->n - FPV_TEXT_RANGES);
	if (rs->unlisted > 0)
		fprintf(out, "    ... and %" PRIu64 " more writes not listed (only the first %d are kept)\n",
				rs->unlisted, FPV_MAX_LISTED);
}

static void
print_old(const fpv_report *rep, FILE *out)
{
	const fpv_counts *c = &rep->r->c;

	if (rep->old_node == NULL)
		return;
	fprintf(out, "  old primary %s: %" PRIu64 " rows of the run; lost tail (there, not here) %"
			PRIu64 " writes, %" PRIu64 " of them acked; %" PRIu64 " rows of no ledger record\n",
			rep->old_node, c->old_rows, c->lost_tail, c->lost_tail_acked, c->old_unknown);
	if (c->lost_nowhere)
		fprintf(out, "  WARNING   %" PRIu64 " acked writes are on neither node\n", c->lost_nowhere);
	print_ranges("lost tail", &rep->r->tail, true, out);
}

void
fpv_report_print(const fpv_report *rep, FILE *out)
{
	const fpv_recon *r = rep->r;

	fprintf(out, "failprobe verify: run %" PRIu64 ", %d ledger%s, %" PRIu64 " records; table %s on %s (%s%s)\n",
			r->run_id, rep->nledgers, rep->nledgers > 1 ? "s" : "", r->c.records, rep->table,
			rep->node, rep->view->in_recovery ? "a standby, " : "", rep->view->version);
	for (int i = 0; i < rep->nledgers; i++)
		if (rep->ledgers[i].truncated)
			fprintf(out, "  ledger    %s: TRUNCATED TAIL (%s); those %" PRIu64 " are verified\n",
					rep->ledgers[i].path, rep->ledgers[i].tail, rep->ledgers[i].records);
	if (r->c.rows == 0)
		fprintf(out, "  NO ROWS   of run_id %" PRIu64 " in table %s: wrong database, or the run's "
				"writes never reached it\n", r->run_id, rep->table);
	print_counts(rep, out);
	print_rpo(rep, out);
	print_rto(rep, out);
	print_view(rep, out);
	print_lsn_check(rep, out);
	if (r->split.acks)
		fprintf(out, "  SPLIT BRAIN %" PRIu64 " writes acknowledged on timeline %u after a newer "
				"timeline took writes\n", r->split.acks, r->split.tli);
	if (r->split.same_tli)
	{
		char		from[40], to[40];

		fp_time_iso(from, sizeof(from), r->split.same_from_us);
		fp_time_iso(to, sizeof(to), r->split.same_to_us);
		fprintf(out, "  SPLIT BRAIN servers %u and %u of ledger %d (see its run JSON's servers) both "
				"acknowledged writes on timeline %u between %s and %s\n",
				r->split.same_servers[0], r->split.same_servers[1], r->split.same_ledger + 1,
				r->split.same_tli, from, to);
	}
	print_ranges("lost acknowledged writes", &r->lost, true, out);
	print_ranges("corrupt rows", &r->corrupt, false, out);
	print_ranges("unexpected rows", &r->unexpected, false, out);
	print_old(rep, out);
	fprintf(out, "  verdict   %s%s%s (verified in %.1f s)\n", rep->verdict.pass ? "PASS" : "FAIL",
			rep->verdict.pass ? "" : ": ", rep->verdict.why, rep->elapsed_s);
}
