// SPDX-License-Identifier: GPL-2.0
/*
 * Enclaves: sets of CPUs that ghost schedules, their fds, shared regions,
 * watchdog, CPU changes and destruction.
 *
 * An enclave is LIVE from creation until it is destroyed by an ioctl or
 * its watchdog; destruction returns every task and agent to CFS and frees
 * its CPUs. Its memory lives on while fds, queues or tasks refer to it.
 * Each live enclave pins the module; its fds pin it too.
 */
#include <linux/anon_inodes.h>
#include <linux/cpu.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "ghost.h"

#define GHOST_DEFAULT_MAX_TASKS		4096
#define GHOST_LIMIT_MAX_TASKS		(1U << 20)
#define GHOST_DEFAULT_WATCHDOG_MS	5000
#define GHOST_MIN_WATCHDOG_MS		10
/* Well below the kernel's hung-task timeout (120 s by default, 30 s here). */
#define GHOST_MAX_WATCHDOG_MS		10000

/* The live enclaves; also serialises CPU ownership. */
DEFINE_MUTEX(ghost_enclaves_mutex);
static LIST_HEAD(ghost_enclaves);
static atomic64_t ghost_next_enclave_id = ATOMIC64_INIT(0);

static void ghost_enclave_free(struct ghost_enclave *e)
{
	vfree(e->status);
	vfree(e->txns);
	kvfree(e->tasks);
	kvfree(e->generations);
	bitmap_free(e->used_slots);
	free_cpumask_var(e->cpus);
	kfree(e);
}

static void ghost_enclave_free_workfn(struct work_struct *work)
{
	ghost_enclave_free(container_of(work, struct ghost_enclave, free_work));
}

/*
 * The last reference goes in process context or in a queue's RCU callback,
 * never under an rq lock: the live state holds one until every task and
 * agent is gone. Destruction waited for rq-lock holders to let go.
 */
static void ghost_enclave_release(struct kref *kref)
{
	struct ghost_enclave *e = container_of(kref, struct ghost_enclave, kref);

	queue_work(ghost_wq, &e->free_work);
}

void ghost_enclave_get(struct ghost_enclave *e)
{
	kref_get(&e->kref);
}

/* Any context. */
void ghost_enclave_put(struct ghost_enclave *e)
{
	kref_put(&e->kref, ghost_enclave_release);
}

bool ghost_enclave_live(struct ghost_enclave *e)
{
	return READ_ONCE(e->state) == GHOST_ENCLAVE_LIVE;
}

static bool ghost_valid_watchdog(u32 ms)
{
	return ms >= GHOST_MIN_WATCHDOG_MS && ms <= GHOST_MAX_WATCHDOG_MS;
}

