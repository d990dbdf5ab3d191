/*
 * export_writes.c - one CSV row per ledger record (export_writes.h).
 *
 * Times are given twice, as ISO 8601 for people and as epoch microseconds
 * for scripts; what a record does not know (a missed write's send time, an
 * unknown commit LSN, timeline or server) is an empty field, not a zero.
 */
#include "export_writes.h"

#include <string.h>

static const char *const columns[] = {
	"worker", "seq", "outcome", "scheduled_at", "scheduled_us", "sent_at", "sent_us",
	"done_at", "done_us", "latency_ms", "commit_lsn", "tli", "server", "sqlstate",
	"commit_at", "commit_us", NULL
};

const char *
fp_outcome_name(int outcome)
{
	switch (outcome)
	{
		case FP_OUT_ACKED: return "acked";
		case FP_OUT_FAILED: return "failed";
		case FP_OUT_IN_DOUBT: return "in_doubt";
		case FP_OUT_MISSED: return "missed";
	}
	return "unknown";
}

void
fp_writes_header(fp_csv *c)
{
	fp_csv_header(c, columns);
}

/* A time as two fields: ISO and microseconds; both empty when 0. */
static void
time_fields(fp_csv *c, int64_t us)
{
	char		buf[32];

	if (us == 0)
	{
		fp_csv_null(c);
		fp_csv_null(c);
		return;
	}
	fp_csv_time(buf, us);
	fp_csv_text(c, buf);
	fp_csv_int(c, us);
}

static void
int_or_null(fp_csv *c, uint64_t v)
{
	if (v == 0)
		fp_csv_null(c);
	else
		fp_csv_int(c, (int64_t) v);
}

void
fp_writes_row(fp_csv *c, const fp_record *rec)
{
	char		buf[32];
	bool		sent = rec->outcome != FP_OUT_MISSED;

	fp_csv_int(c, rec->worker);
	fp_csv_int(c, (int64_t) rec->seq);
	fp_csv_text(c, fp_outcome_name(rec->outcome));
	time_fields(c, rec->scheduled_us);
	time_fields(c, rec->sent_us);
	time_fields(c, rec->done_us);
	if (sent && rec->done_us >= rec->scheduled_us)
		fp_csv_num(c, (rec->done_us - rec->scheduled_us) / 1000.0, 3);
	else
		fp_csv_null(c);
	if (rec->commit_lsn)
	{
		fp_csv_lsn(buf, sizeof(buf), rec->commit_lsn);
		fp_csv_text(c, buf);
	}
	else
		fp_csv_null(c);
	int_or_null(c, rec->tli);
	int_or_null(c, rec->server);
	if (rec->sqlstate[0])
	{
		memcpy(buf, rec->sqlstate, 5);
		buf[5] = '\0';
		fp_csv_text(c, buf);
	}
	else
		fp_csv_null(c);
	time_fields(c, fp_record_commit_us(rec));
	fp_csv_end(c);
}
