/*
 * verify_verdict.c - pass or fail, and which gate said so (verify_report.h).
 *
 * The mission's contract: exit 0 when no acknowledged write was lost, 1
 * when some were.  A write whose row is there but wrong is lost just as
 * surely, and two nodes acknowledging at once or a lost write on the
 * wrong side of the switch point mean the numbers cannot be trusted, so
 * those fail too.  --max-lost and --max-rto move the gates.
 */
#include "verify_report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

static void add_reason(fpv_verdict *v, const char *fmt, ...)
			__attribute__((format(printf, 2, 3)));

static void
add_reason(fpv_verdict *v, const char *fmt, ...)
{
	size_t		n = strlen(v->why);
	va_list		ap;

	if (n > 0 && n + 2 < sizeof(v->why))
		n += (size_t) snprintf(v->why + n, sizeof(v->why) - n, "; ");
	if (n >= sizeof(v->why))
		return;
	va_start(ap, fmt);
	vsnprintf(v->why + n, sizeof(v->why) - n, fmt, ap);
	va_end(ap);
}

double
fpv_rpo_ms(const fpv_recon *r)
{
	if (r->c.acked_lost == 0)
		return 0;
	return (r->rpo.last_lost_us - r->rpo.first_lost_us) / 1000.0;
}

void
fpv_verdict_decide(fpv_report *rep)
{
	const fpv_recon *r = rep->r;
	fpv_verdict *v = &rep->verdict;
	double		rto = fp_outage_rto_ms(&r->outage.outage);

	memset(v, 0, sizeof(*v));
	v->lost = r->c.acked_lost > rep->gates.max_lost;
	v->corrupt = r->c.corrupt > 0;
	v->split_brain = r->split.acks > 0 || r->split.same_tli != 0;
	v->lsn = r->lsn.lost_before_switch + r->lsn.kept_after_switch > 0;
	if (rep->gates.has_max_rto && r->outage.outage.first_problem != 0)
		v->rto = rto < 0 || rto > rep->gates.max_rto_s * 1000.0;
	if (v->lost)
		add_reason(v, "%" PRIu64 " acknowledged writes lost (gate --max-lost %" PRIu64 ")",
				   r->c.acked_lost, rep->gates.max_lost);
	if (v->corrupt)
		add_reason(v, "%" PRIu64 " corrupt rows", r->c.corrupt);
	if (r->split.acks > 0)
		add_reason(v, "split brain: %" PRIu64 " writes acknowledged by an old timeline "
				   "after a newer one took writes", r->split.acks);
	if (r->split.same_tli != 0)
		add_reason(v, "split brain: two servers acknowledged writes on timeline %u at the same time",
				   r->split.same_tli);
	if (v->lsn)
		add_reason(v, "%" PRIu64 " writes on the wrong side of the server's switch point",
				   r->lsn.lost_before_switch + r->lsn.kept_after_switch);
	if (v->rto && rto < 0)
		add_reason(v, "writes never recovered (gate --max-rto %g s)", rep->gates.max_rto_s);
	else if (v->rto)
		add_reason(v, "RTO %.1f ms over the gate --max-rto %g s", rto, rep->gates.max_rto_s);
	v->pass = !(v->lost || v->corrupt || v->split_brain || v->lsn || v->rto);
}
