/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enclave backend: everything the runtime asks of the kernel side of
 * the ghost ABI, so that the same runtime runs over ghost.ko
 * (kernel_backend.c), over a simulated kernel (ghost-sim) and over a
 * scripted one (the unit tests). The runtime never makes a system call,
 * reads a clock, sleeps or creates a thread itself: it calls this.
 *
 * The vocabulary is the uapi header's (<linux/ghost.h>): messages are
 * struct ghost_msg, transaction slots struct ghost_txn, status words
 * struct ghost_status_word, with the meanings documented there. A
 * simulator implements those semantics in memory; this header says only
 * what each operation must do for the runtime.
 *
 * Agents. The runtime numbers its agents 0..n-1 and passes that number to
 * the operations that act on "the calling agent" (the kernel acts on the
 * calling thread; a simulator needs to know which agent it models).
 * Three operations take the agent off its CPU until something wakes it:
 * agent_park, and commit when the set holds the agent's own CPU and that
 * slot latched a task (the kernel parks the agent so the task can run).
 * The kernel backend blocks the calling thread there; a simulator records
 * that the agent sleeps and returns at once. Either way the runtime ends
 * the agent's step right after, so a simulator regains control and runs
 * the agent again when its model wakes it.
 *
 * Errors are negative errno values, as the ioctls of the uapi header
 * define them; 0 is success.
 */
#ifndef GHOST_RUNTIME_BACKEND_H
#define GHOST_RUNTIME_BACKEND_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/ghost.h>

struct backend;
struct backend_queue;		/* defined by each backend */

/* What the runtime needs to know about its enclave. */
struct backend_enclave {
	cpu_set_t cpus;		/* the enclave's CPUs now */
	uint32_t nr_cpu_ids;	/* CPU numbers are below this */
	uint32_t max_tasks;
	uint32_t nr_tasks;	/* tasks live at the time of asking */
	uint32_t watchdog_ms;
	/*
	 * The status words (read-only: header, then nr_words words of
	 * word_size bytes, CPUs first) and one transaction slot per CPU
	 * number, shared with the kernel side for the backend's lifetime.
	 */
	const struct ghost_status_header *status;
	struct ghost_txn *txns;
};

struct backend_ops {
	/* The enclave as it is now; 0 or -ENODEV once it is destroyed. */
	int (*enclave_info)(struct backend *be, struct backend_enclave *info);
	/* CLOCK_MONOTONIC in ns, or simulated time. */
	uint64_t (*now_ns)(struct backend *be);
	/* The allowed CPUs of thread @tid (as sched_getaffinity(2)). */
	int (*task_cpumask)(struct backend *be, int32_t tid, cpu_set_t *mask);

	/*
	 * Queues. queue_create makes a queue of @nr_slots messages waking the
	 * agent of @wakeup_cpu (-1: none); the first of an enclave is its
	 * default queue. queue_pop copies the oldest message out and frees
	 * its slot (false if empty); queue_pending counts what is waiting;
	 * queue_overflows counts messages dropped because it was full.
	 */
	int (*queue_create)(struct backend *be, int wakeup_cpu,
			    uint32_t nr_slots, struct backend_queue **q);
	void (*queue_destroy)(struct backend *be, struct backend_queue *q);
	int (*queue_set_default)(struct backend *be, struct backend_queue *q);
	int (*queue_set_wakeup)(struct backend *be, struct backend_queue *q,
				int wakeup_cpu);
	bool (*queue_pop)(struct backend *be, struct backend_queue *q,
			  struct ghost_msg *msg);
	uint32_t (*queue_pending)(struct backend *be,
				  const struct backend_queue *q);
	uint32_t (*queue_overflows)(struct backend *be,
				    const struct backend_queue *q);
	/* GHOST_IOC_ASSOC_QUEUE: -ESTALE, -ENOENT. */
	int (*assoc_queue)(struct backend *be, struct backend_queue *q,
			   uint64_t gtid, uint32_t task_barrier);
	/* GHOST_IOC_DISCOVER: TASK_NEW again for every task. */
	int (*discover)(struct backend *be, uint32_t *nr_tasks);

	/*
	 * Agents. agent_attach makes agent @agent the agent of @cpu, its CPU
	 * messages going to @q (-EBUSY while another agent holds the CPU);
	 * agent_park (-ESTALE, -ENODEV: the agent lost its CPU or the
	 * enclave is gone); agent_move (-EBUSY, -ENODEV, -EINVAL);
	 * agent_release (the agent stops being one).
	 */
	int (*agent_attach)(struct backend *be, unsigned int agent, int cpu,
			    struct backend_queue *q);
	int (*agent_park)(struct backend *be, unsigned int agent,
			  uint32_t agent_barrier);
	int (*agent_move)(struct backend *be, unsigned int agent, int cpu);
	int (*agent_release)(struct backend *be, unsigned int agent);

	/*
	 * GHOST_IOC_COMMIT of the READY slots of @cpus by @agent (@flags:
	 * GHOST_COMMIT_F_*). Outcomes are in the slots; -EBUSY if a slot of
	 * the set was not READY.
	 */
	int (*commit)(struct backend *be, unsigned int agent,
		      const cpu_set_t *cpus, uint32_t flags);
	/* GHOST_IOC_PING: wake the agent of @cpu (-ESRCH: it has none). */
	int (*ping)(struct backend *be, int cpu);

	/* GHOST_IOC_SET_CPUS and GHOST_IOC_DESTROY_ENCLAVE. */
	int (*set_cpus)(struct backend *be, const cpu_set_t *cpus);
	int (*destroy)(struct backend *be);

	/* Release everything the backend holds; the enclave lives on. */
	void (*close)(struct backend *be);
};

/* Each backend embeds this first. */
struct backend {
	const struct backend_ops *ops;
};

#endif /* GHOST_RUNTIME_BACKEND_H */