/* Names are what a restarted daemon finds its enclaves by. */
static bool ghost_valid_name(const char *name)
{
	size_t len = strnlen(name, GHOST_NAME_MAX), i;

	if (len == GHOST_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	/* Nothing may follow the NUL: the field may grow into a struct. */
	return !memchr_inv(name + len, 0, GHOST_NAME_MAX - len);
}

void ghost_watchdog_arm(struct ghost_enclave *e)
{
	unsigned int period = max(READ_ONCE(e->watchdog_ms) / 4,
				  (u32)GHOST_MIN_WATCHDOG_MS);

	queue_delayed_work(ghost_wq, &e->watchdog, msecs_to_jiffies(period));
}

/* An agent throttled again and again for longer than @timeout, or NULL. */
static struct task_struct *ghost_watchdog_scan_agents(struct ghost_enclave *e,
						      u64 now, u64 timeout)
{
	int cpu;

	for_each_cpu(cpu, e->cpus) {
		struct ghost_cpu *gc = ghost_cpu(cpu);
		u64 since = READ_ONCE(gc->throttled_since);

		if (since && since < now && now - since > timeout)
			return READ_ONCE(gc->agent);
	}
	return NULL;
}

/*
 * Whether @gt could not have run: higher classes hold every CPU of the
 * enclave that it may use, or it may use none. Its agent is not to blame.
 */
static bool ghost_task_starved(struct ghost_enclave *e, struct ghost_task *gt)
{
	const struct cpumask *allowed = gt->task->cpus_ptr;
	int cpu;

	for_each_cpu_and(cpu, allowed, e->cpus) {
		struct ghost_cpu *gc = ghost_cpu(cpu);

		if (READ_ONCE(gc->available) && !READ_ONCE(gc->offline))
			return false;
	}
	return true;
}

struct ghost_watchdog_culprit {
	pid_t pid;
	u64 waited_ns;
	int cpu;
	u32 flags;
	struct ghost_queue *queue;
};

/*
 * Evict the tasks that waited past @timeout because they had nowhere to
 * run; return in @c the longest-waiting one that had, if any.
 */
static void ghost_watchdog_scan_tasks(struct ghost_enclave *e, u64 now,
				      u64 timeout,
				      struct ghost_watchdog_culprit *c)
{
	u32 slot;

	memset(c, 0, sizeof(*c));
	raw_spin_lock_irq(&e->lock);
	for_each_set_bit(slot, e->used_slots, e->max_tasks) {
		struct ghost_task *gt = e->tasks[slot];
		u64 since = READ_ONCE(gt->runnable_since);

		if (!since || since >= now || now - since <= timeout)
			continue;
		if (ghost_task_starved(e, gt)) {
			ghost_task_evict(gt, GHOST_DEPART_STARVED);
			continue;
		}
		if (now - since > c->waited_ns) {
			c->waited_ns = now - since;
			c->pid = task_pid_nr(gt->task);
			c->cpu = task_cpu(gt->task);
			c->flags = READ_ONCE(gt->word->flags);
			c->queue = rcu_dereference_sched(gt->queue);
		}
	}
	raw_spin_unlock_irq(&e->lock);
}

/* What each CPU was doing when the watchdog fired, for the agent's author. */
static void ghost_enclave_dump_cpus(struct ghost_enclave *e)
{
	int cpu;

	for_each_cpu(cpu, e->cpus) {
		struct ghost_status_word *w = &e->words[cpu];
		struct ghost_cpu *gc = ghost_cpu(cpu);

		pr_notice("enclave %llu: cpu %d flags %#x running %#llx latched %s barrier %u\n",
			  e->id, cpu, READ_ONCE(w->flags), READ_ONCE(w->gtid),
			  READ_ONCE(gc->latched) ? "yes" : "no",
			  READ_ONCE(w->barrier));
	}
}

static void ghost_watchdog_fn(struct work_struct *work)
{
	struct ghost_enclave *e = container_of(to_delayed_work(work),
					       struct ghost_enclave, watchdog);
	u64 timeout = (u64)READ_ONCE(e->watchdog_ms) * NSEC_PER_MSEC;
	u64 now = ktime_get_ns();
	struct ghost_watchdog_culprit c;
	struct task_struct *agent;
	struct ghost_queue *queue;
	pid_t culprit;

	if (!ghost_enclave_live(e))
		return;
	/* Queues and tasks found under e->lock stay valid under RCU. */
	rcu_read_lock_sched();
	ghost_watchdog_scan_tasks(e, now, timeout, &c);
	culprit = c.pid;
	if (culprit) {
		pr_notice("enclave %llu: task %d (queued on cpu %d, flags %#x) waited %llu ms to run; destroying the enclave\n",
			  e->id, culprit, c.cpu, c.flags, c.waited_ns / NSEC_PER_MSEC);
		queue = ghost_route_queue(e, c.queue);
		if (queue)
			pr_notice("enclave %llu: its queue wakes cpu %d and holds %u unread messages\n",
				  e->id, READ_ONCE(queue->wakeup_cpu),
				  queue->head - READ_ONCE(queue->header->tail));
	} else {
		agent = ghost_watchdog_scan_agents(e, now, timeout);
		culprit = agent ? task_pid_nr(agent) : 0;
		if (culprit)
			pr_notice("enclave %llu: agent %d kept being throttled for starving other classes; destroying the enclave\n",
				  e->id, culprit);
	}
	rcu_read_unlock_sched();
	if (!culprit) {
		ghost_watchdog_arm(e);
		return;
	}
	ghost_enclave_dump_cpus(e);
	atomic64_inc(&e->stats.watchdog_firings);
	ghost_enclave_destroy(e, GHOST_DESTROY_WATCHDOG);
}

static struct ghost_enclave *ghost_enclave_alloc(const struct cpumask *cpus,
						 u32 max_tasks)
{
	struct ghost_enclave *e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	size_t nr_words;

	if (!e)
		return NULL;
	kref_init(&e->kref);
	raw_spin_lock_init(&e->lock);
	mutex_init(&e->config_mutex);
	INIT_DELAYED_WORK(&e->watchdog, ghost_watchdog_fn);
	INIT_WORK(&e->free_work, ghost_enclave_free_workfn);
	e->max_tasks = max_tasks;
	e->nr_cpu_words = nr_cpu_ids;
	nr_words = (size_t)nr_cpu_ids + max_tasks;
	e->status_size = PAGE_ALIGN(sizeof(*e->status) +
				    nr_words * sizeof(struct ghost_status_word));
	e->txns_size = PAGE_ALIGN(nr_cpu_ids * sizeof(struct ghost_txn));

	if (!zalloc_cpumask_var(&e->cpus, GFP_KERNEL))
		goto err_free;
	cpumask_copy(e->cpus, cpus);
	e->status = ghost_alloc_shared(e->status_size);
	e->txns = ghost_alloc_shared(e->txns_size);
	e->tasks = kvcalloc(max_tasks, sizeof(*e->tasks), GFP_KERNEL_ACCOUNT);
	e->generations = kvcalloc(max_tasks, sizeof(*e->generations),
				  GFP_KERNEL_ACCOUNT);
	e->used_slots = bitmap_zalloc(max_tasks, GFP_KERNEL_ACCOUNT);
	if (!e->status || !e->txns || !e->tasks || !e->generations ||
	    !e->used_slots)
		goto err_free;

	e->status->magic = GHOST_STATUS_MAGIC;
	e->status->abi_version = GHOST_ABI_VERSION;
	e->status->nr_words = nr_words;
	e->status->nr_cpu_words = nr_cpu_ids;
	e->status->word_size = sizeof(struct ghost_status_word);
	e->words = (void *)(e->status + 1);
	return e;

err_free:
	ghost_enclave_free(e);
	return NULL;
}

/*
 * Under ghost_enclaves_mutex and cpus_read_lock(): whether some online CPU
 * would be left in no enclave if @e (NULL: a new one) owned exactly
 * @claimed. The kernel's unbound work, and the watchdog's recovery, must
 * run somewhere.
 */
bool ghost_cpus_leave_one_free(struct ghost_enclave *e,
			       const struct cpumask *claimed)
{
	int cpu;

	lockdep_assert_held(&ghost_enclaves_mutex);
	for_each_online_cpu(cpu) {
		struct ghost_enclave *owner = ghost_cpu(cpu)->enclave;

		if ((!owner || owner == e) && !cpumask_test_cpu(cpu, claimed))
			return true;
	}
	return false;
}

/* Under the rq lock of @gc's CPU: @gc now belongs to @e, afresh. */
static void ghost_cpu_join(struct rq *rq, struct ghost_cpu *gc,
			   struct ghost_enclave *e)
{
	gc->word = &e->words[gc->cpu];
	gc->enclave = e;
	gc->available = !ghost_rq_nr_running_above(rq);
	gc->offline = false;
	gc->latched = NULL;
	gc->reserved = NULL;
	gc->running = NULL;
	gc->preempt_running = false;
	gc->want_not_idle = false;
	gc->starve_ticks = 0;
	gc->throttled_until = 0;
	WRITE_ONCE(gc->throttled_since, 0);
	ghost_update_cpu_word(gc);
}

/*
 * Under the rq lock of @gc's CPU: @gc leaves its enclave. What was
 * committed there loses its CPU; the agent was demoted before.
 */
static void ghost_cpu_leave(struct rq *rq, struct ghost_cpu *gc)
{
	if (gc->latched)
		ghost_task_unlatch(rq, ghost_task_of(gc->latched), true);
	if (gc->running) {
		gc->preempt_running = true;
		ghost_resched_curr(rq);
	}
	WRITE_ONCE(gc->word->flags, 0);
	gc->enclave = NULL;
	gc->word = NULL;
	gc->running = NULL;
}

/*
 * Under ghost_enclaves_mutex and cpus_read_lock(): may @e own @cpus? They
 * must be online, in no other enclave, and leave a CPU to the kernel.
 */
static int ghost_check_cpus(struct ghost_enclave *e, const struct cpumask *cpus)
{
	int cpu;

	if (!cpumask_subset(cpus, cpu_online_mask))
		return -ENODEV;
	for_each_cpu(cpu, cpus) {
		struct ghost_enclave *owner = ghost_cpu(cpu)->enclave;

		if (owner && owner != e)
			return -EBUSY;
	}
	if (!ghost_cpus_leave_one_free(e, cpus))
		return -ENOSPC;
	return 0;
}

/* Under ghost_enclaves_mutex: make @e the owner of @cpus. */
static void ghost_claim_cpus(struct ghost_enclave *e, const struct cpumask *cpus)
{
	unsigned long flags;
	int cpu;

	for_each_cpu(cpu, cpus) {
		struct rq *rq = ghost_cpu_rq_lock(cpu, &flags);

		ghost_cpu_join(rq, ghost_cpu(cpu), e);
		ghost_rq_unlock(rq, flags);
	}
}

/* Under ghost_enclaves_mutex: @e gives @cpus up. */
static void ghost_release_cpus(struct ghost_enclave *e, const struct cpumask *cpus)
{
	unsigned long flags;
	int cpu;

	lockdep_assert_held(&ghost_enclaves_mutex);
	for_each_cpu(cpu, cpus) {
		struct rq *rq = ghost_cpu_rq_lock(cpu, &flags);

		ghost_cpu_leave(rq, ghost_cpu(cpu));
		ghost_rq_unlock(rq, flags);
	}
}

static int ghost_enclave_file_release(struct inode *inode, struct file *file)
{
	ghost_enclave_put(file->private_data);
	return 0;
}

static long ghost_enclave_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg);

