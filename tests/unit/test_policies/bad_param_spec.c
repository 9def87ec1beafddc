// SPDX-License-Identifier: GPL-2.0
/* Refused: a parameter whose default is outside its own range. */
#include "test_plugin.h"

static const struct ghost_param_spec params[] = {
	{
		.name = "depth",
		.type = GHOST_PARAM_INT,
		.min = 1,
		.max = 8,
		.def = 0,
		.doc = "how deep",
	},
};

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "bad_param_spec",
	.doc = "declares an impossible default",
	.params = params,
	.nr_params = 1,
	TP_CENTRALIZED,
	TP_TASK_CALLBACKS,
};
