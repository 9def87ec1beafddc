// SPDX-License-Identifier: GPL-2.0
/* Refused: a per_cpu policy without pick_next. */
#include "test_plugin.h"

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "missing_callback",
	.doc = "per_cpu, but never says what a CPU runs",
	.model = GHOST_MODEL_PER_CPU,
	TP_TASK_CALLBACKS,
	.select_cpu = tp_select_cpu,
};
