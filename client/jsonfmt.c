/*
 * jsonfmt.c - the client's figures as JSON values; see jsonfmt.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "jsonfmt.h"

#include <errno.h>

#include "timefmt.h"

json_t *
fp_json_time(int64_t us)
{
	char		buf[40];

	if (us == 0)
		return json_null();
	fp_time_iso(buf, sizeof(buf), us);
	return json_string(buf);
}

json_t *
fp_json_ms(double ms)
{
	return ms >= 0 ? json_real(ms) : json_null();
}

json_t *
fp_json_outage(const fp_outage *o, bool servers)
{
	json_t	   *j = json_pack("{s:o,s:o,s:o,s:o,s:o}",
							  "first_problem_at", fp_json_time(o->first_problem),
							  "last_ack_before_at", fp_json_time(o->last_ack_before),
							  "first_ack_after_at", fp_json_time(o->first_ack_after),
							  "detection_ms", fp_json_ms(fp_outage_detection_ms(o)),
							  "rto_ms", fp_json_ms(fp_outage_rto_ms(o)));

	if (j == NULL)
		return NULL;
	if (servers)
	{
		json_object_set_new(j, "server_before", json_integer(o->server_before));
		json_object_set_new(j, "server_after", json_integer(o->server_after));
	}
	json_object_set_new(j, "tli_before", json_integer(o->tli_before));
	json_object_set_new(j, "tli_after", json_integer(o->tli_after));
	return j;
}

int
fp_json_write(json_t *root, const char *path)
{
	int			rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_SORT_KEYS |
									JSON_REAL_PRECISION(12));
	int			saved = errno;	/* the caller names the failure */

	json_decref(root);
	errno = rc == 0 ? 0 : (saved ? saved : EIO);
	return rc == 0 ? 0 : -1;
}
