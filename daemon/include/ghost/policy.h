/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * ghost policy SDK: the one header a scheduling policy includes.
 *
 * This header is the whole contract between a policy plugin and the ghost
 * runtime that runs it (in ghost-agent, and later in ghost-sim). Everything
 * a policy may rely on is documented here.
 *
 * Overview
 * ========
 * A policy is a shared object, NAME.so, in the plugin directory
 * (/usr/lib/ghost/policies). It exports one symbol, the descriptor
 * ghost_policy_descriptor: its SDK version, its name, its *model*, the
 * parameters it accepts and its callbacks. The runtime loads it, checks the
 * descriptor, validates the parameters of the configuration against it,
 * calls init, and from then on tells the policy what happens to the tasks
 * and CPUs of its enclave and asks it for decisions.
 *
 * Who does what
 * =============
 * The policy decides: which CPU a task waits for (per_cpu), the order in
 * which waiting tasks run, which task an idle CPU runs, when an idle CPU
 * takes work from another one, and (centralized) which task each CPU runs,
 * including replacing a running task.
 *
 * The runtime owns everything else: reading the kernel's message queues,
 * the task table (gtid, tid, state, CPU, runtime, nice, cpumask), task and
 * agent barriers and sequence numbers, building and committing transactions
 * (one local commit, one group commit for many CPUs, sync groups), retrying
 * what went stale, handing back what the kernel refused, agent threads and
 * where they run, message queue association, waking other agents, adopting
 * a live enclave after a crash, and hot-swapping one policy for another. A
 * policy never sees a message, a barrier or a transaction slot.
 *
 * Models
 * ======
 * GHOST_MODEL_PER_CPU: an agent on every CPU of the enclave. Each task is
 * placed on a CPU (select_cpu) and waits in the policy's queue for that CPU;
 * when a CPU has nothing running, its own agent asks pick_next for the next
 * task of its queue and, if there is none, steal for one of another CPU's.
 * The agent commits its own CPU and sleeps while the task runs.
 *
 * GHOST_MODEL_CENTRALIZED: one global agent on one CPU of the enclave
 * decides for every other CPU; it spins while tasks wait and parks when
 * none has for a moment. After each batch of events it calls schedule, in
 * which the policy assigns tasks to CPUs (ghost_assign); the runtime
 * commits all of them in one group commit. The agent's own CPU runs no
 * task, so the model needs two CPUs at least. When a higher class wants
 * that CPU, the agent moves to another one; ghost_cpu_available() is false
 * for wherever it is.
 *
 * Either way the policy's CPUs are fixed for its life: when the enclave's
 * CPUs change, a fresh instance of the policy takes over, as at a swap.
 *
 * Tasks
 * =====
 * A task handle (struct ghost_task *) is valid from task_new until
 * task_departed returns. Its state (ghost_task_state) is one of:
 *
 * GHOST_TASK_BLOCKED	asleep; nothing to do until task_wakeup.
 * GHOST_TASK_RUNNABLE	waiting for a CPU: the policy holds it, and must
 *			eventually run it (pick_next, steal or ghost_assign)
 *			or the enclave's watchdog returns every task to CFS.
 * GHOST_TASK_ON_CPU	committed to a CPU (ghost_task_cpu; NULL if that is
 *			not known, for a task found on adoption): latched or
 *			running. The policy does not hold it.
 * GHOST_TASK_DEPARTED	only inside task_departed.
 *
 * The runtime changes the state before it calls the callback that reports
 * the change. The policy's duty is simple: every task that a callback
 * reports RUNNABLE, it queues; every task it returns from pick_next or
 * steal, or passes to ghost_assign, it has taken out of its queues. A task
 * the kernel then refuses (its news arrived meanwhile, the CPU was taken,
 * ...) comes back through task_preempted with GHOST_PREEMPT_NOT_COMMITTED,
 * so nothing is ever lost; and because its news may follow,
 * task_blocked and task_departed can name a task the policy still holds in
 * a queue: take it out.
 *
 * Callbacks
 * =========
 * Every callback gets the policy instance first. Required for both models
 * unless marked optional:
 *
 * init		optional. Runs once, before any other callback, on the
 *		control thread: set up the state (ghost_policy_state), CPU data
 *		and parameters. Return 0, or fail with ghost_policy_fail(),
 *		which says why; the runtime then refuses the policy (at start,
 *		or at a swap, where the old policy keeps running untouched).
 * fini		optional. Runs once, last, on the control thread.
 * task_new	a task the policy has not seen: it entered the enclave, was
 *		found when adopting a live enclave, or is handed over at a swap
 *		(then in any state, with its runtime, nice value and cpumask).
 * task_wakeup	BLOCKED -> RUNNABLE.
 * task_blocked	-> BLOCKED: it went to sleep (or was found asleep).
 * task_preempted -> RUNNABLE: it lost its CPU without finishing its turn
 *		(@flags: GHOST_PREEMPT_*); FIFO policies queue it first.
 * task_yield	-> RUNNABLE: it called sched_yield(2).
 * task_departed it exited or left the enclave (@reason: GHOST_DEPARTED_*).
 *		Drop every reference to it; the handle dies when this returns.
 * task_affinity optional. Its cpumask changed (ghost_task_allowed).
 * task_priority optional. Its nice value changed (ghost_task_nice).
 * cpu_available optional. No higher class wants the CPU any more.
 * cpu_busy	optional. A higher class took the CPU (or it went offline).
 * cpu_tick	optional. A scheduler tick on the CPU, if the enclave was
 *		created with ticks.
 *
 * Per-CPU decisions (GHOST_MODEL_PER_CPU):
 * select_cpu	where @t should wait: return an enclave CPU it may use.
 *		Called before task_new and task_wakeup report a RUNNABLE task,
 *		and before task_preempted, task_yield and task_affinity do if
 *		the task's CPU can no longer take it (not allowed, not
 *		available); the answer is ghost_task_cpu(@t) in that callback,
 *		which queues the task there. ghost_task_cpu(@t) on entry is
 *		where it ran last (NULL for a new task). The runtime wakes that
 *		CPU's agent if it is idle.
 * pick_next	@cpu has nothing running: return the task it runs next (out
 *		of the policy's queue), or NULL to let it idle.
 * steal	optional. pick_next returned NULL: return a task waiting for
 *		another CPU that may run on @cpu, or NULL. It moves to @cpu.
 *
 * Centralized decision (GHOST_MODEL_CENTRALIZED):
 * schedule	assign tasks to CPUs with ghost_assign() (and
 *		ghost_assign_sync() for tasks that must start together).
 *		Called after every batch of events and, while tasks wait,
 *		continuously. A CPU is worth assigning when it is available and
 *		has no current task; assigning to a CPU whose current task still
 *		runs preempts that task (it comes back via task_preempted).
 *
 * Rules for callbacks
 * ===================
 * - The runtime never runs two callbacks of one policy instance at once,
 *   so a policy needs no locks. (Per-CPU agents take turns through a lock
 *   held while they read messages and the policy decides, never across a
 *   call that can block: commits and parks happen outside it.)
 * - Callbacks other than init and fini run on agent threads, in the agent
 *   class above every other task of their CPUs: they must not block, sleep,
 *   allocate memory or take a lock that anything else might hold. All the
 *   storage a policy needs is preallocated by the runtime from the sizes in
 *   the descriptor (per policy, per task, per CPU, zeroed); the list
 *   helpers at the end of this header build queues in it.
 * - Time is ghost_policy_now_ns(), not a clock of the policy's own: the
 *   simulator runs the same .so on simulated time.
 * - A policy must not call into the kernel about its tasks: the runtime's
 *   view and the kernel's are kept in step only through the runtime.
 *
 * Parameters
 * ==========
 * The descriptor lists the parameters the policy accepts, each with a
 * name ([a-z0-9_]+), a type, an inclusive range (integers), a default and
 * a one-line description. The runtime validates a configuration's
 * "params" object against them (unknown names, wrong types and values out
 * of range are refused with a message naming the parameter, its type and
 * range), so `ghostd --check-config` can do it offline from the descriptor
 * alone. In init and later, ghost_policy_param(p, i) returns the value of
 * the i-th parameter of the list (booleans as 0 or 1).
 *
 * Versions
 * ========
 * GHOST_POLICY_ABI_VERSION grows by one whenever this header grows, and it
 * grows only by appending: new accessors, new fields at the end of struct
 * ghost_policy_descriptor, new flag bits, states and parameter types. A
 * runtime serves policies built against versions in [GHOST_POLICY_ABI_FLOOR,
 * GHOST_POLICY_ABI_VERSION]; the floor moves only when an old layout stops
 * being served. A policy states the version it was built against
 * (@abi_version) and the oldest version whose runtime can run it
 * (@abi_floor: by default the same; a policy that uses nothing newer may
 * lower it with GHOST_POLICY_DESCRIPTOR_HEADER_FLOOR). The runtime accepts
 * a policy if its own floor is at most the policy's version and the
 * policy's floor at most its own version; it reads only the @size bytes of
 * the descriptor that the policy has.
 *
 * What each version added:
 *  1	everything here.
 *
 * A skeleton
 * ==========
 *	#include <ghost/policy.h>
 *
 *	static struct ghost_task *my_pick_next(struct ghost_policy *p,
 *					       struct ghost_cpu *c) { ... }
 *	...
 *	GHOST_POLICY_EXPORT const struct ghost_policy_descriptor
 *	ghost_policy_descriptor = {
 *		GHOST_POLICY_DESCRIPTOR_HEADER,
 *		.name = "my_policy",
 *		.doc = "what it does, in one line",
 *		.model = GHOST_MODEL_PER_CPU,
 *		.task_data_size = sizeof(struct my_task),
 *		.task_new = my_task_new,
 *		...
 *	};
 *
 * Build it with -fPIC -shared -fvisibility=hidden into NAME.so, NAME being
 * the descriptor's @name.
 */
#ifndef GHOST_POLICY_H
#define GHOST_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GHOST_POLICY_ABI_VERSION	1
#define GHOST_POLICY_ABI_FLOOR		1

/* The symbol a plugin exports, and the longest name (NUL included). */
#define GHOST_POLICY_DESCRIPTOR_SYMBOL	"ghost_policy_descriptor"
#define GHOST_POLICY_NAME_MAX		32
/* At most this many parameters per policy. */
#define GHOST_POLICY_MAX_PARAMS		32

#define GHOST_POLICY_EXPORT		__attribute__((visibility("default")))

struct ghost_policy;	/* one instance of a policy, running one enclave */
struct ghost_task;	/* a task of the enclave (runtime-owned) */
struct ghost_cpu;	/* a CPU of the enclave (runtime-owned) */

enum ghost_policy_model {
	GHOST_MODEL_PER_CPU = 1,
	GHOST_MODEL_CENTRALIZED = 2,
};

enum ghost_task_state {
	GHOST_TASK_BLOCKED = 1,
	GHOST_TASK_RUNNABLE = 2,
	GHOST_TASK_ON_CPU = 3,
	GHOST_TASK_DEPARTED = 4,
};

/* task_preempted's @flags */
#define GHOST_PREEMPT_BY_HIGHER_CLASS	(1U << 0)	/* CFS, RT, ... took the CPU */
#define GHOST_PREEMPT_WAS_LATCHED	(1U << 1)	/* committed but never ran */
#define GHOST_PREEMPT_NOT_COMMITTED	(1U << 2)	/* the kernel refused the commit */

/* task_departed's @reason */
enum ghost_departed_reason {
	GHOST_DEPARTED_DEAD = 1,	/* it exited */
	GHOST_DEPARTED_LEFT = 2,	/* it left SCHED_GHOST */
	GHOST_DEPARTED_REMOVED = 3,	/* an administrator removed it */
	GHOST_DEPARTED_AFFINITY = 4,	/* its affinity left the enclave */
	GHOST_DEPARTED_STARVED = 5,	/* higher classes held its CPUs too long */
	GHOST_DEPARTED_ENCLAVE = 6,	/* the enclave is going away */
};

enum ghost_param_type {
	GHOST_PARAM_BOOL = 1,	/* JSON true/false */
	GHOST_PARAM_INT = 2,	/* JSON integer in [min, max] */
};

struct ghost_param_spec {
	const char *name;
	uint32_t type;		/* enum ghost_param_type */
	uint32_t reserved;
	int64_t min;		/* GHOST_PARAM_INT: inclusive bounds */
	int64_t max;
	int64_t def;		/* default: the integer, or 0/1 */
	const char *doc;	/* one line, for `ghostd --check-config` */
};

/* ghost_policy_log() levels: syslog priorities. */
#define GHOST_LOG_ERROR		3
#define GHOST_LOG_WARN		4
#define GHOST_LOG_INFO		6
#define GHOST_LOG_DEBUG		7

struct ghost_policy_descriptor {
	/* Filled by GHOST_POLICY_DESCRIPTOR_HEADER. */
	uint32_t abi_version;	/* the SDK version the policy was built with */
	uint32_t abi_floor;	/* the oldest SDK version it runs on */
	uint32_t size;		/* sizeof(struct ghost_policy_descriptor) */
	uint32_t model;		/* enum ghost_policy_model */

	const char *name;	/* [a-z0-9_]+, the file's name without .so */
	const char *doc;	/* one line */

	const struct ghost_param_spec *params;
	uint32_t nr_params;

	/* Storage the runtime preallocates and zeroes (bytes; 0: none). */
	uint32_t state_size;		/* ghost_policy_state() */
	uint32_t task_data_size;	/* ghost_task_data(), per task */
	uint32_t cpu_data_size;		/* ghost_cpu_data(), per CPU */

	int (*init)(struct ghost_policy *p);
	void (*fini)(struct ghost_policy *p);

	void (*task_new)(struct ghost_policy *p, struct ghost_task *t);
	void (*task_wakeup)(struct ghost_policy *p, struct ghost_task *t);
	void (*task_blocked)(struct ghost_policy *p, struct ghost_task *t);
	void (*task_preempted)(struct ghost_policy *p, struct ghost_task *t,
			       unsigned int flags);
	void (*task_yield)(struct ghost_policy *p, struct ghost_task *t);
	void (*task_departed)(struct ghost_policy *p, struct ghost_task *t,
			      unsigned int reason);
	void (*task_affinity)(struct ghost_policy *p, struct ghost_task *t);
	void (*task_priority)(struct ghost_policy *p, struct ghost_task *t);

	void (*cpu_available)(struct ghost_policy *p, struct ghost_cpu *c);
	void (*cpu_busy)(struct ghost_policy *p, struct ghost_cpu *c);
	void (*cpu_tick)(struct ghost_policy *p, struct ghost_cpu *c);

	/* GHOST_MODEL_PER_CPU */
	struct ghost_cpu *(*select_cpu)(struct ghost_policy *p,
					struct ghost_task *t);
	struct ghost_task *(*pick_next)(struct ghost_policy *p,
					struct ghost_cpu *c);
	struct ghost_task *(*steal)(struct ghost_policy *p,
				    struct ghost_cpu *c);

	/* GHOST_MODEL_CENTRALIZED */
	void (*schedule)(struct ghost_policy *p);
};

/*
 * The descriptor's first fields: built against this SDK, and runnable on
 * runtimes of this version or later; with _FLOOR, on runtimes of version
 * @floor or later (a policy that uses nothing newer than @floor).
 */
#define GHOST_POLICY_DESCRIPTOR_HEADER_FLOOR(floor)			\
	.abi_version = GHOST_POLICY_ABI_VERSION,			\
	.abi_floor = (floor),						\
	.size = sizeof(struct ghost_policy_descriptor)
#define GHOST_POLICY_DESCRIPTOR_HEADER					\
	GHOST_POLICY_DESCRIPTOR_HEADER_FLOOR(GHOST_POLICY_ABI_VERSION)

/* What a plugin defines (and the runtime looks up by name). */
extern GHOST_POLICY_EXPORT const struct ghost_policy_descriptor
	ghost_policy_descriptor;

/*
 * The policy instance
 * ===================
 * ghost_policy_state	the descriptor's @state_size bytes, zeroed at load.
 * ghost_policy_param	the value of the @index-th parameter of the
 *			descriptor's list, validated; booleans are 0 or 1.
 * ghost_policy_nr_cpus, ghost_policy_cpu
 *			the enclave's CPUs, in ascending order, as this
 *			instance knows them (a change of the enclave's CPUs
 *			is a swap to a fresh instance of the same policy).
 * ghost_policy_now_ns	the runtime's clock (CLOCK_MONOTONIC, or simulated).
 * ghost_policy_fail	in init only: say why the policy cannot run here;
 *			returns -1, so `return ghost_policy_fail(p, ...);`.
 * ghost_policy_log	a line in ghost-agent's log, prefixed with the
 *			policy's name. Not in the hot path.
 */
void *ghost_policy_state(struct ghost_policy *p);
int64_t ghost_policy_param(const struct ghost_policy *p, unsigned int index);
unsigned int ghost_policy_nr_cpus(const struct ghost_policy *p);
struct ghost_cpu *ghost_policy_cpu(const struct ghost_policy *p,
				   unsigned int i);
uint64_t ghost_policy_now_ns(const struct ghost_policy *p);
int ghost_policy_fail(struct ghost_policy *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ghost_policy_log(const struct ghost_policy *p, int level,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Tasks
 * =====
 * ghost_task_gtid	the kernel's name for this incarnation of the task.
 * ghost_task_tid	its thread id, or 0 until the kernel has said it
 *			(a task first heard of on adoption).
 * ghost_task_state	see Tasks above.
 * ghost_task_cpu	per_cpu: the CPU it waits for, runs on, or last ran
 *			on; centralized: the CPU it is committed to, or the
 *			one it last held, or NULL.
 * ghost_task_runtime_ns CPU time it has consumed.
 * ghost_task_nice	its nice value, -20..19.
 * ghost_task_allowed	whether its cpumask lets it run on @c.
 * ghost_task_committed_at_ns when the runtime committed it to its CPU
 *			(ON_CPU tasks): how long it has held the CPU.
 * ghost_task_data	the descriptor's @task_data_size bytes for this
 *			task, zeroed when the policy first hears of it.
 */
uint64_t ghost_task_gtid(const struct ghost_task *t);
int32_t ghost_task_tid(const struct ghost_task *t);
enum ghost_task_state ghost_task_state(const struct ghost_task *t);
struct ghost_cpu *ghost_task_cpu(const struct ghost_task *t);
uint64_t ghost_task_runtime_ns(const struct ghost_task *t);
int ghost_task_nice(const struct ghost_task *t);
bool ghost_task_allowed(const struct ghost_task *t, const struct ghost_cpu *c);
uint64_t ghost_task_committed_at_ns(const struct ghost_task *t);
void *ghost_task_data(const struct ghost_policy *p, const struct ghost_task *t);

/*
 * CPUs
 * ====
 * ghost_cpu_id		the kernel's CPU number.
 * ghost_cpu_current	the task committed there, or NULL.
 * ghost_cpu_available	whether a task committed there could run now: no
 *			higher class wants it, it is online, it has an agent
 *			(per_cpu) or is not the global agent's (centralized).
 * ghost_cpu_data	the descriptor's @cpu_data_size bytes for @c.
 */
int ghost_cpu_id(const struct ghost_cpu *c);
struct ghost_task *ghost_cpu_current(const struct ghost_cpu *c);
bool ghost_cpu_available(const struct ghost_cpu *c);
void *ghost_cpu_data(const struct ghost_policy *p, const struct ghost_cpu *c);

/*
 * Decisions outside the decision callbacks
 * ========================================
 * ghost_assign (centralized, in schedule): commit RUNNABLE task @t to @c
 *	in this round's group commit. @t becomes ON_CPU at once; if the
 *	kernel refuses, it comes back through task_preempted. Returns 0, or
 *	-EINVAL (@t is not RUNNABLE, not allowed on @c, or @c is not an
 *	enclave CPU or is the agent's own), -EBUSY (@c already has a task
 *	this round), -EPERM (not in schedule); the policy keeps @t then.
 * ghost_assign_sync (centralized, in schedule): commit @n assignments all
 *	or nothing (a sync group), for tasks that must start together.
 *	Returns 0 or the first error as ghost_assign does (nothing assigned).
 * ghost_cpu_kick (per_cpu): wake @c's agent after this callback, so that
 *	an idle CPU looks for work (pick_next, then steal). The runtime
 *	already does so for placements; this is for the policy's own moves.
 */
struct ghost_assignment {
	struct ghost_cpu *cpu;
	struct ghost_task *task;
};

int ghost_assign(struct ghost_policy *p, struct ghost_cpu *c,
		 struct ghost_task *t);
int ghost_assign_sync(struct ghost_policy *p,
		      const struct ghost_assignment *assignments,
		      unsigned int n);
void ghost_cpu_kick(struct ghost_policy *p, struct ghost_cpu *c);

/*
 * Lists
 * =====
 * Intrusive doubly linked lists for queues kept in task and CPU data, so
 * that queueing never allocates. A node that is on no list points to
 * itself (after ghost_list_init, or once removed), which makes removal
 * idempotent: ghost_list_del of a node on no list does nothing.
 */
struct ghost_list {
	struct ghost_list *prev, *next;
};

#define ghost_container_of(ptr, type, member)				\
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline void ghost_list_init(struct ghost_list *l)
{
	l->prev = l->next = l;
}

static inline bool ghost_list_empty(const struct ghost_list *l)
{
	return l->next == l;
}

/* A zeroed node (fresh task data) is on no list either. */
static inline bool ghost_list_linked(const struct ghost_list *n)
{
	return n->next && n->next != n;
}

static inline void ghost_list_insert(struct ghost_list *n,
				     struct ghost_list *prev)
{
	n->prev = prev;
	n->next = prev->next;
	prev->next->prev = n;
	prev->next = n;
}

static inline void ghost_list_add_head(struct ghost_list *head,
				       struct ghost_list *n)
{
	ghost_list_insert(n, head);
}

static inline void ghost_list_add_tail(struct ghost_list *head,
				       struct ghost_list *n)
{
	ghost_list_insert(n, head->prev);
}

static inline void ghost_list_del(struct ghost_list *n)
{
	if (!ghost_list_linked(n))
		return;
	n->prev->next = n->next;
	n->next->prev = n->prev;
	ghost_list_init(n);
}

/* The first node after @head, or NULL if the list is empty. */
static inline struct ghost_list *ghost_list_first(const struct ghost_list *head)
{
	return ghost_list_empty(head) ? NULL : head->next;
}

#ifdef __cplusplus
}
#endif

#endif /* GHOST_POLICY_H */
