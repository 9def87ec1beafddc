// SPDX-License-Identifier: GPL-2.0
/*
 * Logging: see log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "ghost";
static enum log_level log_threshold = LOG_LEVEL_INFO;
static bool log_to_journal;
static bool log_syslog;

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void log_init(const char *ident, enum log_level level)
{
	log_ident = ident;
	log_threshold = level;
	/* systemd sets JOURNAL_STREAM when stderr is connected to journald. */
	log_to_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_fini(void)
{
	if (log_syslog)
		closelog();
	log_syslog = false;
	fflush(stderr);
}

void log_to_syslog(void)
{
	openlog(log_ident, LOG_PID, LOG_DAEMON);
	log_syslog = true;
}

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

enum log_level log_get_level(void)
{
	return log_threshold;
}

int log_level_from_name(const char *name)
{
	for (int i = LOG_LEVEL_ERROR; i <= LOG_LEVEL_DEBUG; i++)
		if (!strcmp(name, level_names[i]))
			return i;
	return -1;
}

const char *log_level_name(enum log_level level)
{
	if (level < LOG_LEVEL_ERROR || level > LOG_LEVEL_DEBUG)
		return "?";
	return level_names[level];
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	int n;
	va_list ap;

	if (level > log_threshold)
		return;
	if (log_syslog) {
		va_start(ap, fmt);
		vsyslog(level, fmt, ap);
		va_end(ap);
		return;
	}
	if (log_to_journal)
		n = snprintf(line, sizeof(line), "<%d>", level);
	else
		n = snprintf(line, sizeof(line), "%s: %s: ", log_ident,
			     log_level_name(level));
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	line[n++] = '\n';
	/* One write per line, so lines of concurrent threads never mix. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
