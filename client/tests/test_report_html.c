/*
 * test_report_html.c - cmocka unit tests for what the report page is made
 * of: HTML escaping, connection strings without passwords, timestamps and
 * lists read from verify's JSON, and a whole page rendered from made-up
 * input that tries to smuggle markup and a password into it.
 */
#define _GNU_SOURCE

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_html.h"
#include "report_input.h"

static void
test_escape(void **state)
{
	char		out[256];
	size_t		n;

	(void) state;
	n = fp_html_escape("<script>alert(\"x&y\")</script>'", out, sizeof(out));
	assert_string_equal(out, "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;");
	assert_int_equal(n, strlen(out));
	/* control characters dropped, tab and newline kept */
	fp_html_escape("a\x01\x1b[31mb\tc\nd", out, sizeof(out));
	assert_string_equal(out, "a[31mb\tc\nd");
	/* valid UTF-8 kept, invalid bytes replaced by U+FFFD */
	fp_html_escape("caf\xc3\xa9 \xff\xc3(", out, sizeof(out));
	assert_string_equal(out, "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd(");
	/* like snprintf: cut to size, NUL-terminated, full length returned */
	n = fp_html_escape("<<<<", out, 6);
	assert_int_equal(n, 16);
	assert_string_equal(out, "&lt;&");
	assert_int_equal(fp_html_escape(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void
test_count_and_conninfo(void **state)
{
	char		buf[32];
	char	   *c;

	(void) state;
	fp_html_count(buf, sizeof(buf), 0);
	assert_string_equal(buf, "0");
	fp_html_count(buf, sizeof(buf), 999);
	assert_string_equal(buf, "999");
	fp_html_count(buf, sizeof(buf), 1234567);
	assert_string_equal(buf, "1,234,567");
	c = fp_html_safe_conninfo("host=a,b password=s3cret dbname=app");
	assert_null(strstr(c, "s3cret"));
	assert_null(strstr(c, "password"));
	assert_non_null(strstr(c, "dbname='app'"));
	free(c);
	c = fp_html_safe_conninfo("postgresql://u:pw0rd@h:5432/db");
	assert_null(strstr(c, "pw0rd"));
	free(c);
	c = fp_html_safe_conninfo("host='unterminated password=x");
	assert_null(strstr(c, "password"));
	free(c);
}

static void
test_parse_time(void **state)
{
	(void) state;
	/* 2024-05-01 12:00:00 UTC = 1714564800 */
	assert_int_equal(fp_rj_parse_time("2024-05-01 12:00:00.123456+00"), INT64_C(1714564800123456));
	assert_int_equal(fp_rj_parse_time("2024-05-01T12:00:00Z"), INT64_C(1714564800000000));
	assert_int_equal(fp_rj_parse_time("2024-05-01T14:30:00.5+02:30"), INT64_C(1714564800500000));
	assert_int_equal(fp_rj_parse_time("2024-05-01 07:00:00-0500"), INT64_C(1714564800000000));
	assert_int_equal(fp_rj_parse_time("2024-05-01T12:00:00"), INT64_C(1714564800000000));
	assert_int_equal(fp_rj_parse_time("1970-01-01T00:00:00.000001Z"), 1);
	assert_int_equal(fp_rj_parse_time("yesterday"), 0);
	assert_int_equal(fp_rj_parse_time("2024-13-01T00:00:00Z"), 0);
	assert_int_equal(fp_rj_parse_time("2024-05-01T12:00:00 junk"), 0);
	assert_int_equal(fp_rj_parse_time(NULL), 0);
}

static void
test_verify_json_lists(void **state)
{
	json_t	   *v = json_loads(
		"{\"acked_lost\": 3, \"rpo_ms\": 12.5,"
		" \"lost_ranges\": {\"writes\": 3, \"list\": [{\"worker\": 1, \"from\": 5, \"to\": 7}]},"
		" \"server\": {\"promotions\": ["
		"   {\"tli\": 2, \"promoted_at\": \"2020-01-01 00:00:00+00\"},"
		"   {\"tli\": 3, \"promoted_at\": \"2024-05-01 12:00:01.5+00\"}]}}", 0, NULL);
	json_t	   *w = json_loads("{\"lost_writes\": [{\"worker\": 2, \"seq\": 9}],"
							   " \"events\": [{\"kind\": \"promoted\", \"at\": \"2024-05-01T12:00:02Z\"}]}",
							   0, NULL);
	const char *key;
	const json_t *list;
	int64_t		from = INT64_C(1714564800000000);

	(void) state;
	list = fp_rj_lost_list(v, &key);
	assert_non_null(list);
	assert_string_equal(key, "lost_ranges");
	assert_int_equal(json_array_size(list), 1);
	/* the promotion inside the run, not the old one on the same server */
	assert_int_equal(fp_rj_promotion_us(v, from, from + 60000000), from + 1500000);
	assert_int_equal(fp_rj_promotion_us(v, from + 5000000, from + 60000000), 0);
	list = fp_rj_lost_list(w, &key);
	assert_non_null(list);
	assert_string_equal(key, "lost_writes");
	assert_int_equal(fp_rj_promotion_us(w, from, from + 60000000), from + 2000000);
	assert_null(fp_rj_lost_list(NULL, &key));
	json_decref(v);
	json_decref(w);
}

/* A page from made-up input: a failover, three lost writes, and hostile strings. */
static void
test_page(void **state)
{
	fp_report_input in = {0};
	const int64_t t0 = INT64_C(1714564800000000);
	char	   *page = NULL;
	size_t		len = 0;
	FILE	   *f;

	(void) state;
	in.ledger_path = "/tmp/<evil>.ledger";
	in.hdr.run_id = 77;
	in.hdr.start_us = t0;
	snprintf(in.hdr.meta, sizeof(in.hdr.meta),
			 "{\"mode\":\"extension\",\"table\":\"<script>alert(1)</script>\","
			 "\"conninfo\":\"host=a password=TopSecret\",\"password\":\"TopSecret\",\"rate\":2000}");
	in.meta = json_loads(in.hdr.meta, 0, NULL);
	in.verify = json_loads("{\"acked_lost\": 3, \"rpo_ms\": 12.5, \"corrupt\": 0,"
						   " \"note\": \"<img src=x onerror=alert(1)>\", \"db_password\": \"TopSecret\","
						   " \"verdict\": {\"why\": \"3 lost <x>\"},"
						   " \"lost_ranges\": {\"list\": [{\"worker\": 1, \"from\": 5, \"to\": 7,"
						   " \"first_at\": \"<b>bold</b>\"}]}}", 0, NULL);
	assert_non_null(in.meta);
	assert_non_null(in.verify);
	fp_rs_init(&in.series, t0);
	for (int i = 0; i < 5000; i++)
	{
		fp_record	r = {.seq = (uint64_t) i + 1, .worker = 0, .outcome = FP_OUT_ACKED};
		int64_t		due = t0 + (int64_t) i * 1000;

		if (i >= 2000 && i < 3000)
			continue;			/* the outage: 2 s to 3 s */
		r.scheduled_us = r.sent_us = due;
		r.done_us = due + 700;
		r.tli = i < 2000 ? 1 : 2;
		r.server = i < 2000 ? 1 : 2;
		fp_rs_add(&in.series, &r);
	}
	fp_rs_finish(&in.series);

	f = open_memstream(&page, &len);
	assert_int_equal(fp_html_page(f, &in), 0);
	fclose(f);
	assert_null(strstr(page, "TopSecret"));
	assert_null(strstr(page, "password"));
	assert_null(strstr(page, "<script>alert"));
	assert_null(strstr(page, "<img"));
	assert_null(strstr(page, "<b>bold"));
	assert_null(strstr(page, "<evil>"));
	assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(page, "&lt;b&gt;bold&lt;/b&gt;"));
	assert_non_null(strstr(page, "id=\"verdict\" class=\"verdict bad\"><b>3 acknowledged writes lost"));
	assert_non_null(strstr(page, "id=\"fig-lost\"><div class=\"v\">3<"));
	assert_non_null(strstr(page, "id=\"fig-rpo\"><div class=\"v\">12.5<"));
	/* RTO: last ack on timeline 1 at 1.999 s + 0.7 ms, first on 2 at 3.0 s + 0.7 ms */
	assert_non_null(strstr(page, "id=\"fig-rto\"><div class=\"v\">1001.0<"));
	assert_non_null(strstr(page, "id=\"fig-acked\" title=\"the server confirmed the commit\"><b>4,000<"));
	assert_non_null(strstr(page, "id=\"outage-band\""));
	assert_non_null(strstr(page, "id=\"promotion-mark\""));
	assert_non_null(strstr(page, "first ack on timeline 2"));
	assert_non_null(strstr(page, "id=\"lost-table\""));
	assert_non_null(strstr(page, "failprobe verify: 3 lost &lt;x&gt;</span>"));
	free(page);

	/* one lost write spans 0 ms, yet the RPO card must not look good */
	json_decref(in.verify);
	in.verify = json_loads("{\"acked_lost\": 1, \"rpo_ms\": 0, \"corrupt\": 0}", 0, NULL);
	f = open_memstream(&page, &len);
	assert_int_equal(fp_html_page(f, &in), 0);
	fclose(f);
	assert_non_null(strstr(page, "class=\"fig bad\" id=\"fig-lost\""));
	assert_non_null(strstr(page, "class=\"fig bad\" id=\"fig-rpo\""));
	free(page);
	fp_report_input_free(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_count_and_conninfo),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_verify_json_lists),
		cmocka_unit_test(test_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
