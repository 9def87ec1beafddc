// SPDX-License-Identifier: GPL-2.0
/*
 * The supervisor: see supervisor.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "common/cpulist.h"
#include "common/live_enclaves.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/xalloc.h"
#include "kernel.h"
#include "liveness.h"
#include "loop.h"
#include "onboard.h"
#include "service.h"
#include "supervisor.h"

/* How long ghostd waits for an agent's status when asked for its own. */
#define STATUS_TIMEOUT_MS	2000

enum enclave_state {
	ENCLAVE_STARTING,	/* its agent starts, first or after a crash */
	ENCLAVE_RUNNING,	/* its agent answers; onboarding feeds it */
	ENCLAVE_FAILED,		/* given up and destroyed; @reason says why */
};

/* One configured enclave and what the supervisor knows of it. */
struct managed {
	struct enclave_config config;	/* as its file says */
	char plugin[PLUGIN_NAME_MAX];	/* what its agent runs, or is to run */
	json_t *params;
	int fd;				/* an enclave fd, -1 if none lives */
	struct agent agent;
	enum enclave_state state;
	char reason[512];		/* why it failed, else how its agent last ended */
	unsigned restarts;
	int64_t crash_ms[CONFIG_CRASH_LIMIT_MAX];	/* recent crashes */
	size_t nr_crashes;
};

static struct {
	char *config_dir;
	struct daemon_config settings;	/* its enclaves are in @enclaves */
	supervisor_settings_fn *on_settings;
	/* Pointers, because agents and the loop point into them. */
	struct managed **enclaves;
	size_t nr;
	bool started;		/* supervisor_init has gone through every enclave */
	bool ready_told;
} sup;

static const char *state_name(enum enclave_state state)
{
	switch (state) {
	case ENCLAVE_STARTING:
		return PROTO_STATE_STARTING;
	case ENCLAVE_RUNNING:
		return PROTO_STATE_RUNNING;
	default:
		return PROTO_STATE_FAILED;
	}
}

static struct managed *find(const char *name)
{
	for (size_t i = 0; i < sup.nr; i++)
		if (!strcmp(sup.enclaves[i]->config.name, name))
			return sup.enclaves[i];
	return NULL;
}

/* Tell onboarding which enclaves take tasks now, with their rules. */
static void update_onboarding(void)
{
	struct onboard_target *targets = xcalloc(sup.nr, sizeof(*targets));

	for (size_t i = 0; i < sup.nr; i++) {
		struct managed *m = sup.enclaves[i];

		targets[i] = (struct onboard_target){
			.name = m->config.name,
			.enclave_fd = m->state == ENCLAVE_RUNNING ? m->fd : -1,
			.rules = m->config.rules,
			.nr_rules = m->config.nr_rules,
			.agent_pid = m->agent.pid,
		};
	}
	onboard_set_targets(targets, sup.nr);
	free(targets);
}

/* STATUS= for systemctl status, and READY=1 once nothing is starting. */
static void report(void)
{
	size_t count[3] = { 0 };

	for (size_t i = 0; i < sup.nr; i++)
		count[sup.enclaves[i]->state]++;
	service_status("%zu enclaves: %zu running, %zu starting, %zu failed",
		       sup.nr, count[ENCLAVE_RUNNING], count[ENCLAVE_STARTING],
		       count[ENCLAVE_FAILED]);
	if (sup.started && !sup.ready_told && !count[ENCLAVE_STARTING]) {
		sup.ready_told = true;
		log_notice("ready: %zu enclaves running, %zu failed",
			   count[ENCLAVE_RUNNING], count[ENCLAVE_FAILED]);
		service_ready();
	}
}

static void destroy_enclave(struct managed *m)
{
	if (m->fd < 0)
		return;
	if (kernel_destroy_enclave(m->fd) && errno != ENODEV)
		log_error("enclave %s: cannot destroy it: %s", m->config.name,
			  strerror(errno));
	close(m->fd);
	m->fd = -1;
}

