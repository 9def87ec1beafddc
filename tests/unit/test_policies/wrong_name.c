// SPDX-License-Identifier: GPL-2.0
/* Refused: the file is wrong_name.so but the policy calls itself otherwise. */
#include "test_plugin.h"

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "someone_else",
	.doc = "misnamed",
	TP_CENTRALIZED,
	TP_TASK_CALLBACKS,
};