static int ghost_enclave_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ghost_enclave *e = file->private_data;
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;

	if (!capable(CAP_SYS_NICE))
		return -EPERM;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (offset == GHOST_MMAP_STATUS) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vma->vm_flags &= ~VM_MAYWRITE;
		return ghost_map_shared(vma, e->status, e->status_size);
	}
	if (offset == GHOST_MMAP_TXNS)
		return ghost_map_shared(vma, e->txns, e->txns_size);
	return -EINVAL;
}

static const struct file_operations ghost_enclave_fops = {
	.owner		= THIS_MODULE,
	.release	= ghost_enclave_file_release,
	.unlocked_ioctl	= ghost_enclave_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= ghost_enclave_mmap,
	.llseek		= noop_llseek,
};

struct ghost_enclave *ghost_enclave_from_file(struct file *file)
{
	return file->f_op == &ghost_enclave_fops ? file->private_data : NULL;
}

/* A new file of @e, which holds a reference to it. */
static struct file *ghost_enclave_file(struct ghost_enclave *e)
{
	struct file *file;

	ghost_enclave_get(e);
	file = anon_inode_getfile("[ghost-enclave]", &ghost_enclave_fops, e, O_RDWR);
	if (IS_ERR(file))
		ghost_enclave_put(e);
	return file;
}

