/*
 * drill_proc.h - the drill's child processes: PostgreSQL programs run as
 * the servers' OS user, and this program's own run/verify/report children.
 *
 * Every child gets a process group of its own, so that a Ctrl-C at the
 * terminal reaches only the drill, which then ends its children in order
 * (load first, servers last) instead of all of them dying at once.
 */
#ifndef FP_DRILL_PROC_H
#define FP_DRILL_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* Set by SIGINT/SIGTERM; every wait in the drill gives up when it is. */
extern volatile sig_atomic_t fp_drill_interrupted;

/* Catch SIGINT and SIGTERM (no restart: waits return early). */
void		fp_proc_signals(void);

/* Who a child runs as: as_user false = ourselves. */
typedef struct fp_cred
{
	bool		as_user;
	uid_t		uid;
	gid_t		gid;
	const char *user;
} fp_cred;

/*
 * Start argv[0] (a path) with argv.  out/err: files to append stdout and
 * stderr to, NULL to inherit ours; err may equal out.  Returns the pid, or
 * -1 with a message in errbuf.
 */
pid_t		fp_proc_start(char *const argv[], const fp_cred *cred,
						  const char *out, const char *err,
						  char *errbuf, size_t errlen);

/*
 * fp_proc_start with PGPASSWORD=password in the child's environment in
 * place of any PGPASSWORD of ours: how the drill's run and verify children
 * get the password of --dsn without it being on their command lines (an
 * environment is readable only by its owner and root).  password NULL:
 * the child gets our environment as it is, like fp_proc_start.
 */
pid_t		fp_proc_start_with_password(char *const argv[], const char *password,
										const fp_cred *cred, const char *out,
										const char *err, char *errbuf, size_t errlen);

/*
 * Wait up to timeout_s (< 0: no limit) for pid.  Returns its exit status
 * (128 + signal if killed), -1 on timeout, -2 if interrupted first.
 */
int			fp_proc_wait(pid_t pid, double timeout_s);

/* Whether pid has exited (reaps it); *status as fp_proc_wait's. */
bool		fp_proc_done(pid_t pid, int *status);

/* Send sig, wait up to grace_s, then SIGKILL and reap. */
void		fp_proc_end(pid_t pid, int sig, double grace_s);

/* Start and wait: the exit status, -1 timeout (child killed), -2
 * interrupted (child killed), -3 could not start (errbuf says why). */
int			fp_proc_run(char *const argv[], const fp_cred *cred, const char *log,
						double timeout_s, char *errbuf, size_t errlen);

/* Whether pid (not necessarily our child) has exited: no such process,
 * or a zombie nobody has reaped yet. */
bool		fp_proc_gone(pid_t pid);

/* Monotonic clock in seconds. */
double		fp_proc_now(void);

/* Sleep up to s seconds; false if interrupted. */
bool		fp_proc_sleep(double s);

/* 20 ms, even after Ctrl-C: for waits on a process that must not be cut
 * short (its end, its exit), where fp_proc_sleep would return at once. */
void		fp_proc_nap(void);

#endif
