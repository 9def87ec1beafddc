// SPDX-License-Identifier: GPL-2.0
/*
 * Message queues: rings the kernel fills and an agent drains, shared
 * through a queue fd's mapping. The kernel keeps its own head and reads
 * only the agent's tail, which it treats as untrusted: a tail that makes
 * the ring look over-full just makes messages drop as overflow.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "ghost.h"

#define GHOST_QUEUE_MIN_SLOTS	16
#define GHOST_QUEUE_MAX_SLOTS	65536
/* Per enclave: a queue per CPU and agent, twice over for handoffs, and some. */
#define GHOST_MAX_QUEUES(e)	(64 + 2 * cpumask_weight((e)->cpus))

static void ghost_queue_free_rcu(struct rcu_head *rcu)
{
	struct ghost_queue *q = container_of(rcu, struct ghost_queue, rcu);

	vfree(q->header);
	ghost_enclave_put(q->enclave);
	kfree(q);
}

static void ghost_queue_release(struct kref *kref)
{
	struct ghost_queue *q = container_of(kref, struct ghost_queue, kref);

	/* Producers under an rq lock may still hold it. */
	call_rcu(&q->rcu, ghost_queue_free_rcu);
}

/* Any context. */
void ghost_queue_put(struct ghost_queue *q)
{
	kref_put(&q->kref, ghost_queue_release);
}

/*
 * Nobody can read the queue any more: its messages go to the default one,
 * and it no longer counts against the enclave's queues, so that a new
 * agent can make its own while the old agent's tasks still point here.
 */
static int ghost_queue_file_release(struct inode *inode, struct file *file)
{
	struct ghost_queue *q = file->private_data;
	struct ghost_enclave *e = q->enclave;
	unsigned long flags;

	WRITE_ONCE(q->orphaned, true);
	raw_spin_lock_irqsave(&e->lock, flags);
	e->nr_queues--;
	raw_spin_unlock_irqrestore(&e->lock, flags);
	ghost_queue_put(q);
	return 0;
}

static int ghost_queue_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ghost_queue *q = file->private_data;

	if (vma->vm_pgoff || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	return ghost_map_shared(vma, q->header, q->map_size);
}

static const struct file_operations ghost_queue_fops = {
	.owner		= THIS_MODULE,
	.release	= ghost_queue_file_release,
	.mmap		= ghost_queue_mmap,
	.llseek		= noop_llseek,
};

static bool ghost_valid_wakeup_cpu(struct ghost_enclave *e, int cpu)
{
	return cpu == -1 ||
	       (cpu >= 0 && cpu < nr_cpu_ids && cpumask_test_cpu(cpu, e->cpus));
}

/* Under e->config_mutex; hands the fd out once the caller has its number. */
int ghost_queue_create(struct ghost_enclave *e, struct ghost_queue_create *arg,
		       unsigned int cmd, unsigned long uarg)
{
	struct ghost_queue *q;
	struct file *file;
	int ret;

	if (arg->flags || !is_power_of_2(arg->nr_slots) ||
	    arg->nr_slots < GHOST_QUEUE_MIN_SLOTS ||
	    arg->nr_slots > GHOST_QUEUE_MAX_SLOTS ||
	    !ghost_valid_wakeup_cpu(e, arg->wakeup_cpu))
		return -EINVAL;

	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return -ENOMEM;
	q->map_size = PAGE_ALIGN(GHOST_QUEUE_SLOTS_OFFSET +
				 (size_t)arg->nr_slots * sizeof(struct ghost_msg));
	q->header = ghost_alloc_shared(q->map_size);
	if (!q->header) {
		ret = -ENOMEM;
		goto err_free_queue;
	}
	q->header->magic = GHOST_QUEUE_MAGIC;
	q->header->nr_slots = arg->nr_slots;
	q->header->slot_size = sizeof(struct ghost_msg);
	q->slots = (void *)q->header + GHOST_QUEUE_SLOTS_OFFSET;
	q->nr_slots = arg->nr_slots;
	q->wakeup_cpu = arg->wakeup_cpu;
	raw_spin_lock_init(&q->lock);
	kref_init(&q->kref);

	raw_spin_lock_irq(&e->lock);
	ret = e->nr_queues < GHOST_MAX_QUEUES(e) ? 0 : -ENOSPC;
	if (!ret)
		e->nr_queues++;
	raw_spin_unlock_irq(&e->lock);
	if (ret)
		goto err_free_ring;
	ghost_enclave_get(e);
	q->enclave = e;

	/* From here on the file's release undoes all of the above. */
	file = anon_inode_getfile("[ghost-queue]", &ghost_queue_fops, q, O_RDWR);
	if (IS_ERR(file)) {
		raw_spin_lock_irq(&e->lock);
		e->nr_queues--;
		raw_spin_unlock_irq(&e->lock);
		ghost_queue_put(q);
		return PTR_ERR(file);
	}

	arg->map_size = q->map_size;
	kref_get(&q->kref);
	ret = ghost_install_fd(file, &arg->fd, arg, sizeof(*arg), cmd, uarg);
	/* The first queue the caller got becomes the default one. */
	raw_spin_lock_irq(&e->lock);
	if (!ret && !rcu_access_pointer(e->default_queue)) {
		kref_get(&q->kref);
		rcu_assign_pointer(e->default_queue, q);
	}
	raw_spin_unlock_irq(&e->lock);
	ghost_queue_put(q);
	return ret;

err_free_ring:
	vfree(q->header);
err_free_queue:
	kfree(q);
	return ret;
}

