// SPDX-License-Identifier: GPL-2.0
/*
 * Policy parameters: see params.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "params.h"
#include "plugin.h"

int params_check_spec(const struct ghost_policy_descriptor *desc, char *why,
		      size_t len)
{
	if (desc->nr_params > GHOST_POLICY_MAX_PARAMS) {
		snprintf(why, len, "policy \"%s\" declares %u parameters, more than %d",
			 desc->name, desc->nr_params, GHOST_POLICY_MAX_PARAMS);
		return -1;
	}
	if (desc->nr_params && !desc->params) {
		snprintf(why, len, "policy \"%s\" declares %u parameters but no list",
			 desc->name, desc->nr_params);
		return -1;
	}
	for (uint32_t i = 0; i < desc->nr_params; i++) {
		const struct ghost_param_spec *s = &desc->params[i];

		/* Parameter names follow the rule for plugin names. */
		if (!plugin_name_valid(s->name)) {
			snprintf(why, len,
				 "policy \"%s\": parameter %u has no valid name (a-z, 0-9, '_')",
				 desc->name, i);
			return -1;
		}
		for (uint32_t j = 0; j < i; j++) {
			if (!strcmp(desc->params[j].name, s->name)) {
				snprintf(why, len,
					 "policy \"%s\" declares parameter \"%s\" twice",
					 desc->name, s->name);
				return -1;
			}
		}
		if (!s->doc || !*s->doc) {
			snprintf(why, len,
				 "policy \"%s\": parameter \"%s\" has no description",
				 desc->name, s->name);
			return -1;
		}
		switch (s->type) {
		case GHOST_PARAM_BOOL:
			if (s->def != 0 && s->def != 1) {
				snprintf(why, len,
					 "policy \"%s\": boolean parameter \"%s\" has default %" PRId64 ", not 0 or 1",
					 desc->name, s->name, s->def);
				return -1;
			}
			break;
		case GHOST_PARAM_INT:
			if (s->min > s->max || s->def < s->min || s->def > s->max) {
				snprintf(why, len,
					 "policy \"%s\": parameter \"%s\" has default %" PRId64 " outside its range %" PRId64 "..%" PRId64,
					 desc->name, s->name, s->def, s->min, s->max);
				return -1;
			}
			break;
		default:
			snprintf(why, len,
				 "policy \"%s\": parameter \"%s\" has unknown type %u",
				 desc->name, s->name, s->type);
			return -1;
		}
	}
	return 0;
}

void params_describe(const struct ghost_param_spec *spec, char *buf, size_t len)
{
	if (spec->type == GHOST_PARAM_BOOL)
		snprintf(buf, len, "boolean, default %s",
			 spec->def ? "true" : "false");
	else
		snprintf(buf, len, "integer %" PRId64 "..%" PRId64 ", default %" PRId64,
			 spec->min, spec->max, spec->def);
}

/* How a JSON value reads in a sentence: "a string", "the number 1.5", ... */
static void json_what(const json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		snprintf(buf, len, "an object");
		break;
	case JSON_ARRAY:
		snprintf(buf, len, "an array");
		break;
	case JSON_STRING:
		snprintf(buf, len, "the string \"%.40s\"", json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, len, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		snprintf(buf, len, "true");
		break;
	case JSON_FALSE:
		snprintf(buf, len, "false");
		break;
	case JSON_NULL:
		snprintf(buf, len, "null");
		break;
	}
}

/* "a, b, c", or "none" */
static void param_names(const struct ghost_policy_descriptor *desc, char *buf,
			size_t len)
{
	size_t used = 0;

	snprintf(buf, len, "none");
	for (uint32_t i = 0; i < desc->nr_params && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 desc->params[i].name);
}

static int param_value(const struct ghost_policy_descriptor *desc,
		       const struct ghost_param_spec *s, const json_t *v,
		       int64_t *value, char *why, size_t len)
{
	char got[64];

	json_what(v, got, sizeof(got));
	if (s->type == GHOST_PARAM_BOOL) {
		if (!json_is_boolean(v)) {
			snprintf(why, len,
				 "policy \"%s\": parameter \"%s\" must be true or false, got %s",
				 desc->name, s->name, got);
			return -1;
		}
		*value = json_is_true(v);
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < s->min ||
	    json_integer_value(v) > s->max) {
		snprintf(why, len,
			 "policy \"%s\": parameter \"%s\" must be an integer in %" PRId64 "..%" PRId64 ", got %s",
			 desc->name, s->name, s->min, s->max, got);
		return -1;
	}
	*value = json_integer_value(v);
	return 0;
}

int params_parse(const struct ghost_policy_descriptor *desc,
		 const json_t *params, int64_t *values, char *why, size_t len)
{
	const char *key;
	json_t *v;

	for (uint32_t i = 0; i < desc->nr_params; i++)
		values[i] = desc->params[i].def;
	if (!params)
		return 0;
	if (!json_is_object(params)) {
		char got[64];

		json_what(params, got, sizeof(got));
		snprintf(why, len,
			 "policy \"%s\": params must be an object, got %s",
			 desc->name, got);
		return -1;
	}
	/* jansson's iteration macros want a non-const object. */
	json_object_foreach((json_t *)params, key, v) {
		uint32_t i = 0;

		while (i < desc->nr_params && strcmp(desc->params[i].name, key))
			i++;
		if (i == desc->nr_params) {
			char names[256];

			param_names(desc, names, sizeof(names));
			snprintf(why, len,
				 "policy \"%s\" has no parameter \"%s\" (its parameters: %s)",
				 desc->name, key, names);
			return -1;
		}
		if (param_value(desc, &desc->params[i], v, &values[i], why, len))
			return -1;
	}
	return 0;
}
