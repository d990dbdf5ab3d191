/*
 * wake_cost.c - what one wake-up costs the woken process, in CPU time, on
 * this machine: after a timer (a 1 ms nanosleep) and after an event (a byte
 * on a pipe that another process writes every 1 ms, waited for in
 * epoll_wait as failprobe's threads wait for answers).
 *
 * Why: a load client at a fixed rate sleeps between writes, and on some VMs
 * a timer that fires costs several times what a socket's wake-up does (the
 * timer interrupt and its reprogramming leave the guest).  Which of the two
 * a client's wake-ups are decides much of its CPU per write there; this
 * says which kind of VM the bench ran on.
 *
 *   cc -O2 -o /tmp/wake_cost bench/wake_cost.c && /tmp/wake_cost [N]
 *
 * Prints the CPU microseconds (user + system, getrusage) per wake-up of
 * each kind over N wake-ups (default 5000, about 5 s each) and their ratio.
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
cpu_us(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

static double
timer_wakes(int n)
{
	struct timespec ms = {0, 1000000};
	double		start = cpu_us();

	for (int i = 0; i < n; i++)
		nanosleep(&ms, NULL);
	return (cpu_us() - start) / n;
}

static double
event_wakes(int n)
{
	int			p[2];
	int			ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};
	double		start, per_wake;
	pid_t		writer;
	char		c;

	if (ep < 0 || pipe(p) != 0)
	{
		perror("wake_cost");
		exit(1);
	}
	writer = fork();
	if (writer == 0)
	{
		struct timespec ms = {0, 1000000};

		for (int i = 0; i < n; i++)
		{
			nanosleep(&ms, NULL);
			if (write(p[1], "x", 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	start = cpu_us();
	for (int i = 0; i < n; i++)
	{
		if (epoll_wait(ep, &ev, 1, -1) != 1 || read(p[0], &c, 1) != 1)
		{
			perror("wake_cost");
			exit(1);
		}
	}
	per_wake = (cpu_us() - start) / n;
	waitpid(writer, NULL, 0);
	return per_wake;
}

int
main(int argc, char **argv)
{
	int			n = argc > 1 ? atoi(argv[1]) : 5000;
	double		timer, event;

	if (n <= 0)
	{
		fprintf(stderr, "wake_cost: N must be a positive number of wake-ups\n");
		return 2;
	}
	timer = timer_wakes(n);
	event = event_wakes(n);
	printf("CPU per wake-up: after a timer %.1f us, after an event %.1f us; timer / event %.1f\n",
		   timer, event, event > 0 ? timer / event : 0);
	return 0;
}
