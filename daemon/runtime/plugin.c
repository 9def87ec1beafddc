// SPDX-License-Identifier: GPL-2.0
/*
 * Policy plugins: see plugin.h.
 *
 * The descriptor is copied into a zeroed struct of this runtime's layout,
 * as many bytes as the plugin says it has, so that a plugin built against
 * an older SDK reads as one whose newer callbacks are absent.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "params.h"
#include "plugin.h"

struct plugin {
	void *handle;
	struct ghost_policy_descriptor desc;
	char name[GHOST_POLICY_NAME_MAX];
};

/* The size of the version 1 descriptor: what every plugin must have. */
#define DESCRIPTOR_V1_SIZE						\
	(offsetof(struct ghost_policy_descriptor, schedule) +		\
	 sizeof(((struct ghost_policy_descriptor *)0)->schedule))

bool plugin_name_valid(const char *name)
{
	size_t n = 0;

	if (!name || !*name)
		return false;
	for (; name[n]; n++)
		if (!((name[n] >= 'a' && name[n] <= 'z') ||
		      (name[n] >= '0' && name[n] <= '9') || name[n] == '_'))
			return false;
	return n < GHOST_POLICY_NAME_MAX;
}

const char *plugin_model_name(unsigned int model)
{
	switch (model) {
	case GHOST_MODEL_PER_CPU:
		return "per_cpu";
	case GHOST_MODEL_CENTRALIZED:
		return "centralized";
	}
	return "?";
}

static int plugin_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int plugin_list(const char *dir, char *buf, size_t len)
{
	char *names[256];
	size_t nr = 0, used = 0;
	struct dirent *entry;
	DIR *d = opendir(dir);

	if (len)
		buf[0] = '\0';
	if (!d)
		return -1;
	while ((entry = readdir(d)) && nr < sizeof(names) / sizeof(names[0])) {
		size_t n = strlen(entry->d_name);
		char name[GHOST_POLICY_NAME_MAX + 3];

		if (n < 4 || n >= sizeof(name) || strcmp(entry->d_name + n - 3, ".so"))
			continue;
		memcpy(name, entry->d_name, n - 3);
		name[n - 3] = '\0';
		if (plugin_name_valid(name) && (names[nr] = strdup(name)))
			nr++;
	}
	closedir(d);
	qsort(names, nr, sizeof(names[0]), plugin_name_cmp);
	for (size_t i = 0; i < nr; i++) {
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%s",
					 i ? ", " : "", names[i]);
		free(names[i]);
	}
	return 0;
}

/* Say that @dir has no @name.so, and what it has instead. */
static void plugin_not_found(const char *dir, const char *name, char *why,
			     size_t len)
{
	char names[512];

	if (plugin_list(dir, names, sizeof(names)))
		snprintf(why, len, "no plugin \"%s\": cannot read %s: %s",
			 name, dir, strerror(errno));
	else
		snprintf(why, len, "no plugin \"%s\" in %s (it has: %s)", name,
			 dir, names[0] ? names : "none");
}

static int check_version(const struct ghost_policy_descriptor *d,
			 const char *name, char *why, size_t len)
{
	if (d->abi_floor > d->abi_version) {
		snprintf(why, len,
			 "plugin \"%s\" has an impossible SDK version window %u..%u",
			 name, d->abi_floor, d->abi_version);
		return -1;
	}
	if (d->abi_floor > GHOST_POLICY_ABI_VERSION) {
		snprintf(why, len,
			 "plugin \"%s\" needs policy SDK %u or later; this runtime serves %u..%u",
			 name, d->abi_floor, GHOST_POLICY_ABI_FLOOR,
			 GHOST_POLICY_ABI_VERSION);
		return -1;
	}
	if (d->abi_version < GHOST_POLICY_ABI_FLOOR) {
		snprintf(why, len,
			 "plugin \"%s\" was built for policy SDK %u; this runtime serves %u..%u",
			 name, d->abi_version, GHOST_POLICY_ABI_FLOOR,
			 GHOST_POLICY_ABI_VERSION);
		return -1;
	}
	if (d->size < DESCRIPTOR_V1_SIZE) {
		snprintf(why, len,
			 "plugin \"%s\" has a descriptor of %u bytes, shorter than SDK 1's %zu",
			 name, d->size, DESCRIPTOR_V1_SIZE);
		return -1;
	}
	return 0;
}

/* Name the first missing callback among @names/@fns, if any. */
static const char *first_missing(const void *const *fns, const char *const *names,
				 size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (!fns[i])
			return names[i];
	return NULL;
}