/* Give up on @m: destroy it (its tasks run on under CFS) and say why. */
static void fail(struct managed *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct managed *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
	va_end(ap);
	log_error("enclave %s failed: %s", m->config.name, m->reason);
	agent_kill(&m->agent);
	destroy_enclave(m);
	m->state = ENCLAVE_FAILED;
	update_onboarding();
	report();
}

static void on_agent_ready(struct agent *agent, void *arg);
static void on_agent_exit(struct agent *agent, const char *how, void *arg);

static struct managed *managed_new(const struct enclave_config *config)
{
	struct managed *m = xcalloc(1, sizeof(*m));

	enclave_config_copy(&m->config, config);
	snprintf(m->plugin, sizeof(m->plugin), "%s", config->plugin);
	m->params = json_deep_copy(config->params);
	m->fd = -1;
	agent_init(&m->agent, config->name, on_agent_ready, on_agent_exit, m);
	return m;
}

static void managed_free(struct managed *m)
{
	if (m->fd >= 0)
		close(m->fd);
	json_decref(m->params);
	enclave_config_free(&m->config);
	free(m);
}

static void append(struct managed *m)
{
	sup.enclaves = xrealloc(sup.enclaves, (sup.nr + 1) * sizeof(*sup.enclaves));
	sup.enclaves[sup.nr++] = m;
}

/* Remove @m from the list (not freeing it). */
static void unlink_managed(struct managed *m)
{
	for (size_t i = 0; i < sup.nr; i++) {
		if (sup.enclaves[i] != m)
			continue;
		memmove(&sup.enclaves[i], &sup.enclaves[i + 1],
			(sup.nr - i - 1) * sizeof(*sup.enclaves));
		sup.nr--;
		return;
	}
}

static int spawn(struct managed *m, bool adopt, char *why, size_t len)
{
	struct agent_launch launch = {
		.program = sup.settings.agent_path,
		.plugin = m->plugin,
		.params = m->params,
		.plugin_dir = sup.settings.plugin_dir,
		.liveness_fd = liveness_read_fd(),
		.liveness_grace_ms = sup.settings.liveness_grace_ms,
		.adopt = adopt,
		.log_level = log_get_level(),
	};

	if (agent_spawn(&m->agent, &launch, why, len))
		return -1;
	m->state = ENCLAVE_STARTING;
	return 0;
}

/* Create @m's enclave in the kernel and start its agent. */
static int start(struct managed *m, char *why, size_t len)
{
	const struct enclave_config *c = &m->config;
	char cpus[256];

	int err;

	cpulist_format(&c->cpus, cpus, sizeof(cpus));
	m->fd = kernel_create_enclave(c->name, &c->cpus, c->watchdog_ms,
				      c->max_tasks);
	if (m->fd < 0) {
		err = errno;
		snprintf(why, len, "cannot create it on CPUs %s: %s%s", cpus,
			 strerror(err),
			 err == EBUSY ? " (a CPU belongs to another enclave)" :
			 err == EEXIST ? " (a live enclave has this name)" :
			 err == ENOSPC ? " (no online CPU would be left outside enclaves)" :
			 err == ENODEV ? " (a CPU is offline)" : "");
		return -1;
	}
	log_info("enclave %s: created on CPUs %s with %s", c->name, cpus, m->plugin);
	return spawn(m, false, why, len);
}

/* Ask the agent to run @plugin with @params; @reply gets its answer. */
static int swap_policy(struct managed *m, const char *plugin, json_t *params,
		       json_t **reply, char *why, size_t len)
{
	json_t *request = json_pack("{s:s, s:s, s:O}", PROTO_CMD, PROTO_CMD_SWAP,
				    PROTO_PLUGIN, plugin, PROTO_PARAMS, params);
	int ret = agent_request(&m->agent, request, reply, AGENT_REQUEST_TIMEOUT_MS,
				why, len);

	json_decref(request);
	if (ret)
		return -1;
	log_info("enclave %s: policy %s replaced by %s (blackout %" JSON_INTEGER_FORMAT " ns)",
		 m->config.name, m->plugin, plugin,
		 json_integer_value(json_object_get(*reply, PROTO_BLACKOUT_NS)));
	snprintf(m->plugin, sizeof(m->plugin), "%s", plugin);
	json_decref(m->params);
	m->params = json_deep_copy(params);
	return 0;
}