/* A reference to the queue behind @fd if it belongs to @e, else NULL. */
struct ghost_queue *ghost_queue_get_fd(struct ghost_enclave *e, int fd)
{
	struct ghost_queue *q = NULL;
	struct fd f = fdget(fd);

	if (!f.file)
		return NULL;
	if (f.file->f_op == &ghost_queue_fops) {
		q = f.file->private_data;
		if (q->enclave == e)
			kref_get(&q->kref);
		else
			q = NULL;
	}
	fdput(f);
	return q;
}

/* Under an rq lock or e->lock. */
static struct ghost_queue *ghost_default_queue(struct ghost_enclave *e)
{
	return rcu_dereference_sched(e->default_queue);
}

/*
 * Where a message meant for @q (NULL: the default queue) goes: to the
 * default queue if @q has no fd left, and nowhere if that has none either.
 */
struct ghost_queue *ghost_route_queue(struct ghost_enclave *e,
				      struct ghost_queue *q)
{
	if (!q || READ_ONCE(q->orphaned))
		q = ghost_default_queue(e);
	return q && !READ_ONCE(q->orphaned) ? q : NULL;
}

int ghost_queue_set_default(struct ghost_enclave *e, struct ghost_queue_ref *arg)
{
	struct ghost_queue *q, *old;

	if (arg->wakeup_cpu)
		return -EINVAL;
	q = ghost_queue_get_fd(e, arg->queue_fd);
	if (!q)
		return -EBADF;
	raw_spin_lock_irq(&e->lock);
	old = rcu_dereference_protected(e->default_queue,
					lockdep_is_held(&e->lock));
	rcu_assign_pointer(e->default_queue, q);
	raw_spin_unlock_irq(&e->lock);
	if (old)
		ghost_queue_put(old);
	return 0;
}

/* The dying @e forgets its default queue. */
void ghost_queue_drop_default(struct ghost_enclave *e)
{
	struct ghost_queue *q;

	raw_spin_lock_irq(&e->lock);
	q = rcu_dereference_protected(e->default_queue,
				      lockdep_is_held(&e->lock));
	RCU_INIT_POINTER(e->default_queue, NULL);
	raw_spin_unlock_irq(&e->lock);
	if (q)
		ghost_queue_put(q);
}

int ghost_queue_set_wakeup(struct ghost_enclave *e, struct ghost_queue_ref *arg)
{
	struct ghost_queue *q;

	if (!ghost_valid_wakeup_cpu(e, arg->wakeup_cpu))
		return -EINVAL;
	q = ghost_queue_get_fd(e, arg->queue_fd);
	if (!q)
		return -EBADF;
	WRITE_ONCE(q->wakeup_cpu, arg->wakeup_cpu);
	ghost_queue_put(q);
	return 0;
}

/* Append @msg to @q and wake the agent watching it; under an rq lock. */
void ghost_queue_produce(struct rq *rq, struct ghost_queue *q,
			 struct ghost_msg *msg)
{
	struct ghost_queue_header *h = q->header;
	bool first_drop = false;
	int wakeup_cpu;
	u32 head, tail;

	raw_spin_lock(&q->lock);
	head = q->head;
	tail = READ_ONCE(h->tail);
	if (head - tail >= q->nr_slots) {
		WRITE_ONCE(h->overflow, READ_ONCE(h->overflow) + 1);
		atomic64_inc(&q->enclave->stats.overflows);
		first_drop = !q->overflowing;
		q->overflowing = true;
	} else {
		memcpy(&q->slots[head & (q->nr_slots - 1)], msg, sizeof(*msg));
		q->head = head + 1;
		/* The message is in place before the head announces it. */
		smp_store_release(&h->head, q->head);
		q->overflowing = false;
	}
	raw_spin_unlock(&q->lock);

	if (first_drop)
		ghost_event_post(&ghost_cpu(msg->cpu >= 0 ? msg->cpu :
					   raw_smp_processor_id())->overflow_event,
				 GHOST_EVENT_QUEUE_OVERFLOW, q->enclave->id, 0,
				 msg->cpu, 0);
	wakeup_cpu = READ_ONCE(q->wakeup_cpu);
	if (wakeup_cpu >= 0)
		ghost_agent_wake(rq, wakeup_cpu);
}