/* Under ghost_enclaves_mutex. */
static struct ghost_enclave *ghost_enclave_find(u64 id, const char *name)
{
	struct ghost_enclave *e;

	list_for_each_entry(e, &ghost_enclaves, node)
		if (id ? e->id == id : !strcmp(e->name, name))
			return e;
	return NULL;
}

/*
 * Under cpus_read_lock(): claim the CPUs and publish @e, unless its CPUs or
 * its name are taken.
 */
static int ghost_enclave_publish(struct ghost_enclave *e)
{
	int ret;

	mutex_lock(&ghost_enclaves_mutex);
	ret = ghost_check_cpus(e, e->cpus);
	if (!ret && e->name[0] && ghost_enclave_find(0, e->name))
		ret = -EEXIST;
	if (!ret) {
		ghost_claim_cpus(e, e->cpus);
		e->state = GHOST_ENCLAVE_LIVE;
		list_add_tail(&e->node, &ghost_enclaves);
	}
	mutex_unlock(&ghost_enclaves_mutex);
	return ret;
}

/*
 * The caller has the enclave's id and fd before the enclave goes live, so
 * a failure to tell it leaves nothing behind; and no lock is held while
 * user memory is written.
 */
int ghost_enclave_create(struct ghost_enclave_create *arg, unsigned int cmd,
			 unsigned long uarg)
{
	u32 max_tasks = arg->max_tasks ?: GHOST_DEFAULT_MAX_TASKS;
	u32 watchdog_ms = arg->watchdog_ms ?: GHOST_DEFAULT_WATCHDOG_MS;
	struct ghost_enclave *e;
	struct file *file;
	cpumask_var_t cpus;
	int fd, ret;

	if (!capable(CAP_SYS_NICE))
		return -EPERM;
	if (arg->flags & ~GHOST_ENCLAVE_F_ALL || arg->reserved ||
	    max_tasks > GHOST_LIMIT_MAX_TASKS ||
	    !ghost_valid_watchdog(watchdog_ms) || !ghost_valid_name(arg->name))
		return -EINVAL;
	if (!alloc_cpumask_var(&cpus, GFP_KERNEL))
		return -ENOMEM;
	ret = ghost_read_cpumask(cpus, arg->cpus_ptr, arg->cpus_size);
	if (!ret && cpumask_empty(cpus))
		ret = -EINVAL;
	if (ret)
		goto out_free_cpus;

	e = ghost_enclave_alloc(cpus, max_tasks);
	ret = -ENOMEM;
	if (!e)
		goto out_free_cpus;
	e->id = atomic64_inc_return(&ghost_next_enclave_id);
	memcpy(e->name, arg->name, GHOST_NAME_MAX);
	e->flags = arg->flags;
	e->watchdog_ms = watchdog_ms;
	e->state = GHOST_ENCLAVE_DYING;	/* until published */
	__module_get(THIS_MODULE);

	file = ghost_enclave_file(e);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put_enclave;
	}
	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_file;
	}
	arg->id = e->id;
	arg->fd = fd;
	ret = -EFAULT;
	if (ghost_copy_arg_out(cmd, uarg, arg, sizeof(*arg)))
		goto err_put_fd;

	cpus_read_lock();
	ret = ghost_enclave_publish(e);
	cpus_read_unlock();
	if (ret)
		goto err_put_fd;
	fd_install(fd, file);
	ghost_watchdog_arm(e);
	ghost_event(GHOST_EVENT_ENCLAVE_CREATED, e->id, 0, -1, 0);
	goto out_free_cpus;

