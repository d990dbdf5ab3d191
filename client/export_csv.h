/*
 * export_csv.h - writing CSV (RFC 4180) for `failprobe export`.
 *
 * Fields are written one by one into a row; a field that holds a comma, a
 * double quote, a CR or an LF is quoted and its quotes doubled, anything
 * else is written as it is.  Rows end with LF.  Nulls are empty fields.
 */
#ifndef FP_EXPORT_CSV_H
#define FP_EXPORT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct fp_csv
{
	FILE	   *f;
	int			col;			/* fields written in the current row */
} fp_csv;

/* Start writing CSV to f (not owned). */
void		fp_csv_init(fp_csv *c, FILE *f);

/* A text field, quoted when it needs to be; NULL is an empty field. */
void		fp_csv_text(fp_csv *c, const char *s);

/* A field of a whole number. */
void		fp_csv_int(fp_csv *c, int64_t v);

/* A field of a number with up to `decimals` decimals, trailing zeros kept
 * off (12.5, 3, 0.001). */
void		fp_csv_num(fp_csv *c, double v, int decimals);

/* An empty field. */
void		fp_csv_null(fp_csv *c);

/* End the row. */
void		fp_csv_end(fp_csv *c);

/* A header row from a NULL-terminated list of names. */
void		fp_csv_header(fp_csv *c, const char *const *names);

/*
 * An epoch-microsecond time as ISO 8601 UTC with microseconds
 * ("2024-05-01T12:00:00.123456Z"), into buf (at least 32 bytes).  Keeps the
 * last second it formatted, so a stream of nearby times is cheap; not
 * thread-safe (export is single-threaded).
 */
void		fp_csv_time(char *buf, int64_t us);

/* An LSN as PostgreSQL writes it: X/Y in upper-case hex. */
void		fp_csv_lsn(char *buf, size_t size, uint64_t lsn);

#endif
