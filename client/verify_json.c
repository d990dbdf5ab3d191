/*
 * verify_json.c - the verify report as JSON for machines (verify_report.h).
 *
 * The keys the mission fixes (sent, acked, acked_lost, failed, in_doubt,
 * in_doubt_committed, corrupt, unexpected: integers; rpo_ms, rto_ms:
 * numbers or null) sit at the top level; the detail goes below them.
 */
#define _POSIX_C_SOURCE 200809L

#include "verify_report.h"

#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "jsonfmt.h"

/* Ranges listed per kind in the JSON; counts are always exact. */
#define FPV_JSON_RANGES 1000

static json_t *
lsn_or_null(uint64_t lsn)
{
	char		buf[32];

	if (lsn == 0)
		return json_null();
	snprintf(buf, sizeof(buf), "%X/%X", (unsigned) (lsn >> 32), (unsigned) lsn);
	return json_string(buf);
}

static json_t *
str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *
ranges_json(const fpv_ranges *rs)
{
	json_t	   *arr = json_array();

	for (size_t i = 0; i < rs->n && i < FPV_JSON_RANGES; i++)
	{
		const fpv_range *g = &rs->r[i];

		json_array_append_new(arr, json_pack("{s:I,s:I,s:I,s:o,s:o}",
											 "worker", (json_int_t) g->worker,
											 "from", (json_int_t) g->from, "to", (json_int_t) g->to,
											 "first_at", fp_json_time(g->first_us),
											 "last_at", fp_json_time(g->last_us)));
	}
	return json_pack("{s:I,s:I,s:b,s:o}", "writes", (json_int_t) rs->writes,
					 "ranges", (json_int_t) rs->n,
					 "complete", rs->n <= FPV_JSON_RANGES && rs->unlisted == 0,
					 "list", arr);
}

static void
set_int(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t) v));
}

static void
counts_json(json_t *root, const fpv_counts *c)
{
	set_int(root, "records", c->records);
	set_int(root, "sent", c->sent);
	set_int(root, "acked", c->acked);
	set_int(root, "acked_lost", c->acked_lost);
	set_int(root, "acked_present", c->acked_ok - c->corrupt_acked);	/* the right digest */
	set_int(root, "failed", c->failed);
	set_int(root, "failed_present", c->failed_present);
	set_int(root, "in_doubt", c->in_doubt);
	set_int(root, "in_doubt_committed", c->in_doubt_committed);
	set_int(root, "in_doubt_absent", c->in_doubt_absent);
	set_int(root, "missed", c->missed);
	set_int(root, "missed_present", c->missed_present);
	set_int(root, "unexpected_other_worker", c->unexpected_other_worker);
	set_int(root, "corrupt", c->corrupt);
	set_int(root, "corrupt_acked", c->corrupt_acked);
	set_int(root, "corrupt_digest", c->corrupt_digest);
	set_int(root, "corrupt_inconsistent", c->corrupt_inconsistent);
	set_int(root, "unexpected", c->unexpected);
	set_int(root, "beyond_ledger", c->beyond_ledger);
	set_int(root, "rows", c->rows);
	set_int(root, "duplicate_records", c->dup_records);
}

static json_t *
rpo_json(const fpv_recon *r)
{
	return json_pack("{s:I,s:f,s:o,s:o,s:I,s:o,s:o}",
					 "acked_lost", (json_int_t) r->c.acked_lost, "rpo_ms", fpv_rpo_ms(r),
					 "first_lost_at", fp_json_time(r->rpo.first_lost_us),
					 "last_lost_at", fp_json_time(r->rpo.last_lost_us),
					 "lsn_known", (json_int_t) r->rpo.lsn_known,
					 "lsn_first", lsn_or_null(r->rpo.lsn_first),
					 "lsn_last", lsn_or_null(r->rpo.lsn_last));
}

static json_t *
server_json(const fpv_view *v)
{
	json_t	   *arr = json_array();

	for (int i = 0; i < v->npromos; i++)
	{
		const fpv_promotion *p = &v->promos[i];
		json_t	   *hb = p->has_heartbeat ?
			json_pack("{s:I,s:i,s:o,s:o}", "seq", (json_int_t) p->hb_seq, "tli", (int) p->hb_tli,
					  "beat_at", str_or_null(p->hb_beat_at), "lsn", str_or_null(p->hb_lsn)) :
			json_null();

		json_array_append_new(arr, json_pack("{s:i,s:i,s:o,s:o,s:o,s:o,s:o,s:o}",
											 "tli", (int) p->tli, "previous_tli", (int) p->previous_tli,
											 "switchpoint", lsn_or_null(p->switchpoint),
											 "at", str_or_null(p->at),
											 "promoted_at", str_or_null(p->promoted_at),
											 "upstream_last_heard", str_or_null(p->upstream_last_heard),
											 "node", str_or_null(p->node), "last_heartbeat", hb));
	}
	return json_pack("{s:b,s:b,s:s,s:o,s:o}", "in_recovery", v->in_recovery,
					 "extension", v->has_events, "version", v->version,
					 "note", str_or_null(v->note), "promotions", arr);
}

