/*
 * verify_ledger.c - checking and reading the ledgers (verify_ledger.h).
 */
#include "verify_ledger.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "digest.h"

/* The only tables verify reads: names from a file never reach SQL. */
static const struct
{
	const char *name;
	const char *sql;
}			known_tables[] = {
	{"failprobe.ledger", "\"failprobe\".\"ledger\""},
	{"failprobe_client.ledger", "\"failprobe_client\".\"ledger\""},
};

const char *
fpv_table_sql(const char *name)
{
	for (size_t i = 0; i < sizeof(known_tables) / sizeof(known_tables[0]); i++)
		if (strcmp(name, known_tables[i].name) == 0)
			return known_tables[i].sql;
	return NULL;
}

static void
copy_str(char *dst, size_t size, json_t *v, const char *dflt)
{
	snprintf(dst, size, "%s", json_is_string(v) ? json_string_value(v) : dflt);
}

static int
parse_meta(fpv_ledger *l, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t	   *m = json_loads(l->hdr.meta, 0, &jerr);
	json_t	   *pb;
	int			rc = 0;

	if (m == NULL || !json_is_object(m))
	{
		snprintf(err, errlen, "ledger %s: the header's options are not readable JSON; "
				 "the file is damaged", l->path);
		json_decref(m);
		return -1;
	}
	copy_str(l->table, sizeof(l->table), json_object_get(m, "table"), "");
	copy_str(l->mode, sizeof(l->mode), json_object_get(m, "mode"), "");
	copy_str(l->conninfo, sizeof(l->conninfo), json_object_get(m, "conninfo"), "");
	pb = json_object_get(m, "payload_bytes");
	l->payload_bytes = json_is_integer(pb) ? (int) json_integer_value(pb) : 0;
	if (fpv_table_sql(l->table) == NULL)
	{
		snprintf(err, errlen, "ledger %s names table '%s', not one failprobe writes "
				 "(failprobe.ledger or failprobe_client.ledger); the file is damaged or foreign",
				 l->path, l->table);
		rc = -1;
	}
	else if (l->payload_bytes < 0 || l->payload_bytes > FP_PAYLOAD_MAX)
	{
		snprintf(err, errlen, "ledger %s: payload_bytes %d is out of range; the file is damaged",
				 l->path, l->payload_bytes);
		rc = -1;
	}
	json_decref(m);
	return rc;
}

/* Whether ledger i is a file given before it (by another name, too). */
static bool
same_file(const fpv_ledger *lg, int i, char *err, size_t errlen)
{
	struct stat a, b;

	if (stat(lg[i].path, &b) != 0)
		return false;
	for (int k = 0; k < i; k++)
	{
		if (stat(lg[k].path, &a) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		{
			snprintf(err, errlen, "ledger %s is given twice (as %s too); give each client's ledger once",
					 lg[i].path, lg[k].path);
			return true;
		}
	}
	return false;
}

int
fpv_ledgers_check(fpv_ledger *lg, int n, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++)
	{
		fp_ledger_reader *rd = fp_ledger_open(lg[i].path, &lg[i].hdr, err, errlen);

		if (rd == NULL)
			return -1;
		fp_ledger_close_reader(rd);
		if (parse_meta(&lg[i], err, errlen) != 0)
			return -1;
		if (i == 0)
			continue;
		if (same_file(lg, i, err, errlen))
			return -1;
		if (lg[i].hdr.run_id != lg[0].hdr.run_id)
		{
			snprintf(err, errlen, "ledgers of different runs: %s is run %llu, %s is run %llu; "
					 "give only the ledgers of one run (one --run-id)",
					 lg[0].path, (unsigned long long) lg[0].hdr.run_id,
					 lg[i].path, (unsigned long long) lg[i].hdr.run_id);
			return -1;
		}
		if (strcmp(lg[i].table, lg[0].table) != 0)
		{
			snprintf(err, errlen, "ledgers of one run wrote to different tables (%s: %s, %s: %s)",
					 lg[0].path, lg[0].table, lg[i].path, lg[i].table);
			return -1;
		}
	}
	return 0;
}

/* The end of one file: clean, a truncated tail (noted), or damage. */
static int
end_of_file(fpv_ledger *l, fp_ledger_reader *rd, int rc, const char *msg,
			char *err, size_t errlen)
{
	if (rc == 0)
		return 0;
	if (!fp_ledger_truncated(rd))
	{
		snprintf(err, errlen, "ledger %s is damaged: %s; it cannot be verified (inspect it "
				 "with 'failprobe inspect')", l->path, msg);
		return -1;
	}
	l->truncated = true;
	snprintf(l->tail, sizeof(l->tail), "%s", msg);
	return 0;
}

static int
read_one(fpv_ledger *l, int idx, fpv_recon *r, bool second, char *err, size_t errlen)
{
	fp_ledger_header hdr;
	fp_ledger_reader *rd = fp_ledger_open(l->path, &hdr, err, errlen);
	fp_record	rec;
	char		msg[256] = "";
	uint64_t	n = 0;
	int			rc;

	if (rd == NULL)
		return -1;
	while ((rc = fp_ledger_next(rd, &rec, msg, sizeof(msg))) == 1)
	{
		n++;
		if (second)
			fpv_recon_second(r, &rec);
		else if (fpv_recon_first(r, &rec, idx, msg, sizeof(msg)) != 0)
		{
			snprintf(err, errlen, "ledger %s, record %llu: %s", l->path,
					 (unsigned long long) n, msg);
			fp_ledger_close_reader(rd);
			return -1;
		}
	}
	rc = end_of_file(l, rd, rc, msg, err, errlen);
	fp_ledger_close_reader(rd);
	if (rc == 0 && second && n != l->records)
	{
		snprintf(err, errlen, "ledger %s changed while it was verified (%llu records, then %llu); "
				 "verify a run after it has ended", l->path,
				 (unsigned long long) l->records, (unsigned long long) n);
		return -1;
	}
	l->records = n;
	return rc;
}

int
fpv_ledgers_read(fpv_ledger *lg, int n, fpv_recon *r, bool second, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++)
	{
		if (!second)
			r->payload_bytes[i] = lg[i].payload_bytes;
		if (read_one(&lg[i], i, r, second, err, errlen) != 0)
			return -1;
		r->truncated = r->truncated || lg[i].truncated;
		r->ledger_truncated[i] = lg[i].truncated;
	}
	return 0;
}
