/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The callback recorder and the per-test fixture of the unit tests (fake_kernel.h). */
#include "fake_kernel.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The recorder: each typed callback stores its event as the union. */
static int rec_store(struct fk_rec *r, const void *ev, size_t len, int typed)
{
	if (r->n < FK_REC_MAX) {
		memset(&r->ev[r->n], 0, sizeof(r->ev[r->n]));
		memcpy(&r->ev[r->n], ev, len);
		r->n++;
	}
	if (typed)
		r->typed_calls++;
	else
		r->generic_calls++;
	if (r->stop_at && r->n >= r->stop_at) {
		r->stop_at = 0;   /* stop once: the next dispatch goes on */
		return r->stop_err;
	}
	return 0;
}

#define REC_TYPED(name, type) \
	static int rec_##name(const struct type *ev, void *ud) \
	{ \
		return rec_store(ud, ev, sizeof(*ev), 1); \
	}

REC_TYPED(fork, proccn_fork)
REC_TYPED(exec, proccn_exec)
REC_TYPED(uid, proccn_uid)
REC_TYPED(gid, proccn_gid)
REC_TYPED(sid, proccn_sid)
REC_TYPED(ptrace, proccn_ptrace)
REC_TYPED(comm, proccn_comm)
REC_TYPED(coredump, proccn_coredump)
REC_TYPED(exit, proccn_exit)

static int rec_event(const union proccn_event *ev, void *ud)
{
	return rec_store(ud, ev, sizeof(*ev), 0);
}

static int rec_loss(const struct proccn_loss *loss, void *ud)
{
	struct fk_rec *r = ud;

	if (r->nloss < 16) {
		r->loss_at[r->nloss] = r->n;
		r->loss[r->nloss++] = *loss;
	}
	if (r->loss_err) {
		int e = r->loss_err;

		r->loss_err = 0;
		return e;
	}
	return 0;
}

struct proccn_callbacks fk_rec_callbacks(int typed)
{
	struct proccn_callbacks cb;

	memset(&cb, 0, sizeof(cb));
	cb.sz = sizeof(cb);
	if (typed) {
		cb.on_fork = rec_fork;
		cb.on_exec = rec_exec;
		cb.on_uid = rec_uid;
		cb.on_gid = rec_gid;
		cb.on_sid = rec_sid;
		cb.on_ptrace = rec_ptrace;
		cb.on_comm = rec_comm;
		cb.on_coredump = rec_coredump;
		cb.on_exit = rec_exit;
	}
	cb.on_event = rec_event;
	cb.on_loss = rec_loss;
	return cb;
}

int fk_fixture_setup(void **state)
{
	struct fk_fixture *fx = *state;
	struct proccn_opts o = PROCCN_OPTS_INIT;

	*fx->h = NULL;
	/* on the heap: FK_REC_MAX events are too many for the stack */
	*fx->rec = calloc(1, sizeof(**fx->rec));
	if (!*fx->rec)
		return -1;
	if (fx->open_modern &&
	    (fk_init(fx->fk, FK_MODERN) < 0 || fk_open(fx->fk, fx->h, &o) < 0))
		return -1;
	return 0;
}

int fk_fixture_teardown(void **state)
{
	struct fk_fixture *fx = *state;

	*fx->h = proccn_close(*fx->h);
	fk_fini(fx->fk);
	free(*fx->rec);
	*fx->rec = NULL;
	return 0;
}

int64_t fk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fk_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
