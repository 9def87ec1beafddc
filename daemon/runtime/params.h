/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy parameters: checking a descriptor's parameter list (a plugin
 * bug, refused at load) and validating a configuration's "params" object
 * against it (a user error, refused with the parameter's name, type and
 * range). Both work on the descriptor alone, without initialising the
 * policy, so that configurations can be checked offline.
 */
#ifndef GHOST_RUNTIME_PARAMS_H
#define GHOST_RUNTIME_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <ghost/policy.h>

/* Whether the descriptor's parameter list is well formed; -1 with @why. */
int params_check_spec(const struct ghost_policy_descriptor *desc, char *why,
		      size_t len);

/*
 * Validate @params (a JSON object; NULL means {}) against @desc and fill
 * @values[desc->nr_params] with each parameter's value or default.
 * Returns 0, or -1 with @why naming the policy, the parameter and what was
 * expected.
 */
int params_parse(const struct ghost_policy_descriptor *desc,
		 const json_t *params, int64_t *values, char *why, size_t len);

/* "integer 0..1000000, default 0" or "boolean, default true" */
void params_describe(const struct ghost_param_spec *spec, char *buf,
		     size_t len);

#endif /* GHOST_RUNTIME_PARAMS_H */