static int check_callbacks(const struct ghost_policy_descriptor *d, char *why,
			   size_t len)
{
	const void *const common[] = {
		(const void *)d->task_new, (const void *)d->task_wakeup,
		(const void *)d->task_blocked, (const void *)d->task_preempted,
		(const void *)d->task_yield, (const void *)d->task_departed,
	};
	static const char *const common_names[] = {
		"task_new", "task_wakeup", "task_blocked", "task_preempted",
		"task_yield", "task_departed",
	};
	const void *const per_cpu[] = {
		(const void *)d->select_cpu, (const void *)d->pick_next,
	};
	static const char *const per_cpu_names[] = { "select_cpu", "pick_next" };
	const char *missing;

	missing = first_missing(common, common_names, 6);
	if (missing) {
		snprintf(why, len,
			 "plugin \"%s\" lacks the callback %s, which every policy needs",
			 d->name, missing);
		return -1;
	}
	if (d->model == GHOST_MODEL_PER_CPU) {
		missing = first_missing(per_cpu, per_cpu_names, 2);
		if (missing) {
			snprintf(why, len,
				 "plugin \"%s\" lacks the callback %s, which per_cpu policies need",
				 d->name, missing);
			return -1;
		}
		if (d->schedule) {
			snprintf(why, len,
				 "plugin \"%s\" is per_cpu but defines schedule, a centralized callback",
				 d->name);
			return -1;
		}
		return 0;
	}
	if (!d->schedule) {
		snprintf(why, len,
			 "plugin \"%s\" lacks the callback schedule, which centralized policies need",
			 d->name);
		return -1;
	}
	if (d->select_cpu || d->pick_next || d->steal) {
		snprintf(why, len,
			 "plugin \"%s\" is centralized but defines %s, a per_cpu callback",
			 d->name, d->select_cpu ? "select_cpu" :
			 d->pick_next ? "pick_next" : "steal");
		return -1;
	}
	return 0;
}

static int check_descriptor(struct plugin *pl, const struct ghost_policy_descriptor *raw,
			    char *why, size_t len)
{
	struct ghost_policy_descriptor *d = &pl->desc;

	if (check_version(raw, pl->name, why, len))
		return -1;
	memcpy(d, raw, raw->size < sizeof(*d) ? raw->size : sizeof(*d));
	if (!d->name || strcmp(d->name, pl->name)) {
		snprintf(why, len, "plugin file %s.so describes itself as \"%.40s\"",
			 pl->name, d->name ? d->name : "(no name)");
		return -1;
	}
	if (d->model != GHOST_MODEL_PER_CPU && d->model != GHOST_MODEL_CENTRALIZED) {
		snprintf(why, len,
			 "plugin \"%s\" has unknown model %u (expected per_cpu or centralized)",
			 d->name, d->model);
		return -1;
	}
	if (!d->doc) {
		snprintf(why, len, "plugin \"%s\" has no description", d->name);
		return -1;
	}
	if (check_callbacks(d, why, len))
		return -1;
	return params_check_spec(d, why, len);
}

int plugin_load(const char *dir, const char *name, struct plugin **plugin,
		char *why, size_t len)
{
	const struct ghost_policy_descriptor *raw;
	char path[PATH_MAX];
	struct plugin *pl;
	struct stat st;

	*plugin = NULL;
	if (!plugin_name_valid(name)) {
		snprintf(why, len,
			 "\"%.40s\" is not a plugin name (a-z, 0-9 and '_', at most %d characters)",
			 name ? name : "", GHOST_POLICY_NAME_MAX - 1);
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.so", dir, name) >= sizeof(path)) {
		snprintf(why, len, "plugin directory name too long: %.60s...", dir);
		return -1;
	}
	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		plugin_not_found(dir, name, why, len);
		return -1;
	}
	pl = calloc(1, sizeof(*pl));
	if (!pl) {
		snprintf(why, len, "out of memory loading plugin \"%s\"", name);
		return -1;
	}
	strcpy(pl->name, name);
	/* RTLD_NOW: a symbol the runtime lacks fails here, not mid-schedule. */
	pl->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!pl->handle) {
		snprintf(why, len, "plugin \"%s\" cannot be loaded: %s", name,
			 dlerror());
		free(pl);
		return -1;
	}
	raw = dlsym(pl->handle, GHOST_POLICY_DESCRIPTOR_SYMBOL);
	if (!raw) {
		snprintf(why, len,
			 "plugin \"%s\" (%s) is not a ghost policy: it exports no %s",
			 name, path, GHOST_POLICY_DESCRIPTOR_SYMBOL);
		plugin_unload(pl);
		return -1;
	}
	if (check_descriptor(pl, raw, why, len)) {
		plugin_unload(pl);
		return -1;
	}
	*plugin = pl;
	return 0;
}

void plugin_unload(struct plugin *plugin)
{
	if (!plugin)
		return;
	dlclose(plugin->handle);
	free(plugin);
}

const struct ghost_policy_descriptor *plugin_descriptor(const struct plugin *plugin)
{
	return &plugin->desc;
}

const char *plugin_name(const struct plugin *plugin)
{
	return plugin->name;
}
