// SPDX-License-Identifier: GPL-2.0
/*
 * Checking a policy at configuration time: see plugin_check.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "plugin_check.h"
#include "runtime/params.h"
#include "runtime/plugin.h"

int plugin_check(const char *plugin_dir, const char *name, json_t *params,
		 struct plugin_problem *problem)
{
	int64_t values[GHOST_POLICY_MAX_PARAMS];
	struct plugin *plugin;
	const char *key;
	json_t *value;
	int ret = 0;

	memset(problem, 0, sizeof(*problem));
	if (plugin_load(plugin_dir, name, &plugin, problem->why,
			sizeof(problem->why)))
		return -1;
	/* One member at a time, so that a refusal names its parameter. */
	json_object_foreach(params, key, value) {
		json_t *one = json_pack("{s:O}", key, value);

		ret = params_parse(plugin_descriptor(plugin), one, values,
				   problem->why, sizeof(problem->why));
		json_decref(one);
		if (ret) {
			snprintf(problem->param, sizeof(problem->param), "%s", key);
			break;
		}
	}
	plugin_unload(plugin);
	return ret;
}
