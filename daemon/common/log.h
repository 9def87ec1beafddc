/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging for ghostd, ghost-agent and ghostctl: one line per message, on
 * stderr. Under systemd (JOURNAL_STREAM set) each line starts with its
 * syslog priority as "<N>", which journald turns into the record's level;
 * elsewhere it starts with the program's name and the level's name. A
 * daemon that detached from its terminal logs to syslog instead.
 * Messages below the configured level cost one comparison. Nothing here
 * allocates on stderr, so agent threads may log, though the hot path
 * should not.
 */
#ifndef GHOST_COMMON_LOG_H
#define GHOST_COMMON_LOG_H

#include <stdbool.h>

/* Levels are syslog priorities, so journald reads them as such. */
enum log_level {
	LOG_LEVEL_ERROR = 3,
	LOG_LEVEL_WARN = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

/* @ident names the program in plain-stderr mode; @level is the threshold. */
void log_init(const char *ident, enum log_level level);
void log_fini(void);
/* From now on, log to syslog (facility daemon): stderr is gone. */
void log_to_syslog(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* "error", "warn", "notice", "info" or "debug"; -1 if @name is none. */
int log_level_from_name(const char *name);
const char *log_level_name(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif /* GHOST_COMMON_LOG_H */
