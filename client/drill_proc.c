/*
 * drill_proc.c - starting, waiting for and ending the drill's children.
 *
 * PostgreSQL refuses to run as root, so when the drill is root the
 * PostgreSQL programs (initdb, pg_ctl, pg_basebackup, pg_rewind) drop to an
 * unprivileged user in the child between fork and exec.  Waits poll every
 * 20 ms rather than block, so that SIGINT/SIGTERM (which only set a flag)
 * end them promptly without any work in a signal handler.  The run and
 * verify children of a drill against --dsn get the DSN's password in an
 * environment of their own, made before fork, never on a command line.
 */
#define _GNU_SOURCE

#include "drill_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t fp_drill_interrupted = 0;

static void
on_signal(int sig)
{
	fp_drill_interrupted = sig;
}

void
fp_proc_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a child that dies with our pipe open must not kill us */
	signal(SIGPIPE, SIG_IGN);
	/* inherited as ignored, children would be reaped unseen: no waitpid */
	signal(SIGCHLD, SIG_DFL);
}

double
fp_proc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

bool
fp_proc_sleep(double s)
{
	double		end = fp_proc_now() + s;

	while (!fp_drill_interrupted)
	{
		double		left = end - fp_proc_now();
		struct timespec ts;

		if (left <= 0)
			return true;
		if (left > 0.02)
			left = 0.02;
		ts.tv_sec = 0;
		ts.tv_nsec = (long) (left * 1e9);
		nanosleep(&ts, NULL);
	}
	return false;
}

void
fp_proc_nap(void)
{
	struct timespec ts = {0, 20 * 1000 * 1000};

	nanosleep(&ts, NULL);
}

/* In the child: redirect fd to path (append), or leave it. */
static void
redirect(int fd, const char *path)
{
	int			f;

	if (path == NULL)
		return;
	/* no symlink: as root, in a directory the servers' user owns */
	f = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (f < 0 || dup2(f, fd) < 0)
		_exit(127);
	close(f);
}

/* In the child: stdin from /dev/null. */
static void
redirect_stdin_null(void)
{
	int			f = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (f < 0 || dup2(f, 0) < 0)
		_exit(127);
	close(f);
}

/* In the child: become the servers' user, or fail. */
static void
drop_to(const fp_cred *cred)
{
	if (cred == NULL || !cred->as_user)
		return;
	if (initgroups(cred->user, cred->gid) != 0 || setgid(cred->gid) != 0 ||
		setuid(cred->uid) != 0)
	{
		fprintf(stderr, "failprobe drill: cannot become user %s: %s\n", cred->user, strerror(errno));
		_exit(127);
	}
}

/*
 * Our environment with PGPASSWORD=password instead of any PGPASSWORD, in
 * one malloc'd block (the pointer array, then the new entry), made before
 * fork: the drill has threads (the partition proxy), so the child may not
 * allocate.  NULL when out of memory.
 */
static char **
env_with_password(const char *password)
{
	extern char **environ;
	size_t		n = 0, k = 0, len = strlen("PGPASSWORD=") + strlen(password) + 1;
	char	  **env, *entry;

	while (environ[n] != NULL)
		n++;
	env = malloc((n + 2) * sizeof(char *) + len);
	if (env == NULL)
		return NULL;
	entry = (char *) (env + n + 2);
	snprintf(entry, len, "PGPASSWORD=%s", password);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "PGPASSWORD=", strlen("PGPASSWORD=")) != 0)
			env[k++] = environ[i];
	env[k++] = entry;
	env[k] = NULL;
	return env;
}

/* Overwrite the block's copy of the password, then free it. */
static void
env_forget(char **env)
{
	char	   *entry;
	size_t		n = 0;

	if (env == NULL)
		return;
	for (char **e = env; *e != NULL; e++)
		n++;
	entry = env[n - 1];
	explicit_bzero(entry, strlen(entry));
	free(env);
}

pid_t
fp_proc_start(char *const argv[], const fp_cred *cred, const char *out,
			  const char *err, char *errbuf, size_t errlen)
{
	return fp_proc_start_with_password(argv, NULL, cred, out, err, errbuf, errlen);
}

pid_t
fp_proc_start_with_password(char *const argv[], const char *password,
							const fp_cred *cred, const char *out,
							const char *err, char *errbuf, size_t errlen)
{
	extern char **environ;
	char	  **env = password ? env_with_password(password) : environ;
	pid_t		pid;

	if (env == NULL)
	{
		snprintf(errbuf, errlen, "out of memory to run %s", argv[0]);
		return -1;
	}
	pid = fork();
	if (pid < 0)
	{
		snprintf(errbuf, errlen, "cannot fork to run %s: %s", argv[0], strerror(errno));
		if (password)
			env_forget(env);
		return -1;
	}
	if (pid == 0)
	{
		struct sigaction sa;

		setpgid(0, 0);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		signal(SIGPIPE, SIG_DFL);
		/* no child reads the terminal: a fault command that would (a prompt)
		 * gets end of file, instead of stopping in the background for good */
		redirect_stdin_null();
		redirect(1, out);
		if (err != NULL && out != NULL && strcmp(err, out) == 0)
			dup2(1, 2);
		else
			redirect(2, err);
		drop_to(cred);
		execve(argv[0], argv, env);
		fprintf(stderr, "failprobe drill: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (password)
		env_forget(env);
	setpgid(pid, pid);
	return pid;
}

static int
decode(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

bool
fp_proc_done(pid_t pid, int *status)
{
	int			st;
	pid_t		r = waitpid(pid, &st, WNOHANG);

	if (r == pid)
	{
		*status = decode(st);
		return true;
	}
	if (r < 0 && errno == ECHILD)
	{
		*status = 255;
		return true;
	}
	return false;
}

int
fp_proc_wait(pid_t pid, double timeout_s)
{
	double		end = fp_proc_now() + timeout_s;
	int			status;

	for (;;)
	{
		if (fp_proc_done(pid, &status))
			return status;
		if (fp_drill_interrupted)
			return -2;
		if (timeout_s >= 0 && fp_proc_now() >= end)
			return -1;
		fp_proc_sleep(0.02);
	}
}

void
fp_proc_end(pid_t pid, int sig, double grace_s)
{
	double		end = fp_proc_now() + grace_s;
	int			status;

	if (pid <= 0)
		return;
	/* its process group: what a fault command's shell started goes too */
	if (kill(-pid, sig) != 0)
		kill(pid, sig);
	while (fp_proc_now() < end)
	{
		if (fp_proc_done(pid, &status))
			return;
		fp_proc_nap();
	}
	if (kill(-pid, SIGKILL) != 0)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

int
fp_proc_run(char *const argv[], const fp_cred *cred, const char *log,
			double timeout_s, char *errbuf, size_t errlen)
{
	pid_t		pid = fp_proc_start(argv, cred, log, log, errbuf, errlen);
	int			rc;

	if (pid < 0)
		return -3;
	rc = fp_proc_wait(pid, timeout_s);
	if (rc < 0)
		fp_proc_end(pid, SIGTERM, 5);
	return rc;
}

/* Whether pid has exited: gone, or a zombie (its parent, pg_ctl, is long
 * gone, and whoever inherited it may be slow to reap it). */
bool
fp_proc_gone(pid_t pid)
{
	char		path[64], state = '?';
	FILE	   *f;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long) pid);
	f = fopen(path, "r");
	if (f == NULL)
		return true;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = '?';
	fclose(f);
	return state == 'Z' || state == 'X';
}
