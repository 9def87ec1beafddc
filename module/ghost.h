/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of ghost.ko. Each part has an
 * init/exit pair; main.c calls them in order and unwinds in reverse.
 *
 * Lock order, outermost first:
 *	cpu_hotplug_lock > enclave->config_mutex > ghost_enclaves_mutex >
 *	p->pi_lock > rq lock (two in CPU order) > enclave->lock > queue->lock,
 *	event slot locks
 * Everything under an rq lock runs with interrupts off and counts as an
 * RCU reader, so objects that rq-lock holders may reach are freed only
 * after a grace period: tasks and queues through call_rcu(), enclaves
 * after destruction waited for one. Nothing under an rq lock allocates,
 * sleeps or wakes a task: work that needs to is handed to ghost_wq through
 * an irq_work.
 */
#ifndef _GHOST_GHOST_H
#define _GHOST_GHOST_H

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched/ghost.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "uapi/linux/ghost.h"

struct file;
struct ghost_enclave;
struct ghost_queue;
struct vm_area_struct;

/*
 * A netlink event waiting to be multicast. Those that arise under an rq
 * lock live in per-CPU slots reserved beforehand (a slot still waiting
 * takes the newer event's fields instead); the others are allocated.
 */
struct ghost_nl_event {
	struct llist_node node;
	raw_spinlock_t lock;			/* the fields, of a slot */
	bool slot;				/* reserved; never freed */
	bool pending;				/* queued, not sent; lock */
	int event;
	u64 enclave_id;
	int reason;
	int cpu;
	pid_t pid;
};

/* Bits of ghost_task::flags, for any context. */
enum {
	GHOST_TASK_AFFINITY_DUE,	/* AFFINITY_CHANGED at the next enqueue */
	GHOST_TASK_EVICTING,		/* on the eviction list */
};

/*
 * A ghost task or agent: the module's half of task_struct::ghost.priv.
 * Fields without a note are fixed once the task is in the enclave; "rq
 * lock" means the task's.
 */
struct ghost_task {
	struct kref kref;			/* task_struct::ghost.priv, evictions */
	struct task_struct *task;
	struct ghost_enclave *enclave;		/* holds a reference */
	u64 gtid;				/* 0 for agents */
	u32 slot;				/* in enclave->tasks; tasks only */
	struct ghost_status_word *word;		/* in the status region */
	struct ghost_queue __rcu *queue;	/* rq lock; holds a ref */
	u32 barrier;				/* Tseq; rq lock */
	u64 runnable_since;			/* ns, 0 if running or blocked; rq lock */
	int latched_cpu;			/* -1 if not latched; rq lock */
	int reserved_cpu;			/* held by a sync group, or -1; rq lock */
	int saved_policy;			/* what it leaves to */
	u32 depart_reason;			/* enum ghost_depart_reason; rq lock */
	unsigned long flags;			/* GHOST_TASK_*; atomic bitops */
	u32 evict_reason;			/* while GHOST_TASK_EVICTING */
	struct llist_node evict_node;
	bool new;				/* TASK_NEW due at first enqueue */
	bool yielding;				/* rq lock */
	bool departing;				/* leaving SCHED_GHOST; rq lock */
	bool boosted;				/* lifted out of ghost by PI; rq lock */
	bool moving;				/* being moved by a commit; rq lock */
	bool oncpu;				/* switched in as committed; rq lock */
	u64 parent_gtid;
	int last_cpu;				/* where it last ran; rq lock */
	struct rcu_head rcu;			/* freed after a grace period */
	/* agents only */
	bool agent;
	int agent_cpu;				/* WRITE_ONCE by the agent itself */
	int move_cpu;				/* where AGENT_MOVE takes it, or -1 */
	cpumask_var_t saved_cpus;		/* affinity before it became one */
};

/* One per possible CPU; protected by that CPU's rq lock unless noted. */
struct ghost_cpu {
	int cpu;
	struct ghost_enclave *enclave;		/* + ghost_enclaves_mutex to write */
	struct ghost_status_word *word;		/* this CPU's word in the enclave */
	struct task_struct *agent;
	struct ghost_queue __rcu *agent_queue;	/* holds a ref */
	struct task_struct *latched;		/* committed, not yet running */
	struct task_struct *reserved;		/* held by a sync group in flight */
	struct task_struct *running;		/* the committed ghost task here */
	bool preempt_running;			/* a TARGET_NONE commit wants it off */
	bool parked;				/* agent parked; WRITE_ONCE */
	bool wake;				/* agent must run; any context, WRITE_ONCE */
	bool available;				/* no higher class wants the CPU */
	bool boost;
	bool offline;				/* + ghost_enclaves_mutex to write */
	bool want_not_idle;
	/* Agent throttling: see "Agents and other classes" in the uapi. */
	unsigned int starve_ticks;		/* ticks the agent ran, others waiting */
	u64 throttled_until;			/* ns, 0 if not throttled */
	u64 throttled_since;			/* ns; READ_ONCE by the watchdog */
	struct hrtimer throttle_end;
	/* Events arising here: AGENT_ATTACHED, AGENT_DETACHED, QUEUE_OVERFLOW */
	struct ghost_nl_event attach_event;
	struct ghost_nl_event detach_event;
	struct ghost_nl_event overflow_event;
};

