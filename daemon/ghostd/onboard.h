/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Onboarding: moving the processes an enclave's rules match into it, with
 * every thread (GHOST_ADD_F_PROCESS, skipping threads already in, going on
 * past threads that fail). Existing processes are found by a /proc scan,
 * new ones through the process events connector (a fork, an exec or a
 * rename makes a process look again), so nothing polls. Subscription
 * comes before the first scan, so no process falls between the two.
 *
 * Onboarding never takes ghostd itself, an agent process, or a kernel
 * thread, and never removes: a process that stops matching stays where
 * it is until `ghostctl remove` or its exit. A process removed by hand
 * (any of its threads) is left alone by the rules for the rest of its
 * life, unless added by hand again. Children of ghost tasks need
 * no onboarding: the kernel starts them in their parent's enclave.
 */
#ifndef GHOSTD_ONBOARD_H
#define GHOSTD_ONBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <linux/ghost.h>

#include "rules.h"

/* An enclave as onboarding sees it. */
struct onboard_target {
	const char *name;
	int enclave_fd;		/* -1 while it takes no tasks (no agent runs) */
	const struct onboard_rule *rules;
	size_t nr_rules;
	pid_t agent_pid;	/* never onboarded; 0 if none */
};

/* Subscribe to process events; -1 with @why. */
int onboard_init(char *why, size_t len);
void onboard_fini(void);

/*
 * The enclaves, in priority order (the first whose rules match takes the
 * process). The array is copied; names and rules are borrowed until the
 * next call.
 */
void onboard_set_targets(const struct onboard_target *targets, size_t nr);

/* Scan /proc for the target called @name, or for all if NULL. */
void onboard_scan(const char *name);

/*
 * Why thread or process @pid may not be onboarded (it is ghostd, an agent,
 * a kernel thread, or gone), in @buf; NULL if it may.
 */
const char *onboard_refusal(pid_t pid, char *buf, size_t len);

/* The target taking tasks whose rules match @pid's process, or NULL. */
const struct onboard_target *onboard_match(pid_t pid);

/* Keep the rules off the process of @pid (removed by hand), or no longer. */
void onboard_opt_out(pid_t pid);
void onboard_opt_in(pid_t pid);

/*
 * Onboard @pid (with @process, every thread of its process) into @target.
 * Returns 0 or -1 with errno; @result holds the counts either way.
 */
int onboard_add(const struct onboard_target *target, pid_t pid, bool process,
		struct ghost_add_task *result);

#endif /* GHOSTD_ONBOARD_H */
