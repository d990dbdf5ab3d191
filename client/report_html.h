/*
 * report_html.h - writing the report page: HTML escaping, and the page
 * itself (report_html.c: head, verdict, figures, charts; report_tables.c:
 * the tables under them).
 *
 * Everything that comes from outside the program (JSON values, the ledger
 * header, file names) goes through fp_html_puts(), which escapes it; only
 * text written in this program is put into the page as it is.
 */
#ifndef FP_REPORT_HTML_H
#define FP_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "report_input.h"

/*
 * s escaped for HTML text and attribute values (& < > " '), control
 * characters other than tab and newline dropped, bytes that are not valid
 * UTF-8 replaced by U+FFFD.  Writes at most size - 1 bytes and a NUL, like
 * snprintf; returns the length the whole result needs.
 */
size_t		fp_html_escape(const char *s, char *out, size_t size);

/* fp_html_escape(s) written to f; NULL writes nothing. */
void		fp_html_puts(FILE *f, const char *s);

/* An integer with thousands separators: 1234567 -> "1,234,567". */
void		fp_html_count(char *buf, size_t size, unsigned long long v);

/* The whole page.  Returns 0, or -1 when writing to f failed. */
int			fp_html_page(FILE *f, const fp_report_input *in);

/* The tables under the charts (report_tables.c). */
void		fp_html_tables(FILE *f, const fp_report_input *in);

/*
 * A connection string fit to show: parsed and rebuilt without its password
 * (fp_conninfo_masked); "(not shown)" when it does not parse.  malloc'd.
 */
char	   *fp_html_safe_conninfo(const char *conninfo);

#endif