err_put_fd:
	put_unused_fd(fd);
err_put_file:
	fput(file);
err_put_enclave:
	ghost_enclave_put(e);
	module_put(THIS_MODULE);
out_free_cpus:
	free_cpumask_var(cpus);
	return ret;
}

int ghost_enclave_open(struct ghost_enclave_open *arg, unsigned int cmd,
		       unsigned long uarg)
{
	struct ghost_enclave *e;
	struct file *file;

	if (!capable(CAP_SYS_NICE))
		return -EPERM;
	if (arg->reserved || !ghost_valid_name(arg->name) ||
	    (!arg->id && !arg->name[0]))
		return -EINVAL;
	mutex_lock(&ghost_enclaves_mutex);
	e = ghost_enclave_find(arg->id, arg->name);
	if (e)
		ghost_enclave_get(e);
	mutex_unlock(&ghost_enclaves_mutex);
	if (!e)
		return -ENOENT;
	file = ghost_enclave_file(e);
	ghost_enclave_put(e);
	if (IS_ERR(file))
		return PTR_ERR(file);
	return ghost_install_fd(file, &arg->fd, arg, sizeof(*arg), cmd, uarg);
}

/*
 * Return every agent of the dying @e to CFS, with the affinity it had
 * before it became one and free to change it again.
 */
static void ghost_enclave_evict_agents(struct ghost_enclave *e)
{
	int cpu;

	for_each_cpu(cpu, e->cpus)
		ghost_agent_evict(e, cpu);
}

/*
 * Destroy @e: every task and agent returns to CFS and the CPUs are freed.
 * Sleeps until done. Returns -ENODEV if @e was not live.
 */
