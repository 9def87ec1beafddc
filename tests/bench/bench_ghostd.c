// SPDX-License-Identifier: GPL-2.0
/* vm-args: --install --timeout 290 */
/*
 * Measures what ghostd adds, with ghostd as `make install` puts it in the
 * VM, each repeated GBENCH_REPEATS times in one VM run:
 *
 * 1. Local schedule through ghostd's fifo_per_cpu against the raw test
 *    agent (tests/kernel/lib): one ghost thread on CPU 1 calls
 *    sched_yield() in a loop, and the agent of CPU 1 commits it again each
 *    time. Per switch; the ratios are ghostd / raw, for the raw agent as a
 *    thread of the measuring process (as bench_local_schedule runs it) and
 *    in a process of its own (gproc), as ghostd runs its agents.
 * 2. The blackout of a policy swap (fifo_per_cpu <-> fifo_centralized, by
 *    `ghostctl swap`) with 1,000 ghost tasks that sleep and wake: what the
 *    agent reports, from quiescing until every agent the new policy
 *    schedules with has its role.
 *    As a ratio to the way sched_ext swaps, through CFS, measured on the
 *    same 1,000 tasks in the same run: each leaves the enclave for CFS
 *    (GHOST_IOC_REMOVE_TASK) and is added again, the least such a swap
 *    does; TCG distorts both alike, unlike an absolute goal.
 * 3. From saving an edited policy file to the new policy scheduling: the
 *    file is rewritten with the other plugin, `ghostctl reload` runs, and
 *    the clock stops once the enclave has the new model's agents (per_cpu:
 *    one per CPU; centralized: one) and a yielding ghost thread has run
 *    again after that.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gagent.h"
#include "gbench.h"
#include "gproc.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define GHOSTD		"/usr/sbin/ghostd"
#define GHOSTCTL	"/usr/bin/ghostctl"
#define CONF		"/tmp/bench-ghostd"
#define ENCLAVE		"bench"
#define YIELD_CPU	1
#define ROUNDS		20000
#define SWAP_TASKS	1000

static double measured_switch_ns;

static void yield_loop(struct gworker *w)
{
	(void)w;
	measured_switch_ns = gbench_yield_switch_ns(ROUNDS);
}

/* A yielding thread's progress, for measure 3. */
static uint64_t yields;

static void count_yields(struct gworker *w)
{
	while (!gworker_stopping(w)) {
		__atomic_fetch_add(&yields, 1, __ATOMIC_RELAXED);
		sched_yield();
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	fputs(text, f);
	CHECK(fclose(f) == 0);
}

static void write_enclave(const char *cpus, const char *plugin)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "{\"name\": \"%s\", \"cpus\": \"%s\", \"watchdog_ms\": 5000,\n"
		 " \"policy\": {\"plugin\": \"%s\"}}\n", ENCLAVE, cpus, plugin);
	write_file(CONF "/enclaves.d/" ENCLAVE ".json", text);
}

/* The enclave's agents, or -1 if it does not exist. */
static int nr_agents(void)
{
	struct genclave e;
	int n;

	if (genclave_open_named(&e, ENCLAVE))
		return -1;
	n = e.info.nr_agents;
	genclave_close(&e);
	return n;
}

static bool wait_agents(int want, int timeout_ms)
{
	uint64_t deadline = gnow_ns() + timeout_ms * 1000000ULL;

	while (nr_agents() != want)
		if (gnow_ns() > deadline)
			return false;
	return true;
}

static pid_t ghostd_start(const char *cpus, const char *plugin, int agents)
{
	pid_t pid;

	mkdir(CONF, 0755);
	mkdir(CONF "/enclaves.d", 0755);
	write_file(CONF "/ghostd.json", "{\"log_level\": \"warn\"}\n");
	write_enclave(cpus, plugin);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execl(GHOSTD, GHOSTD, "--config", CONF, "--foreground", (char *)NULL);
		_exit(127);
	}
	CHECK(wait_agents(agents, 60000));
	return pid;
}

static void ghostd_stop(pid_t pid)
{
	uint64_t deadline = gnow_ns() + 30000000000ULL;

	CHECK(kill(pid, SIGTERM) == 0);
	CHECK(waitpid(pid, NULL, 0) == pid);
	/* Its agent finds no supervisor and destroys the enclave. */
	while (nr_agents() >= 0)
		CHECK(gnow_ns() < deadline);
}

