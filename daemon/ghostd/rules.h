/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Onboarding rules: which processes an enclave takes. A rule names one or
 * more facts (pid, comm exact or prefix, cgroup, effective uid); a process
 * matches a rule when every fact the rule names matches, and an enclave
 * when any of its rules does. Onboarding then adds every thread of the
 * process.
 */
#ifndef GHOSTD_RULES_H
#define GHOSTD_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "procfs.h"

enum rule_fact {
	RULE_PID = 1 << 0,
	RULE_COMM = 1 << 1,		/* comm equals @comm */
	RULE_COMM_PREFIX = 1 << 2,	/* comm starts with @comm */
	RULE_CGROUP = 1 << 3,		/* in @cgroup or below it */
	RULE_UID = 1 << 4,		/* effective uid */
};

/* The longest comm the kernel keeps; a longer name could never match. */
#define RULE_COMM_MAX		(PROCFS_COMM_LEN - 1)

struct onboard_rule {
	unsigned facts;			/* RULE_*: all must match */
	pid_t pid;
	char comm[RULE_COMM_MAX + 1];	/* RULE_COMM or RULE_COMM_PREFIX */
	char *cgroup;			/* RULE_CGROUP: absolute, no trailing '/' */
	uid_t uid;
};

/* True if process @proc matches @rule; false too if @proc went away. */
bool rule_matches(const struct onboard_rule *rule, struct process *proc);
/* True if @proc matches any of the @nr @rules. */
bool rules_match(const struct onboard_rule *rules, size_t nr, struct process *proc);

/* The rules of one enclave. */
struct rule_set {
	const struct onboard_rule *rules;
	size_t nr;
};

/*
 * The first of the @nr @sets whose rules @proc matches, or -1. Kernel
 * threads match none: a rule such as {"uid": 0} means user processes.
 */
int rules_pick(const struct rule_set *sets, size_t nr, struct process *proc);

/* Deep copies and frees, for configurations that outlive their parser. */
struct onboard_rule *rules_copy(const struct onboard_rule *from, size_t nr);
void rules_free(struct onboard_rule *rules, size_t nr);

#endif /* GHOSTD_RULES_H */
