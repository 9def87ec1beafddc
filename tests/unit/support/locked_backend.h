/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A backend that serialises every call to another one under a mutex, so
 * that real agent threads can run over the single-threaded scripted
 * backend. Parks there return at once, so agent threads spin instead of
 * sleeping: fine for tests of the control plane, which is what this is for.
 * Its clock is CLOCK_MONOTONIC, not the model's.
 * The test takes the same lock (locked_backend_lock) to touch the model.
 */
#ifndef GHOST_TEST_LOCKED_BACKEND_H
#define GHOST_TEST_LOCKED_BACKEND_H

#include <pthread.h>

#include "runtime/backend.h"

struct locked_backend {
	struct backend base;
	struct backend *inner;
	pthread_mutex_t lock;
};

struct backend *locked_backend_init(struct locked_backend *lb,
				    struct backend *inner);
void locked_backend_fini(struct locked_backend *lb);
void locked_backend_lock(struct locked_backend *lb);
void locked_backend_unlock(struct locked_backend *lb);

#endif /* GHOST_TEST_LOCKED_BACKEND_H */
