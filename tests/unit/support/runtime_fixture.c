// SPDX-License-Identifier: GPL-2.0
/*
 * See runtime_fixture.h.
 */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "runtime_fixture.h"

struct runtime *fixture_start(struct scripted_backend **sb, const char *dir,
			      const char *plugin, const char *params,
			      int nr_cpu_ids, int first, int last, int steps)
{
	json_t *p = params ? json_loads(params, 0, NULL) : NULL;
	struct runtime *rt = NULL;
	char why[1024];

	ck_assert_msg(!params || p, "bad JSON in the test: %s", params);
	*sb = sb_create(nr_cpu_ids, first, last);
	ck_assert_msg(!rt_create(&rt, &(*sb)->base, dir, plugin, p, why,
				 sizeof(why)), "%s", why);
	json_decref(p);
	sb_run(*sb, rt, steps);
	return rt;
}

void fixture_finish(struct runtime **rt, struct scripted_backend **sb)
{
	rt_destroy(*rt);
	sb_free(*sb);
	*rt = NULL;
	*sb = NULL;
}

uint64_t fixture_counter(const struct runtime *rt, const char *name)
{
	uint64_t value;

	for (unsigned int i = 0; i < rt_nr_counters(); i++)
		if (!strcmp(rt_counter(rt, i, &value), name))
			return value;
	ck_abort_msg("no counter %s", name);
	return 0;
}
