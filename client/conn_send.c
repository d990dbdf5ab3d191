/*
 * conn_send.c - sending a connection's writes (conn.h): build each INSERT
 * with its identity, digest and send time, send what is due, and with
 * --pipeline K group and cork what goes out together.
 *
 * Reading what became of them, connecting and reconnecting are conn.c's.
 */
#define _GNU_SOURCE

#include "conn.h"
#include "digest.h"

#include <endian.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static bool fp_sock_cork(int fd, bool on);

/* Decimal digits of v into buf (at least 21 bytes); returns buf. */
static char *
u64_text(char *buf, uint64_t v)
{
	char		tmp[21];
	int			n = 0;

	do
		tmp[n++] = (char) ('0' + v % 10);
	while ((v /= 10) != 0);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}


/* Hex of n bytes into dst (2n + 1 bytes). */
static void
to_hex(char *dst, const unsigned char *src, size_t n)
{
	static const char hexdigits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++)
	{
		dst[2 * i] = hexdigits[src[i] >> 4];
		dst[2 * i + 1] = hexdigits[src[i] & 15];
	}
	dst[2 * n] = '\0';
}

/* Wall-clock microseconds as decimal seconds, "s.uuuuuu", into buf (40 bytes). */
static void
seconds_text(char *buf, int64_t wall)
{
	size_t		n;
	int64_t		frac = wall % 1000000;

	u64_text(buf, (uint64_t) (wall / 1000000));
	n = strlen(buf);
	buf[n] = '.';
	for (int i = 6; i > 0; i--, frac /= 10)
		buf[n + i] = (char) ('0' + frac % 10);
	buf[n + 7] = '\0';
}

/* --protocol simple: the values spelled out in the query text. */
static int
send_simple(fp_conn *c, const unsigned char digest[FP_DIGEST_LEN], int64_t wall)
{
	fp_thread  *t = c->thread;
	size_t		npay = (size_t) t->run->cfg->payload_bytes;
	char		runid[24], worker[12], seq[24], sent[40];
	char		hex[2 * FP_DIGEST_LEN + 1];
	int			len;

	/* formatted by hand: snprintf was a visible part of the per-write cost */
	u64_text(runid, t->run->run_id);
	u64_text(worker, c->worker);
	u64_text(seq, c->next_seq);
	seconds_text(sent, wall);
	to_hex(hex, digest, FP_DIGEST_LEN);
	len = snprintf(t->sql, t->sqlsize,
				   "INSERT INTO %s (run_id, worker, seq, digest, sent_at%s) "
				   "VALUES (%s, %s, %s, '\\x%s', to_timestamp(%s)%s",
				   t->run->table, npay ? ", payload" : "", runid, worker, seq, hex, sent,
				   npay ? ", '\\x" : ")");
	if (npay)
	{
		to_hex(t->sql + len, t->payload, npay);
		memcpy(t->sql + len + 2 * npay, "')", 3);
	}
	if (c->pooled)				/* sqlsize leaves room for it beside the values */
		snprintf(t->sql + strlen(t->sql), t->sqlsize - strlen(t->sql), " RETURNING " FP_TLI_SQL);
	return PQsendQuery(c->pg, t->sql);
}

/*
 * The parameters' types, given rather than inferred so that the binary
 * values below are read by the right receive function whatever the table.
 * Their OIDs from pg_type.h, which is not among libpq's client headers.
 */
#define FP_INT8OID 20
#define FP_BYTEAOID 17
#define FP_FLOAT8OID 701
const Oid	fp_insert_types[4] = {FP_INT8OID, FP_BYTEAOID, FP_FLOAT8OID, FP_BYTEAOID};

/*
 * The connection's INSERT for the extended and prepared protocols: seq,
 * digest, sent_at (and payload) as parameters.  run_id and worker are the
 * same for every write of a connection, so they are written into the text
 * instead: libpq assembles three fields of every Bind message for each
 * parameter, and these two cost 0.2k instructions a write.  The server
 * stores the same bigint and integer either way.
 */
void
fp_conn_init_sql(fp_conn *c)
{
	const fp_run *run = c->thread->run;
	bool		payload = run->cfg->payload_bytes > 0;

	snprintf(c->insert_sql, sizeof(c->insert_sql),
			 "INSERT INTO %s (run_id, worker, seq, digest, sent_at%s) "
			 "VALUES (%" PRIu64 ", %" PRIu32 ", $1, $2, to_timestamp($3::float8)%s)",
			 run->table, payload ? ", payload" : "", run->run_id, c->worker,
			 payload ? ", $4" : "");
	snprintf(c->insert_tli_sql, sizeof(c->insert_tli_sql), "%s RETURNING " FP_TLI_SQL,
			 c->insert_sql);
	c->insert_nparams = payload ? 4 : 3;
}

/*
 * Wall-clock microseconds as float8 seconds in network byte order
 * (float8send).  It is the very double that float8in would make of the
 * text "s.uuuuuu": both are the correctly rounded quotient wall / 10^6
 * (wall is exact in a double), so sent_at is the same either way.
 */
