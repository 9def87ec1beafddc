/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ghostd's configuration. A configuration directory (/etc/ghost unless
 * --config) holds ghostd.json, the daemon's settings, and enclaves.d/,
 * one enclave per *.json file, read in file-name order. Either may be
 * absent: the settings then take their defaults, and with no enclave file
 * one built-in enclave "default" covers every online CPU but CPU 0 with
 * the centralized FIFO policy and onboards nothing until asked.
 *
 * Every value goes through a typed parser that enforces its type and
 * range, and every object rejects keys it does not know. An error is one
 * line: "FILE:LINE:COLUMN: KEY: what was expected, got what", for
 * example
 *
 *	enclaves.d/web.json:4:18: "watchdog_ms": expected an integer from
 *	10 to 10000, got 20000
 *
 * The policy and its parameters are checked against the plugin's own
 * descriptor (plugin_check.h), and the enclaves against each other (names,
 * CPUs) and against the machine (online CPUs, one left for the kernel).
 * Parsing never touches the kernel. config/README.md documents the keys.
 */
#ifndef GHOSTD_CONFIG_H
#define GHOSTD_CONFIG_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <linux/ghost.h>

#include "common/log.h"
#include "plugin_check.h"
#include "rules.h"
#include "srcmap.h"

/* Where make install puts the agent and the plugins (build.mk sets it). */
#ifndef GHOST_LIBDIR
#define GHOST_LIBDIR			"/usr/lib/ghost"
#endif

#define CONFIG_DIR_DEFAULT		"/etc/ghost"
#define CONFIG_DAEMON_FILE		"ghostd.json"
#define CONFIG_ENCLAVES_DIR		"enclaves.d"

/* Defaults and ranges, as config/README.md states them. */
#define CONFIG_PLUGIN_DIR_DEFAULT	GHOST_LIBDIR "/policies"
#define CONFIG_AGENT_PATH_DEFAULT	GHOST_LIBDIR "/ghost-agent"
#define CONFIG_SOCKET_GROUP_DEFAULT	"ghost"
#define CONFIG_CRASH_LIMIT_DEFAULT	3
#define CONFIG_CRASH_LIMIT_MAX		100
#define CONFIG_CRASH_WINDOW_DEFAULT	60
#define CONFIG_CRASH_WINDOW_MAX		3600
#define CONFIG_LIVENESS_GRACE_MAX	60000
#define CONFIG_WATCHDOG_DEFAULT		5000
#define CONFIG_WATCHDOG_MIN		10
#define CONFIG_WATCHDOG_MAX		10000
#define CONFIG_MAX_TASKS_DEFAULT	4096
#define CONFIG_MAX_TASKS_MAX		1048576
#define CONFIG_BUILTIN_NAME		"default"
#define CONFIG_BUILTIN_PLUGIN		"fifo_centralized"
#define CONFIG_BUILTIN_SOURCE		"built-in default enclave"

struct enclave_config {
	char name[GHOST_NAME_MAX];
	cpu_set_t cpus;
	unsigned watchdog_ms;
	unsigned max_tasks;
	char plugin[PLUGIN_NAME_MAX];
	json_t *params;			/* an object, owned */
	struct onboard_rule *rules;
	size_t nr_rules;
	/* Where it was written, for errors found later (at reload). */
	char *source;
	struct srcpos name_at;
	struct srcpos cpus_at;
	struct srcpos max_tasks_at;
};

struct daemon_config {
	char *plugin_dir;
	char *agent_path;
	char *socket_group;
	enum log_level log_level;
	unsigned crash_limit;		/* agent crashes ... */
	unsigned crash_window_s;	/* ... within this many seconds */
	/* How long agents wait for a new ghostd once the liveness pipe is gone. */
	unsigned liveness_grace_ms;
	struct enclave_config *enclaves;
	size_t nr_enclaves;
	bool builtin_enclave;		/* enclaves[0] is the built-in one */
};

/* The machine a configuration is checked against. */
struct config_machine {
	cpu_set_t online;
};

/* Error lines, in the order found. */
struct config_errors {
	char **lines;
	size_t nr;
};

/* The online CPUs of this machine; -1 with @why if unreadable. */
int config_machine_read(struct config_machine *machine, char *why, size_t len);

/*
 * Load the configuration in @dir into @config. Returns 0, or -1 with every
 * error found in @errors (each file stops at its first error; the checks
 * between enclaves run once every file parsed).
 */
int config_load(const char *dir, const struct config_machine *machine,
		struct daemon_config *config, struct config_errors *errors);

/*
 * ghostd --check-config PATH...: each path is a configuration directory
 * (it holds ghostd.json or enclaves.d), a directory of enclave files, a
 * settings file named ghostd.json, or an enclave file. Enclave files not
 * in a configuration directory are checked together, with the plugin
 * directory of a settings file among @paths, else that of @dir. Returns
 * 0, or -1 with @errors.
 */
int config_check_paths(char *const paths[], size_t nr, const char *dir,
		       const struct config_machine *machine,
		       struct config_errors *errors);

/*
 * The parsers under config_load, on text already in memory (@source names
 * it in messages). config_parse_enclave checks the policy against the
 * plugins in @plugin_dir; config_check_enclaves checks enclaves against
 * each other and @machine.
 */
int config_parse_daemon(const char *text, size_t len, const char *source,
			struct daemon_config *config, struct config_errors *errors);
int config_parse_enclave(const char *text, size_t len, const char *source,
			 const char *plugin_dir, const struct config_machine *machine,
			 struct enclave_config *enclave, struct config_errors *errors);
int config_check_enclaves(const struct enclave_config *enclaves, size_t nr,
			  const struct config_machine *machine,
			  struct config_errors *errors);

/* Set @config to the defaults, with no enclave. */
void config_defaults(struct daemon_config *config);
void config_free(struct daemon_config *config);

void enclave_config_copy(struct enclave_config *to,
			 const struct enclave_config *from);
void enclave_config_free(struct enclave_config *enclave);

void config_errors_free(struct config_errors *errors);

#endif /* GHOSTD_CONFIG_H */