int ghost_enclave_destroy(struct ghost_enclave *e, int reason)
{
	raw_spin_lock_irq(&e->lock);
	if (e->state != GHOST_ENCLAVE_LIVE) {
		raw_spin_unlock_irq(&e->lock);
		return -ENODEV;
	}
	WRITE_ONCE(e->state, GHOST_ENCLAVE_DYING);
	raw_spin_unlock_irq(&e->lock);

	/* The watchdog destroys from its own work item. */
	if (reason != GHOST_DESTROY_WATCHDOG)
		cancel_delayed_work_sync(&e->watchdog);

	ghost_task_evict_all(e);
	mutex_lock(&e->config_mutex);
	ghost_enclave_evict_agents(e);
	mutex_unlock(&e->config_mutex);

	mutex_lock(&ghost_enclaves_mutex);
	ghost_release_cpus(e, e->cpus);
	list_del(&e->node);
	mutex_unlock(&ghost_enclaves_mutex);
	/* No rq-lock holder still reaches @e through its CPUs. */
	synchronize_rcu();
	/* The default queue refers to @e too: break the cycle. */
	ghost_queue_drop_default(e);

	ghost_event(GHOST_EVENT_ENCLAVE_DESTROYED, e->id, reason, -1, 0);
	pr_info("enclave %llu destroyed (%s)\n", e->id,
		reason == GHOST_DESTROY_WATCHDOG ? "watchdog" : "user");
	/* The live state's references; open fds still pin the module. */
	ghost_enclave_put(e);
	module_put(THIS_MODULE);
	return 0;
}

/*
 * Under cpus_read_lock() and e->config_mutex: give @e the CPUs in @arg's
 * bitmap. Agents of CPUs it loses are demoted first, while the CPUs are
 * still its own; tasks left with no CPU of it depart.
 */
static int ghost_enclave_set_cpus(struct ghost_enclave *e,
				  struct ghost_enclave_cpus *arg)
{
	cpumask_var_t cpus, gone, added;
	unsigned long flags;
	int cpu, ret = -ENOMEM;

	if (arg->reserved)
		return -EINVAL;
	if (!alloc_cpumask_var(&cpus, GFP_KERNEL))
		return -ENOMEM;
	if (!alloc_cpumask_var(&gone, GFP_KERNEL))
		goto out_free_cpus;
	if (!alloc_cpumask_var(&added, GFP_KERNEL))
		goto out_free_gone;
	ret = ghost_read_cpumask(cpus, arg->cpus_ptr, arg->cpus_size);
	if (!ret && cpumask_empty(cpus))
		ret = -EINVAL;
	if (ret)
		goto out_free_added;

	mutex_lock(&ghost_enclaves_mutex);
	ret = ghost_check_cpus(e, cpus);
	mutex_unlock(&ghost_enclaves_mutex);
	if (ret)
		goto out_free_added;
	cpumask_andnot(gone, e->cpus, cpus);
	cpumask_andnot(added, cpus, e->cpus);
	for_each_cpu(cpu, gone)
		ghost_agent_evict(e, cpu);

	mutex_lock(&ghost_enclaves_mutex);
	ghost_release_cpus(e, gone);
	ghost_claim_cpus(e, added);
	raw_spin_lock_irqsave(&e->lock, flags);
	cpumask_copy(e->cpus, cpus);
	raw_spin_unlock_irqrestore(&e->lock, flags);
	mutex_unlock(&ghost_enclaves_mutex);
	ghost_task_evict_outside(e);

out_free_added:
	free_cpumask_var(added);
out_free_gone:
	free_cpumask_var(gone);
out_free_cpus:
	free_cpumask_var(cpus);
	return ret;
}

/* Call @fn on each live enclave with id >= @start_id until it returns non-zero. */
int ghost_enclave_for_each(int (*fn)(struct ghost_enclave *e, void *data),
			   void *data, u64 start_id)
{
	struct ghost_enclave *e;
	int ret = 0;

	mutex_lock(&ghost_enclaves_mutex);
	list_for_each_entry(e, &ghost_enclaves, node) {
		if (e->id < start_id)
			continue;
		ret = fn(e, data);
		if (ret)
			break;
	}
	mutex_unlock(&ghost_enclaves_mutex);
	return ret;
}

static void ghost_enclave_info(struct ghost_enclave *e,
			       struct ghost_enclave_info *info)
{
	int cpu;

