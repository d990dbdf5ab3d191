/*
 * server_samples.c - rates and standbys of the server's samples; see
 * server_samples.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "server_samples.h"

#include <stdio.h>
#include <string.h>

/* A JSON string's text, "" for anything else. */
static const char *
str(const json_t *v)
{
	const char *s = json_string_value(v);

	return s ? s : "";
}

int
fp_ss_standby_names(const json_t *samples, const char **names, int max)
{
	size_t		i;
	json_t	   *s;
	int			n = 0;

	json_array_foreach(samples, i, s)
	{
		size_t		j;
		json_t	   *r;

		json_array_foreach(json_object_get(s, "replication"), j, r)
		{
			const char *name = json_string_value(json_object_get(r, "application_name"));
			bool		known = false;

			if (name == NULL)
				continue;
			for (int k = 0; k < n; k++)
				known = known || strcmp(names[k], name) == 0;
			if (!known && n < max)
				names[n++] = name;
		}
	}
	return n;
}

const json_t *
fp_ss_standby(const json_t *s, const char *name)
{
	size_t		i;
	json_t	   *r;

	json_array_foreach(json_object_get(s, "replication"), i, r)
		if (strcmp(str(json_object_get(r, "application_name")), name) == 0)
			return r;
	return NULL;
}

bool
fp_ss_parse_lsn(const json_t *v, uint64_t *lsn)
{
	unsigned int hi, lo;
	const char *s = json_string_value(v);

	if (s == NULL || sscanf(s, "%X/%X", &hi, &lo) != 2)
		return false;
	*lsn = ((uint64_t) hi << 32) | lo;
	return true;
}

/* (key now - key before) / dt into *out; false when there is no rate. */
static bool
counter_rate(const fp_ss_prev *p, const json_t *s, double dt, const char *key, double *out)
{
	const json_t *a = json_object_get(p->s, key);
	const json_t *b = json_object_get(s, key);

	if (!json_is_integer(a) || !json_is_integer(b) || json_integer_value(b) < json_integer_value(a))
		return false;
	*out = (json_integer_value(b) - json_integer_value(a)) / dt;
	return true;
}

void
fp_ss_step(fp_ss_prev *p, const json_t *s, fp_ss_rates *r)
{
	char		server[200];
	int64_t		t_us = json_integer_value(json_object_get(s, "t_us"));
	bool		ok = json_is_true(json_object_get(s, "ok"));
	uint64_t	la, lb;
	double		dt;

	memset(r, 0, sizeof(*r));
	/*
	 * One endpoint (a DNS name, a pooler, a virtual IP) may lead to another
	 * server after a failover: a new timeline or role is another server, so
	 * no rate is taken across the two servers' counters.
	 */
	snprintf(server, sizeof(server), "%s:%" JSON_INTEGER_FORMAT " tli %" JSON_INTEGER_FORMAT " %s",
			 str(json_object_get(s, "host")), json_integer_value(json_object_get(s, "port")),
			 json_integer_value(json_object_get(s, "tli")),
			 json_is_true(json_object_get(s, "in_recovery")) ? "standby" : "primary");
	if (p->valid && strcmp(p->server, server) != 0)
		p->valid = false;
	dt = p->valid ? (t_us - p->t_us) / 1e6 : 0;
	if (ok && dt > 0)
	{
		r->has_commits = counter_rate(p, s, dt, "xact_commit", &r->commits);
		r->has_rollbacks = counter_rate(p, s, dt, "xact_rollback", &r->rollbacks);
		if (fp_ss_parse_lsn(json_object_get(p->s, "wal_lsn"), &la) &&
			fp_ss_parse_lsn(json_object_get(s, "wal_lsn"), &lb) && lb >= la)
		{
			r->has_wal = true;
			r->wal_bytes = (lb - la) / dt;
		}
	}
	if (ok)
	{
		p->valid = true;
		snprintf(p->server, sizeof(p->server), "%s", server);
		p->t_us = t_us;
		p->s = s;
	}
}
