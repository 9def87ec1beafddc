/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy plugins: finding NAME.so in a plugin directory, loading it, and
 * checking its descriptor (SDK version window, name, model, callbacks,
 * parameter list) without running any of it. ghost-agent loads plugins to
 * run them; `ghostd --check-config` loads them only to validate a
 * configuration's parameters (params.h) against the descriptor.
 *
 * Every failure is refused with one sentence in @why saying what is wrong
 * with which plugin; nothing here exits or aborts.
 */
#ifndef GHOST_RUNTIME_PLUGIN_H
#define GHOST_RUNTIME_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include <ghost/policy.h>

struct plugin;

/* Whether @name may name a plugin: [a-z0-9_], 1..GHOST_POLICY_NAME_MAX-1. */
bool plugin_name_valid(const char *name);

/*
 * Load plugin @name from @dir (@dir/@name.so) and check its descriptor.
 * Returns 0 with *@plugin set, or -1 with the reason in @why.
 */
int plugin_load(const char *dir, const char *name, struct plugin **plugin,
		char *why, size_t len);
void plugin_unload(struct plugin *plugin);

/*
 * The plugin's descriptor as this runtime reads it: fields that the
 * plugin's SDK version does not have are zero.
 */
const struct ghost_policy_descriptor *plugin_descriptor(const struct plugin *plugin);
const char *plugin_name(const struct plugin *plugin);

/* "per_cpu", "centralized", or "?" */
const char *plugin_model_name(unsigned int model);

/*
 * The plugins in @dir, as "a, b, c" in @buf (empty if none). Returns 0, or
 * -1 with errno if @dir cannot be read.
 */
int plugin_list(const char *dir, char *buf, size_t len);

#endif /* GHOST_RUNTIME_PLUGIN_H */