/*
 * Give @m the CPUs @cpus: through its agent if one runs (it has agents to
 * add and remove), directly if none does. With an agent still starting,
 * nothing happens now: once it runs, reconcile() applies the configuration.
 */
static int set_cpus(struct managed *m, const cpu_set_t *cpus, char *why,
		    size_t len)
{
	char list[256];
	json_t *request, *reply;
	int ret;

	cpulist_format(cpus, list, sizeof(list));
	switch (m->agent.state) {
	case AGENT_ABSENT:
		if (kernel_set_cpus(m->fd, cpus)) {
			snprintf(why, len, "%s", strerror(errno));
			return -1;
		}
		break;
	case AGENT_STARTING:
		return 0;
	case AGENT_RUNNING:
		request = json_pack("{s:s, s:s}", PROTO_CMD, PROTO_CMD_SET_CPUS,
				    PROTO_CPUS, list);
		ret = agent_request(&m->agent, request, &reply,
				    AGENT_REQUEST_TIMEOUT_MS, why, len);
		json_decref(request);
		json_decref(reply);
		if (ret)
			return -1;
		break;
	}
	log_info("enclave %s: CPUs now %s", m->config.name, list);
	return 0;
}

/* The CPUs the kernel says @m has; -1 if it is gone. */
static int live_cpus(struct managed *m, cpu_set_t *cpus)
{
	struct ghost_enclave_info info;

	if (m->fd < 0 || kernel_enclave_info(m->fd, &info) ||
	    info.state != GHOST_ENCLAVE_LIVE)
		return -1;
	kernel_info_cpus(&info, cpus);
	return 0;
}

