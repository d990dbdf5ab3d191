/*
 * drill_phase.h - the drill's progress lines on stderr.
 */
#ifndef FP_DRILL_PHASE_H
#define FP_DRILL_PHASE_H

/* "drill: <message>" on stderr, at once (the run's own progress lines
 * interleave with these). */
void		fp_phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A one-line error: "failprobe drill: <message>" on stderr. */
void		fp_drill_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last n lines of a log file to stderr, indented, to show why a
 * PostgreSQL program failed before the directory is removed. */
void		fp_phase_log_tail(const char *path, int n);

#endif
