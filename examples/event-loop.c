/* SPDX-License-Identifier: MIT-0 */
/*
 * event-loop - embed libproccn in an epoll loop, the way a daemon would:
 * the library's fd, a timerfd that prints statistics every N seconds, and a
 * signalfd for SIGINT/SIGTERM. A copy-paste starter; uses only <proccn.h>.
 *
 * Usage: event-loop [SECONDS]   (default 5)
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <proccn.h>

/* What the callbacks count between two timer ticks. */
struct counts {
	uint64_t forks, execs, exits, other, lost;
};

static int on_fork(const struct proccn_fork *ev, void *userdata)
{
	struct counts *c = userdata;

	(void)ev;
	c->forks++;
	return 0;
}

static int on_exec(const struct proccn_exec *ev, void *userdata)
{
	struct counts *c = userdata;

	(void)ev;
	c->execs++;
	return 0;
}

static int on_exit_event(const struct proccn_exit *ev, void *userdata)
{
	struct counts *c = userdata;

	(void)ev;
	c->exits++;
	return 0;
}

/* Every kind without its own callback above lands here. */
static int on_event(const union proccn_event *ev, void *userdata)
{
	struct counts *c = userdata;

	(void)ev;
	c->other++;
	return 0;
}

/* Loss is not an error: the handle keeps working; a daemon would resync
 * its view of the process table (e.g. rescan /proc) here. */
static int on_loss(const struct proccn_loss *loss, void *userdata)
{
	struct counts *c = userdata;

	c->lost += loss->count;
	/* an overrun's count is 0 when its events come as SEQ_GAP reports instead */
	fprintf(stderr, "event-loop: events lost (reason %d, count %" PRIu64 "%s)\n",
		loss->reason, loss->count,
		loss->exact ? "" : loss->count ? ", approximate" : ", or in the sequence-gap reports");
	return 0;
}

static void print_stats(struct proccn *h, struct counts *c)
{
	struct proccn_stats s = { .sz = sizeof(s) };

	if (proccn_get_stats(h, &s) < 0)
		return;
	printf("fork %" PRIu64 ", exec %" PRIu64 ", exit %" PRIu64 ", other %" PRIu64
	       ", lost %" PRIu64 " | total delivered %" PRIu64 ", kernel drops %" PRIu64
	       ", rcvbuf %d\n", c->forks, c->execs, c->exits, c->other, c->lost,
	       s.delivered, s.kernel_drops, s.rcvbuf);
	memset(c, 0, sizeof(*c));	/* counts are per interval */
}

static int add_fd(int ep, int fd)
{
	struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

int main(int argc, char **argv)
{
	const struct proccn_callbacks cb = {
		.sz = sizeof(cb), .on_fork = on_fork, .on_exec = on_exec,
		.on_exit = on_exit_event, .on_event = on_event, .on_loss = on_loss,
	};
	struct counts counts = { 0 };
	struct proccn *h = NULL;
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	struct epoll_event evs[3];
	sigset_t mask;
	int ep = -1, tfd = -1, sfd = -1, pfd, r, rc = 1, running = 1;
	char *end = NULL;
	long secs = argc > 1 ? strtol(argv[1], &end, 10) : 5;

	if (argc > 2 || (end && *end) || secs <= 0 || secs > 86400) {
		fprintf(stderr, "usage: event-loop [SECONDS (1..86400)]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Block the signals first, so they queue on the signalfd instead of
	 * killing us: the loop then ends through proccn_close(), which
	 * unsubscribes. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	r = proccn_open(&h, NULL);	/* NULL opts: every event kind */
	if (r < 0) {
		fprintf(stderr, "event-loop: %s\n", proccn_strerror(r));
		return 1;
	}
	pfd = proccn_fd(h);

	its.it_interval.tv_sec = its.it_value.tv_sec = secs;
	ep = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (ep < 0 || tfd < 0 || sfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0 ||
	    add_fd(ep, pfd) < 0 || add_fd(ep, tfd) < 0 || add_fd(ep, sfd) < 0) {
		perror("event-loop: setting up epoll");
		goto out;
	}

	while (running) {
		int i, n = epoll_wait(ep, evs, 3, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("event-loop: epoll_wait");
			goto out;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == pfd) {
				/* Timeout 0: epoll said there is work; never block
				 * the loop inside the library. The fd stays readable
				 * while anything is left (events kept from the
				 * handshake, a stopped dispatch, loss reports). */
				r = proccn_dispatch(h, &cb, &counts, 0);
				if (r < 0 && r != -EINTR)
					goto dispatch_error;
			} else if (fd == tfd) {
				uint64_t ticks;

				if (read(tfd, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks))
					print_stats(h, &counts);
			} else if (fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
					fprintf(stderr, "event-loop: %s, stopping\n",
						strsignal((int)si.ssi_signo));
					running = 0;
				}
			}
		}
	}
	print_stats(h, &counts);
	rc = 0;
	goto out;

dispatch_error:
	fprintf(stderr, "event-loop: %s\n", proccn_strerror(r));
out:
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	if (ep >= 0)
		close(ep);
	proccn_close(h);
	return rc;
}
