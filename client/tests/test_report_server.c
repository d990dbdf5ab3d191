/*
 * test_report_server.c - cmocka unit tests for the server's view on the
 * report page: samples read from a JSON-lines file (damaged lines skipped
 * and counted, a torn tail, a missing or unreadable file), their times put
 * on the ledger's axis, the commit rates across a failover and a counter
 * reset, standby lag, the bins of a long run, the common time span, and the
 * charts and #fp-data of a page (one marker per sample, hostile names and
 * errors escaped), and the page without samples.
 */
#define _GNU_SOURCE

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_html.h"
#include "report_input.h"
#include "report_server.h"
#include "report_svg.h"
#include "report_svg_server.h"

#define T0 INT64_C(1714564800000000)	/* the ledger's start */

/* A good sample of host:port at T0 + ms, with a standby row when lag_ms >= 0. */
static char *
good(int ms, int port, long commits, double lag_ms, const char *standby)
{
	char	   *s = NULL;
	char		rep[256] = "[]";

	if (lag_ms >= 0)
		snprintf(rep, sizeof(rep), "[{\"application_name\":\"%s\",\"state\":\"streaming\","
				 "\"replay_lag_ms\":%g,\"lag_bytes\":%d}]", standby, lag_ms, (int) (lag_ms * 100));
	if (asprintf(&s, "{\"t_us\":%lld,\"ok\":true,\"error\":null,\"host\":\"db\",\"port\":%d,"
				 "\"in_recovery\":false,\"tli\":%d,\"xact_commit\":%ld,\"xact_rollback\":0,"
				 "\"wal_lsn\":\"0/1000\",\"replication\":%s}",
				 (long long) (T0 + ms * INT64_C(1000)), port, port == 5432 ? 1 : 2, commits, rep) < 0)
		abort();
	return s;
}

static char *
failed(int ms, const char *why)
{
	char	   *s = NULL;

	if (asprintf(&s, "{\"t_us\":%lld,\"ok\":false,\"error\":\"%s\",\"host\":null,\"port\":null}",
				 (long long) (T0 + ms * INT64_C(1000)), why) < 0)
		abort();
	return s;
}

/* A failover: 4 samples of the primary (with a standby), 2 failed, then 3
 * of the promoted node whose counter starts low; lines end in newlines. */
static char *
failover_lines(void)
{
	char	   *l[] = {
		good(0, 5432, 1000, 0.5, "standby<b>"),
		good(1000, 5432, 1500, 0.75, "standby<b>"),
		good(2000, 5432, 2100, 1.0, "standby<b>"),
		good(3000, 5432, 2000, 2.0, "standby<b>"),	/* went backwards: no rate */
		failed(4000, "connection refused </script>"),
		failed(5000, "connecting"),
		good(6000, 5433, 10, -1, NULL),
		good(7000, 5433, 510, -1, NULL),
		good(8500, 5433, 1260, -1, NULL),
	};
	size_t		len = 0;
	char	   *all;

	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		len += strlen(l[i]) + 1;
	all = calloc(1, len + 1);
	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++)
	{
		strcat(all, l[i]);
		strcat(all, "\n");
		free(l[i]);
	}
	return all;
}

