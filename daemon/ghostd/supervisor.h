/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The supervisor: it brings the live enclaves in line with the
 * configuration and keeps them there.
 *
 * At start it lists the live enclaves (netlink), destroys those no
 * configured enclave adopts, adopts those of a configured name (keeping a
 * live agent process, or spawning one with --adopt), creates the rest,
 * and fixes CPUs (shrinking before growing, so that CPUs can move between
 * enclaves), watchdogs and policies that differ. Each enclave is
 * "starting" until its agent answers, then "running" (onboarding takes
 * processes for it), or "failed" once given up, destroyed, with the reason
 * kept for `ghostctl status`. systemd hears READY=1 once no enclave is
 * starting.
 *
 * An agent that exits without being asked is restarted with --adopt; one
 * that crashes crash_limit times within crash_window_s is not: its enclave
 * is destroyed (its tasks go back to CFS) and marked failed. A reload
 * validates the whole new configuration before it changes anything, then
 * applies what changed; it also retries failed enclaves.
 *
 * The supervisor never destroys an enclave when it exits: agents keep
 * scheduling, and the liveness pipe (liveness.h) tells them when no
 * supervisor will come back.
 */
#ifndef GHOSTD_SUPERVISOR_H
#define GHOSTD_SUPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "config.h"

/* Told the daemon's settings after a reload changed them. */
typedef void supervisor_settings_fn(const struct daemon_config *settings);

/*
 * Start with @config, loaded from @config_dir (kept for reloads); the
 * supervisor takes @config over. -1 with @why if the live enclaves cannot
 * be listed.
 */
int supervisor_init(const char *config_dir, struct daemon_config *config,
		    supervisor_settings_fn *on_settings, char *why, size_t len);
/* Let go of the enclaves and agents, leaving them running. */
void supervisor_fini(void);

/*
 * Re-read the configuration and apply it. -1 with @why if it is invalid
 * (then nothing changed) or if part of it could not be applied (the rest
 * was).
 */
int supervisor_reload(char *why, size_t len);

/* {"enclaves": [...]}: what `ghostctl status` and `stats` show. */
json_t *supervisor_status(void);

/* Replace @enclave's policy; the reply carries the blackout. */
int supervisor_swap(const char *enclave, const char *plugin, json_t *params,
		    json_t **reply, char *why, size_t len);

/*
 * Onboard thread @pid (or its process) into @enclave, or if NULL into the
 * enclave whose rules match it, or the only one running.
 */
int supervisor_add(pid_t pid, const char *enclave, bool process,
		   json_t **reply, char *why, size_t len);

/* Return @pid (or its process) from whichever enclave holds it to CFS. */
int supervisor_remove(pid_t pid, bool process, json_t **reply, char *why,
		      size_t len);

#endif /* GHOSTD_SUPERVISOR_H */
