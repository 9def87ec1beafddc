// SPDX-License-Identifier: GPL-2.0
/* Refused: needs a newer policy SDK than the runtime serves. */
#include "test_plugin.h"

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	.abi_version = GHOST_POLICY_ABI_VERSION + 1,
	.abi_floor = GHOST_POLICY_ABI_VERSION + 1,
	.size = sizeof(struct ghost_policy_descriptor),
	.name = "abi_too_new",
	.doc = "built for a future SDK",
	TP_CENTRALIZED,
	TP_TASK_CALLBACKS,
};