/* Run @argv, its output in @out; its exit status. */
static int run(char *const argv[], char *out, size_t len)
{
	int fds[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A fresh enclave of CPU YIELD_CPU, once the last one has let it go. */
static void enclave_create(struct genclave *e, const cpu_set_t *cpus)
{
	for (int tries = 0; genclave_create(e, cpus, 0, 0); tries++) {
		CHECK(errno == EBUSY && tries < 1000);
		usleep(10000);
	}
	CHECK(genclave_destroy_on_failure(e) == 0);
}

/* The yielding thread's time per switch in enclave @e. */
static double yield_switch_ns(const struct genclave *e, const cpu_set_t *cpus)
{
	struct gwork work = { .body = yield_loop };
	struct gworkers g;

	CHECK(gworkers_spawn(&g, 1, &work, cpus) == 0);
	CHECK(gworkers_add(&g, e) == 1);
	gworkers_release(&g);
	gworkers_join(&g);
	CHECK(gworkers_count_first_policy(&g, SCHED_GHOST) == 1);
	CHECK(gworkers_count_last_policy(&g, SCHED_GHOST) == 1);
	gworkers_free(&g);
	return measured_switch_ns;
}

/*
 * Local schedule per switch: the raw agent as a thread of this process,
 * the raw agent in a process of its own (as ghostd runs agents), ghostd.
 */
static void measure_local(struct gbench_runs *in_process, struct gbench_runs *own_process)
{
	struct gsched_config config = { .mode = GSCHED_PER_CPU };
	struct gsched_counters counters;
	double raw_ns, raw_own_ns, ghostd_ns;
	struct genclave e;
	struct gproc agents;
	struct gsched *s;
	cpu_set_t cpus;
	pid_t ghostd;

	gcpus_one(&cpus, YIELD_CPU);
	config.agent_cpus = cpus;
	enclave_create(&e, &cpus);
	CHECK(gsched_start(&s, &e, &config) == 0);
	raw_ns = yield_switch_ns(&e, &cpus);
	gsched_stop(s, &counters);
	CHECK(genclave_destroy(&e) == 0);

	enclave_create(&e, &cpus);
	CHECK(gproc_fork(&agents, e.id, &config) == 0);
	CHECK(gproc_start(&agents, &counters) == 0);
	raw_own_ns = yield_switch_ns(&e, &cpus);
	CHECK(gproc_stop(&agents, &counters) == 0);
	CHECK(genclave_destroy(&e) == 0);

	ghostd = ghostd_start("1", "fifo_per_cpu", 1);
	CHECK(genclave_open_named(&e, ENCLAVE) == 0);
	ghostd_ns = yield_switch_ns(&e, &cpus);
	genclave_close(&e);
	ghostd_stop(ghostd);

	gbench_record(in_process, ghostd_ns, raw_ns);
	gbench_record(own_process, ghostd_ns, raw_own_ns);
}

/* "... (blackout 412 us)" or "(blackout 1.23 ms)": in ns. */
static double parse_blackout(const char *out)
{
	const char *p = strstr(out, "(blackout ");
	char unit[4] = "";
	double value;

	CHECK(p && sscanf(p, "(blackout %lf %3[a-z])", &value, unit) == 2);
	if (!strcmp(unit, "us"))
		return value * 1e3;
	if (!strcmp(unit, "ms"))
		return value * 1e6;
	if (!strcmp(unit, "s"))
		return value * 1e9;
	return value;
}

/* ghostd on CPUs 1-3 with fifo_per_cpu, and @nr threads doing @work in it. */
struct ghostd_load {
	pid_t ghostd;
	struct genclave e;
	struct gworkers g;
};

static void load_start(struct ghostd_load *l, int nr, const struct gwork *work)
{
	cpu_set_t cpus;

	gcpus_range(&cpus, 1, 3);
	l->ghostd = ghostd_start("1-3", "fifo_per_cpu", 3);
	CHECK(genclave_open_named(&l->e, ENCLAVE) == 0);
	CHECK(gworkers_spawn(&l->g, nr, work, &cpus) == 0);
	CHECK(gworkers_add(&l->g, &l->e) == nr);
	gworkers_release(&l->g);
}

static void load_stop(struct ghostd_load *l)
{
	gworkers_stop(&l->g);
	gworkers_join(&l->g);
	gworkers_free(&l->g);
	genclave_close(&l->e);
	ghostd_stop(l->ghostd);
}

/* Every load thread out of the enclave to CFS and added again, in ns. */
static double through_cfs_ns(struct ghostd_load *l)
{
	uint64_t start = gnow_ns();
	uint32_t removed;

	for (int i = 0; i < l->g.nr; i++) {
		CHECK(genclave_remove_task(&l->e, l->g.workers[i].tid, 0, &removed) == 0);
		CHECK(removed == 1);
	}
	CHECK(gworkers_add(&l->g, &l->e) == l->g.nr);
	return gnow_ns() - start;
}

static void measure_blackouts(struct gbench_runs *runs, double *blackout_ns)
{
	struct gwork work = { .sleep_us = 20000, .spin_us = 20 };
	char out[4096], *swap[] = { GHOSTCTL, "swap", ENCLAVE, NULL, NULL };
	double through_cfs[GBENCH_REPEATS];
	struct ghostd_load l;

	load_start(&l, SWAP_TASKS, &work);
	CHECK(gworkers_wait_iterations(&l.g, 2, 60000));
	for (int i = 0; i < GBENCH_REPEATS; i++) {
		swap[3] = i % 2 ? "fifo_per_cpu" : "fifo_centralized";
		CHECK(run(swap, out, sizeof(out)) == 0);
		blackout_ns[i] = parse_blackout(out);
		printf("  swap to %s: %s", swap[3], out);
	}
	/* The swaps dropped nothing to CFS; the baseline does, on purpose. */
	CHECK(gworkers_count_changed_policy(&l.g) == 0);
	for (int i = 0; i < GBENCH_REPEATS; i++) {
		through_cfs[i] = through_cfs_ns(&l);
		gbench_record(runs, blackout_ns[i], through_cfs[i]);
	}
	load_stop(&l);
}

static void measure_reload(double *reload_ms)
{
	struct gwork work = { .body = count_yields };
	char out[4096], *reload[] = { GHOSTCTL, "reload", NULL };
	struct ghostd_load l;

	load_start(&l, 1, &work);
	for (int i = 0; i < GBENCH_REPEATS; i++) {
		bool centralized = i % 2 == 0;
		uint64_t start = gnow_ns(), seen;

		write_enclave("1-3", centralized ? "fifo_centralized" : "fifo_per_cpu");
		CHECK(run(reload, out, sizeof(out)) == 0);
		CHECK(wait_agents(centralized ? 1 : 3, 10000));
		seen = __atomic_load_n(&yields, __ATOMIC_RELAXED);
		while (__atomic_load_n(&yields, __ATOMIC_RELAXED) == seen)
			CHECK(gnow_ns() - start < 30000000000ULL);
		reload_ms[i] = (gnow_ns() - start) / 1e6;
		printf("  edit + reload to %s: %.1f ms\n",
		       centralized ? "fifo_centralized" : "fifo_per_cpu", reload_ms[i]);
	}
	CHECK(gworkers_count_changed_policy(&l.g) == 0);
	load_stop(&l);
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* "median M (min to max)" of @n values. */
static void summary(const char *what, const char *unit, double scale,
		    double *values, int n, const char *goal)
{
	qsort(values, n, sizeof(*values), compare);
	printf("%s: median %.3g %s (%.3g to %.3g), goal %s\n", what,
	       values[n / 2] / scale, unit, values[0] / scale, values[n - 1] / scale,
	       goal);
}

int main(void)
{
	struct gbench_runs local = {
		.what = "local schedule via ghostd fifo_per_cpu",
		.baseline = "raw test agent in the same process",
	};
	struct gbench_runs local_own = {
		.what = "local schedule via ghostd fifo_per_cpu",
		.baseline = "raw test agent in its own process",
	};
	struct gbench_runs blackout = {
		.what = "swap blackout, 1000 tasks",
		.baseline = "the same tasks out to CFS and back",
	};
	double blackout_ns[GBENCH_REPEATS], reload_ms[GBENCH_REPEATS];

	signal(SIGPIPE, SIG_IGN);
	CHECK(gpin_self(0) == 0);
	for (int i = 0; i < GBENCH_REPEATS; i++)
		measure_local(&local, &local_own);
	gbench_report(&local);
	gbench_report(&local_own);
	printf("(goal <= 1.1x; ghostd's agents live in their own process, so a switch\n"
	       " between task and agent changes address space, which TCG makes dear)\n");
	measure_blackouts(&blackout, blackout_ns);
	gbench_report(&blackout);
	summary("swap blackout, 1000 tasks", "ms", 1e6, blackout_ns, GBENCH_REPEATS,
		"<= 1 ms");
	measure_reload(reload_ms);
	summary("edit policy file + reload until the new policy schedules", "ms", 1,
		reload_ms, GBENCH_REPEATS, "< 5000 ms");
	return 0;
}
