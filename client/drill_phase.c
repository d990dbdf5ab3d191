/*
 * drill_phase.c - the drill's progress and error lines.
 *
 * Phases go to stderr with the prefix "drill:", beside the run child's
 * own progress lines that pass through unchanged; stdout is kept for the
 * report, so that `failprobe drill > report.txt` captures just that.
 */
#define _POSIX_C_SOURCE 200809L

#include "drill_phase.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One whole line on stderr, flushed: the run child writes there too. */
static void
line(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
}

void
fp_phase(const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	line("drill: ", fmt, ap);
	va_end(ap);
}

void
fp_drill_error(const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	line("failprobe drill: ", fmt, ap);
	va_end(ap);
}

void
fp_phase_log_tail(const char *path, int n)
{
	char		lines[16][512];
	char		buf[512];
	int			count = 0;
	FILE	   *f = fopen(path, "r");

	if (f == NULL)
		return;
	if (n > 16)
		n = 16;
	while (fgets(buf, sizeof(buf), f) != NULL)
		snprintf(lines[count++ % n], sizeof(lines[0]), "%s", buf);
	fclose(f);
	for (int i = count > n ? count - n : 0; i < count; i++)
	{
		const char *l = lines[i % n];

		fprintf(stderr, "  | %s%s", l, l[0] && l[strlen(l) - 1] == '\n' ? "" : "\n");
	}
}
