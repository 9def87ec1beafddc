/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How ghostd tells whoever started it how it is doing. Under systemd,
 * through libsystemd: readiness, reloading and status (sd_notify), and the
 * file descriptor store, where the supervisor keeps what must outlive one
 * of its processes (the liveness pipe). Started from a shell without
 * --foreground, it detaches, and the shell's process waits until the
 * daemon is ready (exit 0) or fails (its exit status). Outside systemd the
 * notifications do nothing and no stored fd comes back.
 */
#ifndef GHOSTD_SERVICE_H
#define GHOSTD_SERVICE_H

#include <stdbool.h>

/* Take the fds systemd passed (LISTEN_FDS), by name. */
void service_init(void);
/* Close the passed fds nobody took. */
void service_fini(void);

/*
 * Detach from the terminal: fork, setsid, fork, stdio to /dev/null,
 * logging to syslog. Returns in the daemon; the calling process stays
 * behind and exits as service_ready() or service_failed() tell it.
 * -1 with @why if it cannot.
 */
int service_daemonize(char *why, size_t len);
/* Starting failed with exit status @status: tell the waiting process. */
void service_failed(int status);

/* True if systemd listens for our notifications. */
bool service_managed(void);

void service_ready(void);
void service_reloading(void);
void service_stopping(void);
void service_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Keep @fd in the fd store under @name; 0, or -1 if not managed. */
int service_store_fd(int fd, const char *name);
/* The stored fd called @name, handed back at start; -1 if none. */
int service_take_fd(const char *name);
/* Drop the stored fds called @name. */
void service_forget_fd(const char *name);

#endif /* GHOSTD_SERVICE_H */
