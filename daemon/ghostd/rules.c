// SPDX-License-Identifier: GPL-2.0
/*
 * Onboarding rules: see rules.h.
 */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "rules.h"

/* @path is @cgroup or lies below it ("/a" holds "/a/b", not "/ab"). */
static bool cgroup_contains(const char *cgroup, const char *path)
{
	size_t len = strlen(cgroup);

	if (!strcmp(cgroup, "/"))
		return *path == '/';
	return !strncmp(path, cgroup, len) && (path[len] == '\0' || path[len] == '/');
}

bool rule_matches(const struct onboard_rule *rule, struct process *proc)
{
	const char *text;
	uid_t ruid, euid;

	/* Cheapest facts first: a pid costs nothing, comm one short read. */
	if ((rule->facts & RULE_PID) && proc->pid != rule->pid)
		return false;
	if (rule->facts & (RULE_COMM | RULE_COMM_PREFIX)) {
		if (process_comm(proc, &text))
			return false;
		if ((rule->facts & RULE_COMM) && strcmp(text, rule->comm))
			return false;
		if ((rule->facts & RULE_COMM_PREFIX) &&
		    strncmp(text, rule->comm, strlen(rule->comm)))
			return false;
	}
	if (rule->facts & RULE_UID) {
		if (process_uids(proc, &ruid, &euid) || euid != rule->uid)
			return false;
	}
	if (rule->facts & RULE_CGROUP) {
		if (process_cgroup(proc, &text) || !cgroup_contains(rule->cgroup, text))
			return false;
	}
	return rule->facts != 0;
}

bool rules_match(const struct onboard_rule *rules, size_t nr, struct process *proc)
{
	for (size_t i = 0; i < nr; i++)
		if (rule_matches(&rules[i], proc))
			return true;
	return false;
}

int rules_pick(const struct rule_set *sets, size_t nr, struct process *proc)
{
	bool kernel_thread;

	for (size_t i = 0; i < nr; i++) {
		if (!rules_match(sets[i].rules, sets[i].nr, proc))
			continue;
		/* Checked once something matched: most processes match nothing. */
		if (process_is_kernel_thread(proc, &kernel_thread) || kernel_thread)
			return -1;
		return i;
	}
	return -1;
}

struct onboard_rule *rules_copy(const struct onboard_rule *from, size_t nr)
{
	struct onboard_rule *rules = xcalloc(nr, sizeof(*rules));

	for (size_t i = 0; i < nr; i++) {
		rules[i] = from[i];
		if (from[i].cgroup)
			rules[i].cgroup = xstrdup(from[i].cgroup);
	}
	return rules;
}

void rules_free(struct onboard_rule *rules, size_t nr)
{
	if (!rules)
		return;
	for (size_t i = 0; i < nr; i++)
		free(rules[i].cgroup);
	free(rules);
}