	info->id = e->id;
	memcpy(info->name, e->name, GHOST_NAME_MAX);
	raw_spin_lock_irq(&e->lock);
	for_each_cpu(cpu, e->cpus) {
		if (cpu >= 64 * ARRAY_SIZE(info->cpus))
			break;
		info->cpus[cpu / 64] |= 1ULL << (cpu % 64);
	}
	info->nr_cpus = cpumask_weight(e->cpus);
	info->nr_tasks = e->nr_tasks;
	info->nr_agents = e->nr_agents;
	raw_spin_unlock_irq(&e->lock);
	info->state = READ_ONCE(e->state);
	info->flags = READ_ONCE(e->flags);
	info->watchdog_ms = READ_ONCE(e->watchdog_ms);
	info->max_tasks = e->max_tasks;
	info->nr_cpu_ids = e->nr_cpu_words;
	info->status_size = e->status_size;
	info->txns_size = e->txns_size;
}

/* A @watchdog_ms of 0 keeps the current timeout. */
static int ghost_enclave_configure(struct ghost_enclave *e,
				   struct ghost_enclave_config *config)
{
	if (config->flags & ~GHOST_ENCLAVE_F_ALL ||
	    (config->watchdog_ms && !ghost_valid_watchdog(config->watchdog_ms)))
		return -EINVAL;
	WRITE_ONCE(e->flags, config->flags);
	if (config->watchdog_ms)
		WRITE_ONCE(e->watchdog_ms, config->watchdog_ms);
	return 0;
}

/* The argument of every enclave ioctl, in kernel memory. */
union ghost_enclave_arg {
	struct ghost_enclave_info info;
	struct ghost_enclave_config config;
	struct ghost_enclave_cpus cpus;
	struct ghost_add_task add_task;
	struct ghost_remove_task remove_task;
	struct ghost_queue_create queue_create;
	struct ghost_queue_ref queue_ref;
	struct ghost_assoc_queue assoc;
	struct ghost_discover discover;
	struct ghost_agent_attach attach;
	struct ghost_agent_park park;
	struct ghost_commit commit;
	struct ghost_agent_move move;
	struct ghost_ping ping;
};

/* Configuration requests, serialised against each other and destruction. */
static long ghost_enclave_configure_ioctl(struct ghost_enclave *e,
					  unsigned int request,
					  union ghost_enclave_arg *a)
{
	switch (request) {
	case GHOST_IOC_CONFIGURE:
		return ghost_enclave_configure(e, &a->config);
	case GHOST_IOC_SET_CPUS:
		return ghost_enclave_set_cpus(e, &a->cpus);
	case GHOST_IOC_SET_DEFAULT_QUEUE:
		return ghost_queue_set_default(e, &a->queue_ref);
	case GHOST_IOC_SET_QUEUE_WAKEUP:
		return ghost_queue_set_wakeup(e, &a->queue_ref);
	case GHOST_IOC_BECOME_AGENT:
		return ghost_agent_attach(e, &a->attach);
	case GHOST_IOC_AGENT_MOVE:
		return ghost_agent_move(e, &a->move);
	case GHOST_IOC_AGENT_RELEASE:
		return ghost_agent_release(e);
	}
	return -ENOTTY;
}

static const unsigned int ghost_enclave_ioctls[] = {
	GHOST_IOC_ENCLAVE_INFO, GHOST_IOC_DESTROY_ENCLAVE, GHOST_IOC_CONFIGURE,
	GHOST_IOC_ADD_TASK, GHOST_IOC_CREATE_QUEUE, GHOST_IOC_SET_DEFAULT_QUEUE,
	GHOST_IOC_SET_QUEUE_WAKEUP, GHOST_IOC_ASSOC_QUEUE, GHOST_IOC_DISCOVER,
	GHOST_IOC_BECOME_AGENT, GHOST_IOC_AGENT_PARK, GHOST_IOC_COMMIT,
	GHOST_IOC_AGENT_MOVE, GHOST_IOC_AGENT_RELEASE, GHOST_IOC_REMOVE_TASK,
	GHOST_IOC_PING, GHOST_IOC_SET_CPUS,
};

/* What only the enclave's owner may do: see Rights in the uapi header. */
static bool ghost_owner_request(unsigned int request)
{
	switch (request) {
	case GHOST_IOC_DESTROY_ENCLAVE:
	case GHOST_IOC_CONFIGURE:
	case GHOST_IOC_SET_CPUS:
	case GHOST_IOC_CREATE_QUEUE:
	case GHOST_IOC_SET_DEFAULT_QUEUE:
	case GHOST_IOC_SET_QUEUE_WAKEUP:
	case GHOST_IOC_ASSOC_QUEUE:
	case GHOST_IOC_DISCOVER:
	case GHOST_IOC_BECOME_AGENT:
	case GHOST_IOC_PING:
		return true;
	}
	return false;
}