static char *
write_temp(const char *text)
{
	char	   *path = strdup("/tmp/test_report_server.XXXXXX");
	int			fd = mkstemp(path);
	FILE	   *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

/* Times, rates, failures and lag from the samples of a failover. */
static void
test_points(void **state)
{
	char	   *text = failover_lines();
	char	   *path = write_temp(text);
	fp_rserver	sv = {0};
	char		err[256];

	(void) state;
	assert_int_equal(fp_rsv_load(&sv, path, false, T0, err, sizeof(err)), 0);
	assert_int_equal(sv.state, FP_RSV_READ);
	assert_int_equal(sv.n, 9);
	assert_int_equal(sv.failed, 2);
	assert_int_equal(sv.skipped, 0);
	assert_false(sv.torn);
	/* seconds since the ledger's start, as export lines them up */
	assert_true(fabs(sv.pts[0].t - 0.0) < 1e-9);
	assert_true(fabs(sv.pts[8].t - 8.5) < 1e-9);
	/* rates: none for the first sample, 500/s, 600/s, none after a reset,
	 * none for failed samples and the first sample of the promoted node */
	assert_true(isnan(sv.pts[0].commits));
	assert_true(fabs(sv.pts[1].commits - 500) < 1e-9);
	assert_true(fabs(sv.pts[2].commits - 600) < 1e-9);
	assert_true(isnan(sv.pts[3].commits));
	assert_true(isnan(sv.pts[4].commits) && isnan(sv.pts[5].commits) && isnan(sv.pts[6].commits));
	assert_true(fabs(sv.pts[7].commits - 500) < 1e-9);
	assert_true(fabs(sv.pts[8].commits - 500) < 1e-9);	/* 750 in 1.5 s */
	assert_true(sv.has_commits);
	/* failed samples: their reason; timelines of the good ones */
	assert_int_equal(sv.pts[4].failed, 1);
	assert_string_equal(sv.pts[4].error, "connection refused </script>");
	assert_null(sv.pts[3].error);
	assert_int_equal(sv.pts[0].tli, 1);
	assert_int_equal(sv.pts[7].tli, 2);
	assert_int_equal(sv.pts[4].tli, 0);
	/* the standby's lag while the old primary reports it, then none */
	assert_int_equal(sv.nstandby, 1);
	assert_string_equal(sv.standby[0], "standby<b>");
	assert_true(fabs(sv.pts[3].lag_ms[0] - 2.0) < 1e-9);
	assert_true(fabs(sv.pts[1].lag_bytes[0] - 75) < 1e-9);
	assert_true(isnan(sv.pts[4].lag_ms[0]) && isnan(sv.pts[6].lag_ms[0]));
	assert_true(isnan(sv.pts[0].lag_ms[1]));
	assert_true(sv.has_lag_ms && sv.has_lag_bytes);
	assert_true(fabs(fp_rsv_last_t(&sv) - 8.5) < 1e-9);
	fp_rsv_free(&sv);
	unlink(path);
	free(path);
	free(text);
}

/* One endpoint (a pooler, a DNS name) on another timeline after a
 * switchover: another server, whose counters give no rate with the first's. */
static void
test_same_endpoint(void **state)
{
	char		text[1024];
	char	   *path;
	fp_rserver	sv = {0};
	char		err[256];
	static const char *fmt = "{\"t_us\":%lld,\"ok\":true,\"error\":null,\"host\":\"db\",\"port\":6432,"
		"\"in_recovery\":false,\"tli\":%d,\"xact_commit\":%ld,\"xact_rollback\":0,"
		"\"wal_lsn\":\"0/1000\",\"replication\":[]}\n";
	int			n = 0;

	(void) state;
	n += snprintf(text + n, sizeof(text) - n, fmt, (long long) T0, 1, 300000L);
	n += snprintf(text + n, sizeof(text) - n, fmt, (long long) (T0 + 1000000), 2, 5000000L);
	snprintf(text + n, sizeof(text) - n, fmt, (long long) (T0 + 2000000), 2, 5000400L);
	path = write_temp(text);
	assert_int_equal(fp_rsv_load(&sv, path, false, T0, err, sizeof(err)), 0);
	assert_int_equal(sv.n, 3);
	assert_true(isnan(sv.pts[1].commits));
	assert_true(fabs(sv.pts[2].commits - 400) < 1e-9);
	fp_rsv_free(&sv);
	unlink(path);
	free(path);
}

/* A damaged line is skipped and counted, a torn last line left out. */
static void
test_damaged(void **state)
{
	char	   *text = failover_lines();
	char	   *bad = NULL;
	char	   *path;
	fp_rserver	sv = {0};
	char		err[256];
	char	   *cut = strchr(strchr(text, '\n') + 1, '\n') + 1;	/* after line 2 */

	(void) state;
	assert_true(asprintf(&bad, "%.*s{\"t_us\": 12, \"ok\": tru\n\n[1,2]\n%s{\"t_us\":", (int) (cut - text), text, cut) > 0);
	path = write_temp(bad);
	assert_int_equal(fp_rsv_load(&sv, path, true, T0, err, sizeof(err)), 0);
	assert_int_equal(sv.n, 9);
	assert_int_equal(sv.skipped, 2);
	assert_true(sv.torn);
	assert_non_null(strstr(sv.note, "line 3 is not a JSON object"));
	/* the rate after the damage is still against the sample before it */
	assert_true(fabs(sv.pts[2].commits - 600) < 1e-9);
	fp_rsv_free(&sv);
	unlink(path);
	free(path);
	free(bad);
	free(text);
}

/* The default file missing is no error; a named one is; unreadable. */
static void
test_missing(void **state)
{
	fp_rserver	sv = {0};
	char		err[512] = "";
	char		dir[] = "/tmp/test_report_server_dir.XXXXXX";

	(void) state;
	assert_int_equal(fp_rsv_load(&sv, "/nonexistent/x.ledger.server.jsonl", false, T0, err, sizeof(err)), 0);
	assert_int_equal(sv.state, FP_RSV_NONE);
	assert_int_equal(sv.n, 0);
	fp_rsv_free(&sv);
	memset(&sv, 0, sizeof(sv));
	assert_int_equal(fp_rsv_load(&sv, "/nonexistent/x.jsonl", true, T0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/x.jsonl"));
	assert_non_null(strstr(err, "--server-metrics"));
	assert_null(strchr(err, '\n'));
	fp_rsv_free(&sv);
	memset(&sv, 0, sizeof(sv));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(fp_rsv_load(&sv, dir, false, T0, err, sizeof(err)), 0);
	assert_int_equal(sv.state, FP_RSV_UNREADABLE);
	assert_non_null(strstr(sv.note, dir));
	fp_rsv_free(&sv);
	rmdir(dir);
}

/* Bins of a long run: commits averaged, lag the highest, failures added. */
static void
test_bins(void **state)
{
	char	   *text = failover_lines();
	char	   *path = write_temp(text);
	fp_rserver	sv = {0};
	fp_rsv_point *b;
	char		err[256];
	int			n;

	(void) state;
	assert_int_equal(fp_rsv_load(&sv, path, false, T0, err, sizeof(err)), 0);
	b = fp_rsv_bins(&sv, 1, &n);
	assert_int_equal(n, 9);
	assert_true(fabs(b[8].t - 8.5) < 1e-9);
	free(b);
	b = fp_rsv_bins(&sv, 3, &n);
	/* [0,3): 3 samples, rates 500 and 600; [3,6): reset + 2 failed; [6,9): 3 */
	assert_int_equal(n, 3);
	assert_true(fabs(b[0].t - 1.5) < 1e-9);
	assert_int_equal(b[0].samples, 3);
	assert_true(fabs(b[0].commits - 550) < 1e-9);
	assert_true(fabs(b[0].lag_ms[0] - 1.0) < 1e-9);
	assert_int_equal(b[1].samples, 3);
	assert_int_equal(b[1].failed, 2);
	assert_true(isnan(b[1].commits));
	assert_true(fabs(b[1].lag_ms[0] - 2.0) < 1e-9);
	assert_string_equal(b[1].error, "connection refused </script>");
	assert_true(fabs(b[2].commits - 500) < 1e-9);
	assert_true(isnan(b[2].lag_ms[0]));
	free(b);
	/* a bin without samples is left out */
	sv.pts[8].t = 20;
	b = fp_rsv_bins(&sv, 3, &n);
	assert_int_equal(n, 4);
	assert_true(fabs(b[3].t - 19.5) < 1e-9);
	free(b);
	fp_rsv_free(&sv);
	unlink(path);
	free(path);
	free(text);
}

/* The charts span the ledger's bins, or the samples when they go on. */
static void
test_span(void **state)
{
	(void) state;
	assert_true(fabs(fp_svg_span(10, 1, 9.5) - 10) < 1e-9);
	assert_true(fabs(fp_svg_span(10, 1, 10.2) - 11) < 1e-9);
	assert_true(fabs(fp_svg_span(100, 5, 503) - 505) < 1e-9);
	assert_true(fabs(fp_svg_span(0, 1, 0) - 1) < 1e-9);
}

/* JSON strings that are safe inside <script>, whatever the input. */
static void
test_json_string(void **state)
{
	char	   *out = NULL;
	size_t		len = 0;
	FILE	   *f = open_memstream(&out, &len);

	(void) state;
	fp_svg_json_string(f, "</script><!-- a&b \"q\" caf\xc3\xa9");
	fputc('|', f);
	fp_svg_json_string(f, "bad \xff byte");
	fputc('|', f);
	fp_svg_json_string(f, NULL);
	fclose(f);
	assert_string_equal(out, "\"\\u003c/script\\u003e\\u003c!-- a\\u0026b \\\"q\\\" caf\\u00E9\"|"
						"\"bad ? byte\"|\"\"");
	free(out);
}

static int
count(const char *hay, const char *needle)
{
	int			n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* A page with a failover in the ledger and the server's samples. */
static char *
page_with(fp_rsv_state state, const char *samples_path)
{
	fp_report_input in = {0};
	char	   *page = NULL;
	size_t		len = 0;
	char		err[256];
	FILE	   *f;

	in.ledger_path = "/tmp/run.ledger";
	in.hdr.run_id = 1;
	in.hdr.start_us = T0;
	fp_rs_init(&in.series, T0);
	for (int i = 0; i < 9000; i++)
	{
		fp_record	r = {.seq = (uint64_t) i + 1, .outcome = FP_OUT_ACKED};
		int64_t		due = T0 + (int64_t) i * 1000;

		if (i >= 3500 && i < 6000)
			continue;			/* the outage: 3.5 s to 6 s */
		r.scheduled_us = r.sent_us = due;
		r.done_us = due + 700;
		r.tli = i < 3500 ? 1 : 2;
		r.server = r.tli;
		fp_rs_add(&in.series, &r);
	}
	fp_rs_finish(&in.series);
	if (samples_path)
		assert_int_equal(fp_rsv_load(&in.server, samples_path, false, T0, err, sizeof(err)), 0);
	else
		in.server.state = state;
	snprintf(in.server.path, sizeof(in.server.path), "%s", samples_path ? samples_path : "/tmp/run.ledger.server.jsonl");
	f = open_memstream(&page, &len);
	assert_int_equal(fp_html_page(f, &in), 0);
	fclose(f);
	fp_report_input_free(&in);
	return page;
}

static void
test_page(void **state)
{
	char	   *text = failover_lines();
	char	   *path = write_temp(text);
	char	   *page = page_with(FP_RSV_READ, path);
	const char *chart = strstr(page, "id=\"server-chart\"");
	const char *lag = strstr(page, "id=\"lag-chart\"");
	const char *data = strstr(page, "id=\"fp-data\"");
	char	   *server_chart;

	(void) state;
	assert_non_null(chart);
	assert_non_null(lag);
	assert_non_null(data);
	assert_null(strstr(page, "id=\"server-none\""));
	/* one marker per sample in the commits chart: 7 dots, 2 crosses */
	server_chart = strndup(chart, (size_t) (lag - chart));
	assert_int_equal(count(server_chart, "class=\"sample "), 9);
	assert_int_equal(count(server_chart, "class=\"sample failed\""), 2);
	assert_int_equal(count(server_chart, "class=\"sample ok norate\""), 3);
	assert_non_null(strstr(server_chart, "<path class=\"series-commits\" d=\"M"));
	assert_non_null(strstr(server_chart, "<path class=\"series-client-acks\" d=\"M"));
	/* the outage band and the promotion on the server's charts too */
	assert_non_null(strstr(server_chart, "class=\"outage-band\""));
	assert_non_null(strstr(server_chart, "class=\"promotion\""));
	free(server_chart);
	assert_non_null(strstr(lag, "id=\"lag-chart\" data-unit=\"ms\""));
	assert_non_null(strstr(lag, "<path class=\"series-lag lag-0\" data-standby=\"standby&lt;b&gt;\" d=\"M"));
	assert_int_equal(count(lag, "<circle cx="), 4);	/* a dot per lag value */
	assert_int_equal(count(lag, "class=\"sample failed\""), 2 + 0);
	assert_null(strstr(page, "standby<b>"));
	/* the data: every sample, seconds since the start, the lag until the failover */
	assert_non_null(strstr(data, "\"server\":{\"samples\":9,\"failed_samples\":2,\"skipped_lines\":0,"
						   "\"torn\":false,\"points\":9,\"lag_unit\":\"ms\",\"t\":[0.000,1.000,2.000,3.000,4.000,5.000,6.000,7.000,8.500]"));
	assert_non_null(strstr(data, "\"commits\":[null,500.0,600.0,null,null,null,null,500.0,500.0]"));
	assert_non_null(strstr(data, "\"name\":\"standby\\u003cb\\u003e\",\"lag_ms\":[0.5,0.75,1,2,null,"));
	assert_non_null(strstr(data, "connection refused \\u003c/script\\u003e"));
	assert_int_equal(count(page, "</script>"), 2);	/* #fp-data's and the page script's */
	assert_non_null(strstr(data, "\"outage\":[3.50"));
	assert_non_null(strstr(data, "\"span_s\":9,"));
	free(page);
	unlink(path);
	free(path);
	free(text);
}

static void
test_page_without(void **state)
{
	char	   *page = page_with(FP_RSV_NONE, NULL);

	(void) state;
	assert_non_null(strstr(page, "id=\"server-none\"><b>No server metrics</b>: <code>/tmp/run.ledger.server.jsonl</code> is not there"));
	assert_null(strstr(page, "id=\"server-chart\""));
	assert_non_null(strstr(page, "\"server\":null"));
	free(page);
	page = page_with(FP_RSV_OFF, NULL);
	assert_non_null(strstr(page, "<b>No server metrics</b>: left out (<code>--no-server-metrics</code>)"));
	free(page);
}

/* Lag in bytes when more samples have it in bytes than in ms (replay_lag
 * is null while a standby is caught up); no lag at all: a note. */
static void
test_lag_unit(void **state)
{
	json_t	   *samples = json_loads(
		"[{\"t_us\":1714564800000000,\"ok\":true,\"host\":\"a\",\"port\":1,\"replication\":"
		"  [{\"application_name\":\"s1\",\"replay_lag_ms\":0.04,\"lag_bytes\":0}]},"
		" {\"t_us\":1714564801000000,\"ok\":true,\"host\":\"a\",\"port\":1,\"replication\":"
		"  [{\"application_name\":\"s1\",\"replay_lag_ms\":null,\"lag_bytes\":2500}]},"
		" {\"t_us\":1714564802000000,\"ok\":true,\"host\":\"a\",\"port\":1,\"replication\":"
		"  [{\"application_name\":\"s1\",\"replay_lag_ms\":null,\"lag_bytes\":0}]}]", 0, NULL);
	fp_rserver	sv = {0};
	fp_svg_server view;
	fp_marks	m = {0};
	char	   *out = NULL;
	size_t		len = 0;
	FILE	   *f;

	(void) state;
	assert_non_null(samples);
	assert_int_equal(fp_rsv_from_samples(&sv, samples, T0), 0);
	view = (fp_svg_server) {.sv = &sv, .pts = sv.pts, .n = sv.n};
	f = open_memstream(&out, &len);
	fp_svg_server_charts(f, &view, NULL, 0, 1, 3, &m);
	fclose(f);
	assert_non_null(strstr(out, "id=\"lag-chart\" data-unit=\"bytes\""));
	assert_non_null(strstr(out, ">2.5 kB</text>"));	/* the top of the y axis */
	assert_int_equal(count(out, "<circle cx="), 3);
	free(out);
	fp_rsv_free(&sv);
	json_decref(samples);

	/* the same samples without replication rows: no lag chart, a note */
	samples = json_loads("[{\"t_us\":1714564800000000,\"ok\":true,\"replication\":[]}]", 0, NULL);
	memset(&sv, 0, sizeof(sv));
	assert_int_equal(fp_rsv_from_samples(&sv, samples, T0), 0);
	view = (fp_svg_server) {.sv = &sv, .pts = sv.pts, .n = sv.n};
	out = NULL;
	f = open_memstream(&out, &len);
	fp_svg_server_charts(f, &view, NULL, 0, 1, 3, &m);
	fclose(f);
	assert_non_null(strstr(out, "id=\"server-chart\""));
	assert_non_null(strstr(out, "id=\"lag-none\""));
	assert_null(strstr(out, "id=\"lag-chart\""));
	free(out);
	fp_rsv_free(&sv);
	json_decref(samples);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_same_endpoint),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_bins),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_page_without),
		cmocka_unit_test(test_lag_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
