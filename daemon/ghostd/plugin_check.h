/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checking a policy and its parameters at configuration time, offline:
 * the runtime's loader (runtime/plugin.h) reads the plugin's descriptor
 * without initialising the plugin, and the runtime's parameter check
 * (runtime/params.h) validates the configuration's "params" against it.
 * So `ghostd --check-config`, a reload and `ghostctl swap` refuse a bad
 * policy with the agent's own words, before any enclave is touched, and
 * say which parameter is at fault so that the error can point at it.
 */
#ifndef GHOSTD_PLUGIN_CHECK_H
#define GHOSTD_PLUGIN_CHECK_H

#include <jansson.h>

#include <ghost/policy.h>

#define PLUGIN_NAME_MAX		GHOST_POLICY_NAME_MAX

/* What is wrong, and with which parameter. */
struct plugin_problem {
	char param[128];	/* the parameter at fault; "" for the plugin */
	char why[512];		/* one line */
};

/*
 * 0 if @name is a plugin of @plugin_dir whose descriptor the runtime
 * accepts and which accepts the object @params; else -1 with @problem: an
 * invalid name, an unknown plugin (the message lists those @plugin_dir
 * holds), a descriptor missing or of an unsupported SDK version, an
 * unknown parameter (the message lists the known ones), a value of the
 * wrong type or out of range (the message gives type and range).
 */
int plugin_check(const char *plugin_dir, const char *name, json_t *params,
		 struct plugin_problem *problem);

#endif /* GHOSTD_PLUGIN_CHECK_H */