/* Append "; @fmt" to the problems a reload reports. */
static void add_problem(char *problems, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_problem(char *problems, size_t len, const char *fmt, ...)
{
	size_t used = strlen(problems);
	va_list ap;

	if (used && used + 2 < len) {
		strcpy(problems + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(problems + used, len - used, fmt, ap);
	va_end(ap);
}

/*
 * Move every live enclave to its configured CPUs in two passes: each
 * first shrinks to the CPUs it keeps, then grows, so that a CPU can pass
 * from one enclave to another.
 */
static void move_cpus(char *problems, size_t len)
{
	for (int grow = 0; grow <= 1; grow++) {
		for (size_t i = 0; i < sup.nr; i++) {
			struct managed *m = sup.enclaves[i];
			cpu_set_t now, want;
			char why[256], list[256];

			if (m->state == ENCLAVE_FAILED || live_cpus(m, &now))
				continue;
			if (grow)
				want = m->config.cpus;
			else
				CPU_AND(&want, &now, &m->config.cpus);
			if (CPU_EQUAL(&want, &now) || !CPU_COUNT(&want))
				continue;
			if (set_cpus(m, &want, why, sizeof(why))) {
				log_error("enclave %s: cannot move to CPUs %s: %s",
					  m->config.name,
					  cpulist_format(&want, list, sizeof(list)), why);
				add_problem(problems, len,
					    "enclave %s: cannot move to CPUs %s: %s",
					    m->config.name, list, why);
			}
		}
	}
}

/* Give a live enclave the configured watchdog, if it has another. */
static void fix_watchdog(struct managed *m)
{
	struct ghost_enclave_info info;

	if (m->fd < 0 || kernel_enclave_info(m->fd, &info) ||
	    info.watchdog_ms == m->config.watchdog_ms)
		return;
	if (kernel_set_watchdog(m->fd, m->config.watchdog_ms))
		log_error("enclave %s: cannot set the watchdog to %u ms: %s",
			  m->config.name, m->config.watchdog_ms, strerror(errno));
	else
		log_info("enclave %s: watchdog now %u ms", m->config.name,
			 m->config.watchdog_ms);
}

/*
 * An agent that now runs may have been started, or found, with another
 * configuration in force: give the enclave its configured CPUs and the
 * policy the supervisor wants.
 */
static void reconcile(struct managed *m)
{
	json_t *request = json_pack("{s:s}", PROTO_CMD, PROTO_CMD_STATUS);
	json_t *status, *reply, *params;
	const char *plugin;
	cpu_set_t now;
	char why[512];

	if (live_cpus(m, &now) == 0 && !CPU_EQUAL(&now, &m->config.cpus) &&
	    set_cpus(m, &m->config.cpus, why, sizeof(why)))
		log_error("enclave %s: cannot take its configured CPUs: %s",
			  m->config.name, why);
	fix_watchdog(m);
	if (agent_request(&m->agent, request, &status, STATUS_TIMEOUT_MS, why,
			  sizeof(why))) {
		log_warn("enclave %s: no status from its agent: %s",
			 m->config.name, why);
		json_decref(request);
		return;
	}
	json_decref(request);
	plugin = json_string_value(json_object_get(status, PROTO_PLUGIN));
	params = json_object_get(status, PROTO_PARAMS);
	if ((plugin && strcmp(plugin, m->plugin)) ||
	    (params && !json_equal(params, m->params))) {
		json_t *wanted = json_incref(m->params);

		if (swap_policy(m, m->plugin, wanted, &reply, why, sizeof(why)) == 0)
			json_decref(reply);
		else
			log_error("enclave %s: its agent runs %s and will not take %s: %s",
				  m->config.name, plugin ? plugin : "?", m->plugin, why);
		json_decref(wanted);
	}
	json_decref(status);
}

static void on_agent_ready(struct agent *agent, void *arg)
{
	struct managed *m = arg;

	(void)agent;
	reconcile(m);
	m->state = ENCLAVE_RUNNING;
	log_info("enclave %s: running %s", m->config.name, m->plugin);
	update_onboarding();
	onboard_scan(m->config.name);
	report();
}

/* Count a crash now; true if it makes crash_limit within the window. */
static bool crash_loop(struct managed *m)
{
	int64_t now = loop_now_ms(), window = sup.settings.crash_window_s * 1000LL;
	size_t kept = 0;

	for (size_t i = 0; i < m->nr_crashes; i++)
		if (now - m->crash_ms[i] < window)
			m->crash_ms[kept++] = m->crash_ms[i];
	m->nr_crashes = kept;
	if (m->nr_crashes < CONFIG_CRASH_LIMIT_MAX)
		m->crash_ms[m->nr_crashes++] = now;
	return m->nr_crashes >= sup.settings.crash_limit;
}

static void on_agent_exit(struct agent *agent, const char *how, void *arg)
{
	struct managed *m = arg;
	cpu_set_t cpus;
	char why[256];

	(void)agent;
	snprintf(m->reason, sizeof(m->reason), "its agent %s", how);
	log_warn("enclave %s: agent %s", m->config.name, how);
	m->state = ENCLAVE_STARTING;
	update_onboarding();
	if (live_cpus(m, &cpus)) {
		fail(m, "the enclave was destroyed while its agent %s (its watchdog "
		     "fired, or another process destroyed it); a reload recreates it",
		     how);
		return;
	}
	if (crash_loop(m)) {
		fail(m, "its agent ended %zu times within %u s (last: %s); "
		     "a reload starts it again", m->nr_crashes,
		     sup.settings.crash_window_s, how);
		return;
	}
	m->restarts++;
	if (spawn(m, true, why, sizeof(why)))
		fail(m, "cannot restart its agent: %s", why);
	else
		report();
}

/* Destroy @m and stop its agent: it left the configuration. */
static void retire(struct managed *m)
{
	log_notice("enclave %s: no longer configured; destroying it",
		   m->config.name);
	agent_stop(&m->agent, true);
	destroy_enclave(m);
	unlink_managed(m);
	managed_free(m);
}

/* A live enclave no configured one adopts: destroy it, and its agent. */
static void retire_live(const struct live_enclave *live)
{
	struct agent agent;
	int fd;

	log_notice("enclave %s (id %llu, CPUs %s): not configured; destroying it",
		   live->name[0] ? live->name : "without a name",
		   (unsigned long long)live->id, live->cpus);
	if (live->name[0]) {
		agent_init(&agent, live->name, NULL, NULL, NULL);
		if (agent_attach(&agent) == 0)
			agent_stop(&agent, true);
	}
	fd = kernel_open_enclave_id(live->id);
	if (fd < 0) {
		if (errno != ENOENT)
			log_error("cannot open enclave %llu: %s",
				  (unsigned long long)live->id, strerror(errno));
		return;
	}
	if (kernel_destroy_enclave(fd) && errno != ENODEV)
		log_error("cannot destroy enclave %llu: %s",
			  (unsigned long long)live->id, strerror(errno));
	close(fd);
}

/* Take the daemon's settings of @config; its enclaves stay with it. */
static void take_settings(struct daemon_config *config)
{
	struct daemon_config *s = &sup.settings;

	free(s->plugin_dir);
	free(s->agent_path);
	free(s->socket_group);
	*s = *config;
	s->enclaves = NULL;
	s->nr_enclaves = 0;
	config->plugin_dir = config->agent_path = config->socket_group = NULL;
}

/* Adopt the live enclave of @m's name, with its agent if one lives. */
static int adopt(struct managed *m, char *why, size_t len)
{
	m->fd = kernel_open_enclave(m->config.name);
	if (m->fd < 0) {
		snprintf(why, len, "cannot open the live enclave: %s",
			 strerror(errno));
		return -1;
	}
	log_info("enclave %s: adopting the live enclave", m->config.name);
	if (agent_attach(&m->agent) == 0)
		m->state = ENCLAVE_RUNNING;
	fix_watchdog(m);
	return 0;
}

int supervisor_init(const char *config_dir, struct daemon_config *config,
		    supervisor_settings_fn *on_settings, char *why, size_t len)
{
	struct live_enclaves live;
	char problem[512] = "", reason[512];

	memset(&sup, 0, sizeof(sup));
	if (live_enclaves_read(&live, why, len))
		return -1;
	sup.config_dir = xstrdup(config_dir);
	sup.on_settings = on_settings;
	take_settings(config);
	for (size_t i = 0; i < live.nr; i++) {
		const struct live_enclave *l = &live.list[i];
		bool configured = false;

		for (size_t j = 0; j < config->nr_enclaves && l->name[0]; j++)
			configured |= !strcmp(config->enclaves[j].name, l->name);
		if (l->state == GHOST_ENCLAVE_LIVE && !configured)
			retire_live(l);
	}
	for (size_t i = 0; i < config->nr_enclaves; i++) {
		const struct live_enclave *l = live_enclaves_find(&live,
								  config->enclaves[i].name);
		struct managed *m = managed_new(&config->enclaves[i]);

		append(m);
		if (l && l->state == GHOST_ENCLAVE_LIVE && adopt(m, reason, sizeof(reason)))
			fail(m, "%s", reason);
	}
	live_enclaves_free(&live);
	config_free(config);
	/*
	 * Adopted enclaves first: their CPUs may be what new ones need. At
	 * start, what fails is logged: nobody asked, so nobody is told.
	 */
	move_cpus(problem, sizeof(problem));
	for (size_t i = 0; i < sup.nr; i++) {
		struct managed *m = sup.enclaves[i];

		if (m->state == ENCLAVE_FAILED)
			continue;
		if (m->fd >= 0 && m->agent.state == AGENT_RUNNING)
			on_agent_ready(&m->agent, m);
		else if (m->fd >= 0 && spawn(m, true, reason, sizeof(reason)))
			fail(m, "cannot start its agent: %s", reason);
		else if (m->fd < 0 && start(m, reason, sizeof(reason)))
			fail(m, "%s", reason);
	}
	sup.started = true;
	update_onboarding();
	report();
	return 0;
}

void supervisor_fini(void)
{
	for (size_t i = 0; i < sup.nr; i++) {
		struct managed *m = sup.enclaves[i];

		/* The agent lives on; stop watching it. */
		if (m->agent.pidfd >= 0) {
			loop_remove_fd(m->agent.pidfd);
			loop_cancel(m->agent.probe_timeout);
			close(m->agent.pidfd);
		}
		managed_free(m);
	}
	free(sup.enclaves);
	free(sup.config_dir);
	config_free(&sup.settings);
	memset(&sup, 0, sizeof(sup));
}

/* What cannot change in a live enclave without recreating it. */
static int check_fixed(const struct daemon_config *next, char *why, size_t len)
{
	for (size_t i = 0; i < next->nr_enclaves; i++) {
		const struct enclave_config *c = &next->enclaves[i];
		struct managed *m = find(c->name);

		if (!m || m->state == ENCLAVE_FAILED ||
		    m->config.max_tasks == c->max_tasks)
			continue;
		snprintf(why, len, "%s:%d:%d: \"max_tasks\": cannot change while "
			 "enclave \"%s\" lives (it has %u); remove the enclave, "
			 "reload, then add it back", c->source, c->max_tasks_at.line,
			 c->max_tasks_at.column, c->name, m->config.max_tasks);
		return -1;
	}
	return 0;
}

static bool configured_in(const struct daemon_config *next, const char *name)
{
	for (size_t i = 0; i < next->nr_enclaves; i++)
		if (!strcmp(next->enclaves[i].name, name))
			return true;
	return false;
}

/* Apply a validated configuration; what failed goes into @problems. */
static void apply(struct daemon_config *next, char *problems, size_t len)
{
	struct managed **order = xcalloc(next->nr_enclaves, sizeof(*order));
	char why[512];

	for (size_t i = sup.nr; i-- > 0;)
		if (!configured_in(next, sup.enclaves[i]->config.name))
			retire(sup.enclaves[i]);
	for (size_t i = 0; i < next->nr_enclaves; i++) {
		const struct enclave_config *c = &next->enclaves[i];
		struct managed *m = find(c->name);

		if (m && m->state == ENCLAVE_FAILED) {
			/* Failed ones start afresh below. */
			unlink_managed(m);
			managed_free(m);
			m = NULL;
		}
		if (!m)
			continue;
		enclave_config_free(&m->config);
		enclave_config_copy(&m->config, c);
		fix_watchdog(m);
		if (strcmp(m->plugin, c->plugin) || !json_equal(m->params, c->params)) {
			json_t *reply;

			if (m->agent.state != AGENT_RUNNING) {
				/* Its agent will start, or be reconciled, with it. */
				snprintf(m->plugin, sizeof(m->plugin), "%s", c->plugin);
				json_decref(m->params);
				m->params = json_deep_copy(c->params);
			} else if (swap_policy(m, c->plugin, c->params, &reply, why,
					       sizeof(why))) {
				log_error("enclave %s: %s; %s runs on", c->name, why,
					  m->plugin);
				add_problem(problems, len, "enclave %s: %s; %s runs on",
					    c->name, why, m->plugin);
			} else {
				json_decref(reply);
			}
		}
	}
	move_cpus(problems, len);
	for (size_t i = 0; i < next->nr_enclaves; i++) {
		struct managed *m = find(next->enclaves[i].name);

		if (!m) {
			m = managed_new(&next->enclaves[i]);
			append(m);
			if (start(m, why, sizeof(why))) {
				fail(m, "%s", why);
				add_problem(problems, len, "enclave %s: %s",
					    m->config.name, why);
			}
		}
		order[i] = m;
	}
	/* The configuration's order is onboarding's priority. */
	memcpy(sup.enclaves, order, next->nr_enclaves * sizeof(*order));
	free(order);
	update_onboarding();
	onboard_scan(NULL);
}

int supervisor_reload(char *why, size_t len)
{
	struct config_errors errors = { 0 };
	struct config_machine machine;
	struct daemon_config next;
	char problems[1024] = "";
	int ret = -1;

	log_notice("reloading the configuration from %s", sup.config_dir);
	service_reloading();
	if (config_machine_read(&machine, why, len))
		goto out;
	if (config_load(sup.config_dir, &machine, &next, &errors)) {
		for (size_t i = 0; i < errors.nr; i++)
			log_error("%s", errors.lines[i]);
		snprintf(why, len, "%s%s", errors.lines[0],
			 errors.nr > 1 ? " (and more: see the log)" : "");
		config_errors_free(&errors);
		config_free(&next);
		goto out;
	}
	if (check_fixed(&next, why, len)) {
		log_error("%s", why);
		config_free(&next);
		goto out;
	}
	/* New agents start with the new settings. */
	take_settings(&next);
	apply(&next, problems, sizeof(problems));
	config_free(&next);
	if (sup.on_settings)
		sup.on_settings(&sup.settings);
	if (problems[0]) {
		snprintf(why, len, "%s", problems);
	} else {
		log_notice("configuration reloaded");
		ret = 0;
	}
out:
	if (ret && !problems[0])
		log_error("reload refused; nothing changed");
	service_ready();
	report();
	return ret;
}

json_t *supervisor_status(void)
{
	json_t *list = json_array();

	for (size_t i = 0; i < sup.nr; i++) {
		struct managed *m = sup.enclaves[i];
		json_t *request, *reply, *entry;
		char cpus[256], why[512];

		entry = json_pack("{s:s, s:s, s:s, s:s, s:O, s:i, s:i, s:s}",
				  PROTO_NAME, m->config.name,
				  PROTO_CPUS, cpulist_format(&m->config.cpus, cpus,
							     sizeof(cpus)),
				  PROTO_STATE, state_name(m->state),
				  PROTO_PLUGIN, m->plugin,
				  PROTO_PARAMS, m->params,
				  PROTO_WATCHDOG_MS, (int)m->config.watchdog_ms,
				  PROTO_RESTARTS, (int)m->restarts,
				  PROTO_SOURCE, m->config.source);
		if (m->reason[0])
			json_object_set_new(entry, PROTO_REASON, json_string(m->reason));
		if (m->agent.pid)
			json_object_set_new(entry, PROTO_PID, json_integer(m->agent.pid));
		if (m->state == ENCLAVE_RUNNING) {
			request = json_pack("{s:s}", PROTO_CMD, PROTO_CMD_STATUS);
			if (agent_request(&m->agent, request, &reply, STATUS_TIMEOUT_MS,
					  why, sizeof(why)) == 0) {
				json_object_del(reply, PROTO_OK);
				json_object_update_missing(entry, reply);
				json_decref(reply);
			} else {
				log_warn("enclave %s: no status from its agent: %s",
					 m->config.name, why);
			}
			json_decref(request);
		}
		json_array_append_new(list, entry);
	}
	return json_pack("{s:o}", PROTO_ENCLAVES, list);
}

/* @name's record if it runs, else NULL with @why. */
static struct managed *running(const char *name, char *why, size_t len)
{
	struct managed *m = find(name);

	if (!m)
		snprintf(why, len, "no enclave %s", name);
	else if (m->state != ENCLAVE_RUNNING)
		snprintf(why, len, "enclave %s is %s", name, state_name(m->state));
	else
		return m;
	return NULL;
}

int supervisor_swap(const char *enclave, const char *plugin, json_t *params,
		    json_t **reply, char *why, size_t len)
{
	struct managed *m = running(enclave, why, len);
	struct plugin_problem problem;

	*reply = NULL;
	if (!m)
		return -1;
	/* The descriptor's view first: its message says which parameter. */
	if (plugin_check(sup.settings.plugin_dir, plugin, params, &problem)) {
		snprintf(why, len, "%s%s%s", problem.param,
			 problem.param[0] ? ": " : "", problem.why);
		return -1;
	}
	if (swap_policy(m, plugin, params, reply, why, len))
		return -1;
	json_object_del(*reply, PROTO_OK);
	json_object_set_new(*reply, PROTO_ENCLAVE, json_string(enclave));
	return 0;
}

/* The running enclave for a pid added without a name, or NULL with @why. */
static struct managed *choose(pid_t pid, char *why, size_t len)
{
	const struct onboard_target *matched = onboard_match(pid);
	struct managed *only = NULL;
	size_t nr_running = 0;

	if (matched)
		return find(matched->name);
	for (size_t i = 0; i < sup.nr; i++) {
		if (sup.enclaves[i]->state == ENCLAVE_RUNNING) {
			only = sup.enclaves[i];
			nr_running++;
		}
	}
	if (nr_running == 1)
		return only;
	snprintf(why, len, nr_running ?
		 "%d matches no enclave's rules; name the enclave" :
		 "%d cannot be added: no enclave is running", (int)pid);
	return NULL;
}

int supervisor_add(pid_t pid, const char *enclave, bool process,
		   json_t **reply, char *why, size_t len)
{
	struct onboard_target target;
	struct ghost_add_task result;
	struct managed *m;

	*reply = NULL;
	if (onboard_refusal(pid, why, len))
		return -1;
	m = enclave ? running(enclave, why, len) : choose(pid, why, len);
	if (!m)
		return -1;
	target = (struct onboard_target){
		.name = m->config.name,
		.enclave_fd = m->fd,
	};
	onboard_opt_in(pid);
	if (onboard_add(&target, pid, process, &result)) {
		snprintf(why, len, "cannot add %d to enclave %s: %s (%u threads added, %u failed)",
			 (int)pid, m->config.name, kernel_add_error(errno), result.nr_added,
			 result.nr_failed);
		return -1;
	}
	*reply = json_pack("{s:s, s:i, s:i, s:i}", PROTO_ENCLAVE, m->config.name,
			   PROTO_ADDED, (int)result.nr_added,
			   PROTO_PRESENT, (int)result.nr_present,
			   PROTO_FAILED, (int)result.nr_failed);
	return 0;
}

int supervisor_remove(pid_t pid, bool process, json_t **reply, char *why,
		      size_t len)
{
	unsigned removed;

	*reply = NULL;
	for (size_t i = 0; i < sup.nr; i++) {
		struct managed *m = sup.enclaves[i];

		if (m->fd < 0)
			continue;
		if (kernel_remove_task(m->fd, pid, process, &removed) == 0) {
			onboard_opt_out(pid);
			log_info("enclave %s: removed %s %d (%u threads)",
				 m->config.name, process ? "process" : "thread",
				 (int)pid, removed);
			*reply = json_pack("{s:s, s:i}", PROTO_ENCLAVE, m->config.name,
					   PROTO_REMOVED, (int)removed);
			return 0;
		}
		if (errno == ESRCH) {
			snprintf(why, len, "no process or thread %d", (int)pid);
			return -1;
		}
		if (errno != ENOENT) {
			snprintf(why, len, "cannot remove %d from enclave %s: %s",
				 (int)pid, m->config.name, strerror(errno));
			return -1;
		}
	}
	snprintf(why, len, "%d is in no enclave", (int)pid);
	return -1;
}
