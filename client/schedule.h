/*
 * schedule.h - when each write is due, for an open-loop rate that may change
 * from stage to stage.
 *
 * The run's rate is a function of time, piecewise linear: a list of stages,
 * each a duration and a rate at its start and its end (equal for a steady
 * stage, different for a ramp).  Writes are numbered across the whole run,
 * 0, 1, 2, ...; write x is due when the integral of the rate reaches x.  The
 * N connections share them round robin, so together they send one write
 * every 1/R seconds rather than N at once, whatever R does.  A due time is
 * computed from the write's number, never by adding intervals one after the
 * other, so rounding cannot drift over a long run, and a stage change never
 * stalls or bunches the schedule: it stays open-loop throughout.
 *
 * With a burst B > 1 (pipelined runs), a connection's writes come due B at
 * a time: group g of connection i is run-wide group g * N + i, due when
 * write (g * N + i) * B is.  The same rate, in groups that one send() carries
 * together, which is where pipelining saves the client's CPU at a fixed
 * rate.  Latency is still measured from each write's due time, the group's.
 */
#ifndef FP_SCHEDULE_H
#define FP_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#define FP_MAX_STAGES 64

/* One stage: 'duration_s' seconds, the rate going linearly from 'from' to 'to'. */
typedef struct fp_stage
{
	double		duration_s;
	double		from;			/* writes per second at the stage's start, > 0 */
	double		to;				/* ... and at its end, > 0 */
} fp_stage;

typedef struct fp_schedule
{
	int			nstages;
	fp_stage	stages[FP_MAX_STAGES];
	double		start_us[FP_MAX_STAGES + 1];	/* offset of each stage; [n] = end */
	double		start_writes[FP_MAX_STAGES + 1];	/* writes due before it */
	int			clients;
	int			burst;
} fp_schedule;

/* Build a schedule; 0, or -1 with err filled (no stages, a rate <= 0, ...). */
int			fp_schedule_init(fp_schedule *s, const fp_stage *stages, int n,
							 int clients, int burst, char *err, size_t errlen);

/*
 * Microseconds after the start at which write seq (from 1) of the run's
 * index-th connection (from 0, whatever its worker number) is due;
 * INT64_MAX when the schedule ends first.
 */
int64_t		fp_schedule_due_us(const fp_schedule *s, int index, uint64_t seq);

/*
 * The writes due, in all, by offset t_us: the integral of the rate (0
 * before the start, every write of the schedule past its end).
 */
double		fp_schedule_writes_by(const fp_schedule *s, double t_us);

/* The stage that offset t_us falls in (0 .. n-1; n-1 past the end). */
int			fp_schedule_stage_at(const fp_schedule *s, double t_us);

/* Total length in seconds. */
double		fp_schedule_seconds(const fp_schedule *s);

/* The longest run, in seconds: --duration's limit, and the stages' in all. */
#define FP_STAGES_MAX_S (31 * 86400)

/*
 * Parse stages written as "30s@1000,60s@1000-8000,2m@8000": a duration
 * (a number with s, m or ms; a bare number is seconds) '@' a rate, or two
 * rates joined by '-' for a linear ramp, lasting FP_STAGES_MAX_S at most in
 * all.  Returns the number of stages, or
 * -1 with a one-line message in err naming the bad part.
 */
int			fp_stages_parse(const char *text, fp_stage *out, int max,
							char *err, size_t errlen);

#endif