DECLARE_PER_CPU(struct ghost_cpu, ghost_cpus);

static inline struct ghost_cpu *ghost_cpu(int cpu)
{
	return per_cpu_ptr(&ghost_cpus, cpu);
}

struct ghost_stats {
	atomic64_t msgs[GHOST_MSG_TYPE_MAX + 1];
	atomic64_t commits[GHOST_TXN_STATE_MAX + 1];
	atomic64_t overflows;
	atomic64_t watchdog_firings;
	atomic64_t tasks_evicted;
	atomic64_t agent_throttles;
};

struct ghost_enclave {
	u64 id;
	char name[GHOST_NAME_MAX];		/* fixed; "" if unnamed */
	struct kref kref;			/* fds, queues, tasks, the live state */
	struct work_struct free_work;
	struct list_head node;			/* ghost_enclaves; its mutex */
	/*
	 * Written under ghost_enclaves_mutex and @lock (GHOST_IOC_SET_CPUS);
	 * lock-free readers test single bits.
	 */
	cpumask_var_t cpus;
	raw_spinlock_t lock;			/* nests inside rq locks */
	int state;				/* enum ghost_enclave_state; lock */
	u32 flags;				/* GHOST_ENCLAVE_F_*; WRITE_ONCE */
	u32 watchdog_ms;			/* WRITE_ONCE */

	struct ghost_status_header *status;	/* vmalloc_user, mapped read-only */
	size_t status_size;
	struct ghost_status_word *words;	/* after the header */
	u32 nr_cpu_words;
	u32 max_tasks;
	struct ghost_task **tasks;		/* by slot; lock */
	u32 *generations;			/* by slot; lock */
	u32 next_slot;				/* search hint; lock */
	u32 nr_tasks;				/* lock */
	u32 nr_agents;				/* lock */

	struct ghost_txn *txns;			/* vmalloc_user, one per CPU */
	size_t txns_size;

	struct ghost_queue __rcu *default_queue;	/* lock; holds a ref */
	u32 nr_queues;				/* with open fds; lock */
	struct mutex config_mutex;		/* serialises configuration ioctls */

	unsigned long *used_slots;		/* bitmap of @tasks; lock */

	struct delayed_work watchdog;
	struct ghost_stats stats;
};

struct ghost_queue {
	struct kref kref;			/* fd, tasks, agents, default */
	struct rcu_head rcu;
	struct ghost_enclave *enclave;		/* holds a reference */
	raw_spinlock_t lock;			/* producers */
	struct ghost_queue_header *header;	/* vmalloc_user, mapped read-write */
	size_t map_size;
	struct ghost_msg *slots;
	u32 nr_slots;
	u32 head;				/* the kernel's own copy; lock */
	bool overflowing;			/* dropped since the last success; lock */
	bool orphaned;				/* its fd is gone; WRITE_ONCE */
	int wakeup_cpu;				/* -1: polled; WRITE_ONCE */
};

/* main.c */
extern struct workqueue_struct *ghost_wq;

/* class.c: the callbacks behind the ghost and agent classes */
int ghost_class_init(void);
void ghost_class_exit(void);
void ghost_update_cpu_word(struct ghost_cpu *gc);
void ghost_update_availability(struct rq *rq, struct ghost_cpu *gc);

/* chardev.c: /dev/ghost, ioctl arguments, new fds and mappings */
int ghost_chardev_init(void);
void ghost_chardev_exit(void);
int ghost_copy_arg_in(void *karg, size_t ksize, unsigned int cmd,
		      unsigned long arg);
int ghost_copy_arg_out(unsigned int cmd, unsigned long arg, const void *karg,
		       size_t ksize);
int ghost_read_cpumask(struct cpumask *mask, u64 uptr, u32 size);
int ghost_install_fd(struct file *file, s32 *fd_out, const void *karg,
		     size_t ksize, unsigned int cmd, unsigned long uarg);
void *ghost_alloc_shared(size_t size);
int ghost_map_shared(struct vm_area_struct *vma, void *mem, size_t size);

/* enclave.c */
extern struct mutex ghost_enclaves_mutex;
int ghost_enclave_create(struct ghost_enclave_create *arg, unsigned int cmd,
			 unsigned long uarg);
int ghost_enclave_open(struct ghost_enclave_open *arg, unsigned int cmd,
		       unsigned long uarg);