static void
seconds_float8(unsigned char out[8], int64_t wall)
{
	double		secs = (double) wall / 1e6;
	uint64_t	bits;

	memcpy(&bits, &secs, sizeof(bits));
	bits = htobe64(bits);
	memcpy(out, &bits, sizeof(bits));
}

/*
 * --protocol extended or prepared: every value in binary.  The identity's
 * last 8 bytes are already int8send(seq), so nothing is formatted and
 * libpq measures no strings; text numbers cost about a tenth of the
 * client's own instructions per write.
 */
static int
send_binary(fp_conn *c, const unsigned char id[FP_IDENTITY_LEN],
			const unsigned char digest[FP_DIGEST_LEN], int64_t wall)
{
	fp_thread  *t = c->thread;
	unsigned char sent[8];
	const char *values[4] = {(const char *) id + 12, (const char *) digest,
	(const char *) sent, (const char *) t->payload};
	int			lengths[4] = {8, FP_DIGEST_LEN, 8, t->run->cfg->payload_bytes};
	static const int formats[4] = {1, 1, 1, 1};

	seconds_float8(sent, wall);
	if (t->run->cfg->protocol == FP_PROTO_EXTENDED)
		return PQsendQueryParams(c->pg, c->pooled ? c->insert_tli_sql : c->insert_sql,
								 c->insert_nparams, fp_insert_types, values, lengths, formats, 0);
	return PQsendQueryPrepared(c->pg, "fp_insert", c->insert_nparams, values, lengths, formats, 0);
}

static bool
send_write(fp_conn *c, int64_t sched, int64_t now)
{
	fp_thread  *t = c->thread;
	fp_run	   *run = t->run;
	unsigned char id[FP_IDENTITY_LEN];
	unsigned char digest[FP_DIGEST_LEN];
	int64_t		wall = fp_run_wall(run, now);
	int			ok;
	fp_inflight *w;

	fp_payload_fill(run->run_id, c->worker, c->next_seq, t->payload,
					(size_t) run->cfg->payload_bytes);
	fp_identity(run->run_id, c->worker, c->next_seq, id);
	if (fp_digest_identity(&t->digester, id, t->payload, (size_t) run->cfg->payload_bytes,
						   digest) != 0)
	{
		fp_conn_drop(c, now, "SHA-256 of the write failed (OpenSSL)", NULL);
		return false;
	}
	if (run->cfg->protocol == FP_PROTO_SIMPLE)
		ok = send_simple(c, digest, wall);
	else
		ok = send_binary(c, id, digest, wall);
	if (ok && c->pipeline_mode)
		ok = PQpipelineSync(c->pg);
	if (!ok)
	{
		fp_conn_drop(c, now, PQerrorMessage(c->pg), FP_SQLSTATE_LOST);
		return false;
	}

	w = &c->ring[(c->head + c->count) % c->cap];
	memset(w, 0, sizeof(*w));
	w->seq = c->next_seq;
	w->sched_mono = sched;
	w->sent_mono = now;
	c->count++;
	c->next_seq++;
	t->counts.sent++;
	t->interval_counts.sent++;
	fp_hist_record(&t->lag, (uint64_t) (now - sched));
	c->want_write = true;
	return true;
}

void
fp_conn_flush_output(fp_conn *c, int64_t now)
{
	int			r = PQflush(c->pg);

	if (r < 0)
		fp_conn_drop(c, now, PQerrorMessage(c->pg), FP_SQLSTATE_LOST);
	else
		c->want_write = (r == 1);
}

/* Whether at least two writes may be sent now. */
static bool
several_due(const fp_conn *c, int64_t now, int64_t end)
{
	if (c->scheduled == 0)
		return now < end;
	return c->next_due <= now && c->next_due < end && fp_conn_due(c, c->next_seq + 1) <= now;
}

void
fp_conn_send_due(fp_conn *c, int64_t now, int64_t end)
{
	int			depth = c->thread->run->cfg->pipeline;
	bool		corked = false;

	if (c->state != FP_CONN_READY)
		return;
	/* a server that refused a write as read-only gets no more: once the
	 * rejected ones are answered, conn.c leaves it to find the primary */
	if (c->read_only)
	{
		if (c->want_write)
			fp_conn_flush_output(c, now);
		return;
	}
	/*
	 * libpq 14-16 flushes at every PQpipelineSync, one send() per write.
	 * When several writes go out now, cork the socket so that the kernel
	 * carries them in one segment: the loopback/network transmit path, not
	 * the syscall, is most of a write's client CPU.
	 */
	if (c->pipeline_mode && depth - c->count >= 2 && several_due(c, now, end))
		corked = fp_sock_cork(PQsocket(c->pg), true);
	while (c->count < depth)
	{
		int64_t		due = c->scheduled ? c->next_due : now;

		if (due > now || due >= end)
			break;
		if (!send_write(c, due, now))
			return;
		if (c->scheduled)
			c->next_due = fp_conn_due(c, c->next_seq);
	}
	if (corked && c->pg)
		fp_sock_cork(PQsocket(c->pg), false);
	if (c->want_write)
		fp_conn_flush_output(c, now);
}

/* Set or clear TCP_CORK; false where it cannot be set (a Unix socket). */
static bool
fp_sock_cork(int fd, bool on)
{
	int			v = on;

	return fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, sizeof(v)) == 0;
}
