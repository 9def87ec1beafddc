// SPDX-License-Identifier: GPL-2.0
/*
 * Refused at init: with say_why (the default) it explains itself through
 * ghost_policy_fail(); without, it only returns an errno.
 */
#include <errno.h>

#include "test_plugin.h"

static const struct ghost_param_spec params[] = {
	{
		.name = "say_why",
		.type = GHOST_PARAM_BOOL,
		.def = 1,
		.doc = "explain the failure",
	},
};

static int init(struct ghost_policy *p)
{
	if (ghost_policy_param(p, 0))
		return ghost_policy_fail(p, "needs %d CPUs, the enclave has %u",
					 64, ghost_policy_nr_cpus(p));
	return -ENODEV;
}

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "init_fails",
	.doc = "never starts",
	.params = params,
	.nr_params = 1,
	.init = init,
	TP_CENTRALIZED,
	TP_TASK_CALLBACKS,
};