int ghost_enclave_destroy(struct ghost_enclave *e, int reason);
void ghost_enclave_get(struct ghost_enclave *e);
void ghost_enclave_put(struct ghost_enclave *e);
bool ghost_enclave_live(struct ghost_enclave *e);
struct ghost_enclave *ghost_enclave_from_file(struct file *file);
int ghost_enclave_for_each(int (*fn)(struct ghost_enclave *e, void *data),
			   void *data, u64 start_id);
void ghost_watchdog_arm(struct ghost_enclave *e);
bool ghost_cpus_leave_one_free(struct ghost_enclave *e,
			       const struct cpumask *claimed);

/* hotplug.c: enclave CPUs going offline and coming back */
int ghost_hotplug_init(void);
void ghost_hotplug_exit(void);

/* task.c: tasks entering, living in and leaving an enclave */
void ghost_tasks_exit(void);
int ghost_task_add(struct ghost_enclave *e, struct ghost_add_task *arg);
int ghost_task_remove(struct ghost_enclave *e, struct ghost_remove_task *arg);
int ghost_task_ticket(struct task_struct *p, struct ghost_task *gt, int policy);
int ghost_task_enter(struct rq *rq, struct task_struct *p,
		     struct ghost_task *gt);
int ghost_task_fork(struct task_struct *p);
struct ghost_task *ghost_task_alloc(struct ghost_enclave *e);
void ghost_task_put(struct ghost_task *gt);
void ghost_task_release(struct rq *rq, struct ghost_task *gt);
void ghost_task_cleanup_fork(struct ghost_task *gt);
struct task_struct *ghost_task_find(struct ghost_enclave *e, u64 gtid);
int ghost_task_assoc_queue(struct ghost_enclave *e, struct ghost_assoc_queue *arg);
int ghost_task_discover(struct ghost_enclave *e, struct ghost_discover *arg);
void ghost_task_evict_all(struct ghost_enclave *e);
void ghost_task_evict(struct ghost_task *gt, u32 reason);
void ghost_task_evict_outside(struct ghost_enclave *e);
void ghost_task_send(struct rq *rq, struct ghost_task *gt, u16 type, u32 flags);
void ghost_task_set_word(struct ghost_task *gt, u32 set, u32 clear);
void ghost_task_unlatch(struct rq *rq, struct ghost_task *gt, bool tell);

static inline struct ghost_task *ghost_task_of(struct task_struct *p)
{
	return p->ghost.priv;
}

/* queue.c: message rings */
int ghost_queue_create(struct ghost_enclave *e, struct ghost_queue_create *arg,
		       unsigned int cmd, unsigned long uarg);
struct ghost_queue *ghost_queue_get_fd(struct ghost_enclave *e, int fd);
void ghost_queue_put(struct ghost_queue *q);
void ghost_queue_produce(struct rq *rq, struct ghost_queue *q,
			 struct ghost_msg *msg);
int ghost_queue_set_default(struct ghost_enclave *e, struct ghost_queue_ref *arg);
void ghost_queue_drop_default(struct ghost_enclave *e);
int ghost_queue_set_wakeup(struct ghost_enclave *e, struct ghost_queue_ref *arg);
struct ghost_queue *ghost_route_queue(struct ghost_enclave *e,
				      struct ghost_queue *q);

/* agent.c: agents and the CPUs they own */
int ghost_agent_attach(struct ghost_enclave *e, struct ghost_agent_attach *arg);
int ghost_agent_enter(struct rq *rq, struct task_struct *p, struct ghost_task *gt);
void ghost_agent_detach(struct rq *rq, struct ghost_task *gt);
void ghost_agent_strayed(struct ghost_task *gt);
void ghost_agents_exit(void);
int ghost_agent_park(struct ghost_enclave *e, u32 barrier);
int ghost_agent_move(struct ghost_enclave *e, struct ghost_agent_move *arg);
int ghost_agent_release(struct ghost_enclave *e);
int ghost_agent_ping(struct ghost_enclave *e, struct ghost_ping *arg);
int ghost_agent_demote(struct task_struct *p, const struct cpumask *saved);
void ghost_agent_evict(struct ghost_enclave *e, int cpu);
void ghost_agent_wake(struct rq *held, int cpu);
void ghost_cpu_send(struct rq *rq, struct ghost_cpu *gc, u16 type, u32 flags);
int ghost_current_agent_cpu(struct ghost_enclave *e);

/* txn.c: transactions */
int ghost_commit(struct ghost_enclave *e, struct ghost_commit *arg);

/* netlink.c: stats and events */
int ghost_netlink_init(void);
void ghost_netlink_exit(void);
void ghost_event(int event, u64 enclave_id, int reason, int cpu, pid_t pid);
void ghost_event_slot_init(struct ghost_nl_event *slot);
void ghost_event_post(struct ghost_nl_event *slot, int event, u64 enclave_id,
		      int reason, int cpu, pid_t pid);

#endif /* _GHOST_GHOST_H */
