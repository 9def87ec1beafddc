/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtime over the scripted backend as the host suites that drive it
 * (check_runtime, check_swap, check_policies) start it, end it and read
 * its counters. Failures end the test (Check's ck_assert).
 */
#ifndef GHOST_TEST_RUNTIME_FIXTURE_H
#define GHOST_TEST_RUNTIME_FIXTURE_H

#include <stdint.h>

#include "scripted_backend.h"

/*
 * A backend of @nr_cpu_ids CPUs with an enclave over @first..@last into
 * *@sb, and a runtime on it running @plugin from @dir with @params (JSON,
 * or NULL for the defaults), its agents stepped up to @steps times.
 */
struct runtime *fixture_start(struct scripted_backend **sb, const char *dir,
			      const char *plugin, const char *params,
			      int nr_cpu_ids, int first, int last,
			      int steps);

/* Destroy both and clear the pointers. */
void fixture_finish(struct runtime **rt, struct scripted_backend **sb);

/* The runtime's counter @name (see rt_counter()). */
uint64_t fixture_counter(const struct runtime *rt, const char *name);

#endif /* GHOST_TEST_RUNTIME_FIXTURE_H */
