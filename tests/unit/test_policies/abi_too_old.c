// SPDX-License-Identifier: GPL-2.0
/* Refused: built for an SDK older than the runtime's floor. */
#include "test_plugin.h"

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	.abi_version = GHOST_POLICY_ABI_FLOOR - 1,
	.abi_floor = GHOST_POLICY_ABI_FLOOR - 1,
	.size = sizeof(struct ghost_policy_descriptor),
	.name = "abi_too_old",
	.doc = "built for an SDK no longer served",
	TP_CENTRALIZED,
	TP_TASK_CALLBACKS,
};