static json_t *
checks_json(const fpv_recon *r)
{
	return json_pack("{s:{s:I,s:I,s:I,s:I,s:o},s:{s:I,s:o,s:o,s:i,s:o}}",
					 "lsn_check", "checked", (json_int_t) r->lsn.checked,
					 "lost_before_switch", (json_int_t) r->lsn.lost_before_switch,
					 "kept_after_switch", (json_int_t) r->lsn.kept_after_switch,
					 "lost_unswitched", (json_int_t) r->lsn.lost_unswitched,
					 "example", str_or_null(r->lsn.example),
					 "split_brain", "acks", (json_int_t) r->split.acks,
					 "first_at", fp_json_time(r->split.first_us),
					 "last_at", fp_json_time(r->split.last_us), "tli", (int) r->split.tli,
					 "same_timeline", !r->split.same_tli ? json_null() :
					 json_pack("{s:i,s:[i,i],s:i,s:o,s:o}", "tli", (int) r->split.same_tli,
							   "servers", (int) r->split.same_servers[0], (int) r->split.same_servers[1],
							   "ledger", r->split.same_ledger + 1,
							   "from", fp_json_time(r->split.same_from_us),
							   "to", fp_json_time(r->split.same_to_us)));
}

static json_t *
old_json(const fpv_report *rep)
{
	const fpv_counts *c = &rep->r->c;

	if (rep->old_node == NULL)
		return json_null();
	return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:o}", "conninfo", rep->old_node,
					 "rows", (json_int_t) c->old_rows, "unknown_rows", (json_int_t) c->old_unknown,
					 "lost_tail", (json_int_t) c->lost_tail,
					 "lost_tail_acked", (json_int_t) c->lost_tail_acked,
					 "acked_on_neither", (json_int_t) c->lost_nowhere,
					 "lost_tail_ranges", ranges_json(&rep->r->tail));
}

static json_t *
ledgers_json(const fpv_report *rep)
{
	json_t	   *arr = json_array();

	for (int i = 0; i < rep->nledgers; i++)
	{
		const fpv_ledger *l = &rep->ledgers[i];

		json_array_append_new(arr, json_pack("{s:s,s:I,s:b,s:o,s:s,s:o,s:i}", "path", l->path,
											 "records", (json_int_t) l->records,
											 "truncated", l->truncated,
											 "tail", str_or_null(l->truncated ? l->tail : NULL),
											 "mode", l->mode, "conninfo", str_or_null(l->conninfo),
											 "payload_bytes", l->payload_bytes));
	}
	return arr;
}

static json_t *
verdict_json(const fpv_report *rep)
{
	const fpv_verdict *v = &rep->verdict;

	return json_pack("{s:b,s:s,s:{s:I,s:o},s:{s:b,s:b,s:b,s:b,s:b}}",
					 "pass", v->pass, "why", v->why,
					 "gates", "max_lost", (json_int_t) rep->gates.max_lost,
					 "max_rto_s", rep->gates.has_max_rto ? json_real(rep->gates.max_rto_s) : json_null(),
					 "failed", "lost", v->lost, "corrupt", v->corrupt, "split_brain", v->split_brain,
					 "lsn", v->lsn, "rto", v->rto);
}

int
fpv_report_json(const fpv_report *rep, const char *path, char *err, size_t errlen)
{
	const fpv_recon *r = rep->r;
	json_t	   *root = json_object();
	int			rc;

	json_object_set_new(root, "run_id", json_integer((json_int_t) r->run_id));
	json_object_set_new(root, "table", json_string(rep->table));
	json_object_set_new(root, "conninfo", json_string(rep->node));
	counts_json(root, &r->c);
	json_object_set_new(root, "rpo_ms", json_real(fpv_rpo_ms(r)));
	json_object_set_new(root, "rto_ms", fp_json_ms(fp_outage_rto_ms(&r->outage.outage)));
	json_object_set_new(root, "detection_ms", fp_json_ms(fp_outage_detection_ms(&r->outage.outage)));
	json_object_set_new(root, "rpo", rpo_json(r));
	json_object_set_new(root, "outage", fp_json_outage(&r->outage.outage, false));
	json_object_set_new(root, "server", server_json(rep->view));
	{
		json_t	   *checks = checks_json(r);

		json_object_update(root, checks);
		json_decref(checks);
	}
	json_object_set_new(root, "lost_ranges", ranges_json(&r->lost));
	json_object_set_new(root, "corrupt_ranges", ranges_json(&r->corrupt));
	json_object_set_new(root, "unexpected_ranges", ranges_json(&r->unexpected));
	json_object_set_new(root, "in_doubt_committed_ranges", ranges_json(&r->doubt_committed));
	json_object_set_new(root, "old_primary", old_json(rep));
	json_object_set_new(root, "ledgers", ledgers_json(rep));
	json_object_set_new(root, "truncated", json_boolean(r->truncated));
	json_object_set_new(root, "verdict", verdict_json(rep));
	json_object_set_new(root, "elapsed_s", json_real(rep->elapsed_s));
	rc = fp_json_write(root, path);
	if (rc != 0)
		snprintf(err, errlen, "cannot write the JSON report to %s: %s", path, strerror(errno));
	return rc;
}