/* The request @cmd stands for, whatever argument size it encodes; or 0. */
static unsigned int ghost_enclave_request(unsigned int cmd)
{
	int i;

	if (_IOC_TYPE(cmd) != GHOST_IOC_MAGIC)
		return 0;
	for (i = 0; i < ARRAY_SIZE(ghost_enclave_ioctls); i++)
		if (_IOC_NR(ghost_enclave_ioctls[i]) == _IOC_NR(cmd))
			return ghost_enclave_ioctls[i];
	return 0;
}

static long ghost_enclave_ioctl(struct file *file, unsigned int cmd,
				unsigned long uarg)
{
	struct ghost_enclave *e = file->private_data;
	unsigned int request = ghost_enclave_request(cmd);
	size_t size = _IOC_SIZE(request);
	union ghost_enclave_arg a;
	long ret;

	if (!request)
		return -ENOTTY;
	memset(&a, 0, sizeof(a));
	if (_IOC_DIR(request) & _IOC_WRITE) {
		ret = ghost_copy_arg_in(&a, size, cmd, uarg);
		if (ret)
			return ret;
	}
	if (ghost_owner_request(request) && !capable(CAP_SYS_NICE))
		return -EPERM;
	if (!ghost_enclave_live(e))
		return -ENODEV;

	switch (request) {
	case GHOST_IOC_ENCLAVE_INFO:
		ghost_enclave_info(e, &a.info);
		ret = 0;
		break;
	case GHOST_IOC_DESTROY_ENCLAVE:
		return ghost_enclave_destroy(e, GHOST_DESTROY_USER);
	case GHOST_IOC_ADD_TASK:
		ret = ghost_task_add(e, &a.add_task);
		/* The counts are meaningful on failure too. */
		if (ghost_copy_arg_out(cmd, uarg, &a, size))
			return -EFAULT;
		return ret;
	case GHOST_IOC_REMOVE_TASK:
		ret = ghost_task_remove(e, &a.remove_task);
		if (ghost_copy_arg_out(cmd, uarg, &a, size))
			return -EFAULT;
		return ret;
	case GHOST_IOC_ASSOC_QUEUE:
		return ghost_task_assoc_queue(e, &a.assoc);
	case GHOST_IOC_DISCOVER:
		ret = ghost_task_discover(e, &a.discover);
		break;
	case GHOST_IOC_AGENT_PARK:
		if (a.park.flags)
			return -EINVAL;
		return ghost_agent_park(e, a.park.agent_barrier);
	case GHOST_IOC_COMMIT:
		ret = ghost_commit(e, &a.commit);
		/* nr_committed is meaningful with EBUSY too. */
		if ((!ret || ret == -EBUSY) &&
		    ghost_copy_arg_out(cmd, uarg, &a, size))
			return -EFAULT;
		return ret;
	case GHOST_IOC_PING:
		return ghost_agent_ping(e, &a.ping);
	case GHOST_IOC_CREATE_QUEUE:
		/* It hands its fd out itself, once the result reached the caller. */
		mutex_lock(&e->config_mutex);
		ret = ghost_enclave_live(e) ?
		      ghost_queue_create(e, &a.queue_create, cmd, uarg) : -ENODEV;
		mutex_unlock(&e->config_mutex);
		return ret;
	default:
		/* CPU changes take the hotplug lock, which comes first. */
		if (request == GHOST_IOC_SET_CPUS)
			cpus_read_lock();
		mutex_lock(&e->config_mutex);
		ret = ghost_enclave_live(e) ?
		      ghost_enclave_configure_ioctl(e, request, &a) :
		      -ENODEV;
		mutex_unlock(&e->config_mutex);
		if (request == GHOST_IOC_SET_CPUS)
			cpus_read_unlock();
		break;
	}
	if (!ret && (_IOC_DIR(request) & _IOC_READ))
		ret = ghost_copy_arg_out(cmd, uarg, &a, size);
	return ret;
}
