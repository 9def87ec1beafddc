// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "ghost": per-enclave counters on request, and
 * events to a multicast group.
 *
 * Events often arise under an rq lock, where sending a netlink message
 * (which wakes listeners) would deadlock and allocating memory could wake
 * kswapd (the pi_lock of another task inside an rq lock). Those use slots
 * reserved in advance (struct ghost_nl_event) and go onto a lockless list
 * that a work item, scheduled by an irq_work, sends from. A slot posted
 * again before it was sent is overwritten: the newest event wins.
 */
#include <linux/irq_work.h>
#include <linux/llist.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "ghost.h"

static LLIST_HEAD(ghost_nl_pending);
static struct genl_family ghost_nl_family;

static const u16 ghost_msg_types[] = {
	GHOST_MSG_TASK_NEW, GHOST_MSG_TASK_WAKEUP, GHOST_MSG_TASK_BLOCKED,
	GHOST_MSG_TASK_PREEMPT, GHOST_MSG_TASK_YIELD, GHOST_MSG_TASK_DEAD,
	GHOST_MSG_TASK_DEPARTED, GHOST_MSG_TASK_AFFINITY_CHANGED,
	GHOST_MSG_TASK_PRIORITY_CHANGED, GHOST_MSG_CPU_TICK,
	GHOST_MSG_CPU_AVAILABLE, GHOST_MSG_CPU_BUSY, GHOST_MSG_CPU_NOT_IDLE,
};

static int ghost_nl_put_counters(struct sk_buff *skb, int attr,
				 atomic64_t *counters, const u16 *types, int n)
{
	struct nlattr *nest = nla_nest_start(skb, attr);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (nla_put_u64_64bit(skb, types[i],
				      atomic64_read(&counters[types[i]]),
				      GHOST_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int ghost_nl_fill_enclave(struct sk_buff *skb, struct ghost_enclave *e,
				 u32 portid, u32 seq, int flags)
{
	u16 states[GHOST_TXN_STATE_MAX - GHOST_TXN_COMPLETE + 1];
	struct ghost_stats *s = &e->stats;
	u32 nr_tasks, nr_agents;
	char *cpus;
	void *hdr;
	int i;

	for (i = 0; i < ARRAY_SIZE(states); i++)
		states[i] = GHOST_TXN_COMPLETE + i;
	cpus = kasprintf(GFP_KERNEL, "%*pbl", cpumask_pr_args(e->cpus));
	if (!cpus)
		return -ENOMEM;
	raw_spin_lock_irq(&e->lock);
	nr_tasks = e->nr_tasks;
	nr_agents = e->nr_agents;
	raw_spin_unlock_irq(&e->lock);

	hdr = genlmsg_put(skb, portid, seq, &ghost_nl_family, flags,
			  GHOST_CMD_GET_ENCLAVE);
	if (!hdr)
		goto err_free;
	if (nla_put_u64_64bit(skb, GHOST_A_ENCLAVE_ID, e->id, GHOST_A_PAD) ||
	    nla_put_string(skb, GHOST_A_CPUS, cpus) ||
	    nla_put_u32(skb, GHOST_A_STATE, READ_ONCE(e->state)) ||
	    nla_put_u32(skb, GHOST_A_WATCHDOG_MS, READ_ONCE(e->watchdog_ms)) ||
	    nla_put_u32(skb, GHOST_A_NR_TASKS, nr_tasks) ||
	    nla_put_u32(skb, GHOST_A_NR_AGENTS, nr_agents) ||
	    ghost_nl_put_counters(skb, GHOST_A_MSGS, s->msgs, ghost_msg_types,
				  ARRAY_SIZE(ghost_msg_types)) ||
	    ghost_nl_put_counters(skb, GHOST_A_COMMITS, s->commits, states,
				  ARRAY_SIZE(states)) ||
	    nla_put_u64_64bit(skb, GHOST_A_WATCHDOG_FIRINGS,
			      atomic64_read(&s->watchdog_firings), GHOST_A_PAD) ||
	    nla_put_u64_64bit(skb, GHOST_A_QUEUE_OVERFLOWS,
			      atomic64_read(&s->overflows), GHOST_A_PAD) ||
	    nla_put_string(skb, GHOST_A_NAME, e->name) ||
	    nla_put_u64_64bit(skb, GHOST_A_TASKS_EVICTED,
			      atomic64_read(&s->tasks_evicted), GHOST_A_PAD) ||
	    nla_put_u64_64bit(skb, GHOST_A_AGENT_THROTTLES,
			      atomic64_read(&s->agent_throttles), GHOST_A_PAD))
		goto err_cancel;
	genlmsg_end(skb, hdr);
	kfree(cpus);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
err_free:
	kfree(cpus);
	return -EMSGSIZE;
}

struct ghost_nl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int ghost_nl_dump_one(struct ghost_enclave *e, void *data)
{
	struct ghost_nl_dump *d = data;
	struct netlink_callback *cb = d->cb;
	int ret;

	ret = ghost_nl_fill_enclave(d->skb, e, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI);
	if (ret)
		return ret;
	/* Resume after this one if the buffer fills up. */
	cb->args[0] = e->id + 1;
	return 0;
}

static int ghost_nl_dump_enclaves(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ghost_nl_dump d = { .skb = skb, .cb = cb };

	ghost_enclave_for_each(ghost_nl_dump_one, &d, cb->args[0]);
	return skb->len;
}

struct ghost_nl_get {
	struct sk_buff *skb;
	struct genl_info *info;
	u64 id;
	int ret;
};

static int ghost_nl_get_one(struct ghost_enclave *e, void *data)
{
	struct ghost_nl_get *g = data;

	if (e->id != g->id)
		return 0;
	g->ret = ghost_nl_fill_enclave(g->skb, e, g->info->snd_portid,
				       g->info->snd_seq, 0);
	return 1;
}

static int ghost_nl_get_enclave(struct sk_buff *skb, struct genl_info *info)
{
	struct ghost_nl_get g = { .info = info, .ret = -ENOENT };

	if (!info->attrs[GHOST_A_ENCLAVE_ID])
		return -EINVAL;
	g.id = nla_get_u64(info->attrs[GHOST_A_ENCLAVE_ID]);
	g.skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!g.skb)
		return -ENOMEM;
	ghost_enclave_for_each(ghost_nl_get_one, &g, g.id);
	if (g.ret) {
		nlmsg_free(g.skb);
		return g.ret;
	}
	return genlmsg_reply(g.skb, info);
}

static const struct nla_policy ghost_nl_policy[GHOST_A_MAX + 1] = {
	[GHOST_A_ENCLAVE_ID] = { .type = NLA_U64 },
};

static const struct genl_small_ops ghost_nl_ops[] = {
	{
		.cmd	= GHOST_CMD_GET_ENCLAVE,
		.doit	= ghost_nl_get_enclave,
		.dumpit	= ghost_nl_dump_enclaves,
	},
};

/* Events name threads: only an administrator may listen. */
static const struct genl_multicast_group ghost_nl_mcgrps[] = {
	{ .name = GHOST_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_SYS_ADMIN },
};

static struct genl_family ghost_nl_family = {
	.name		= GHOST_GENL_NAME,
	.version	= GHOST_GENL_VERSION,
	.maxattr	= GHOST_A_MAX,
	.policy		= ghost_nl_policy,
	.module		= THIS_MODULE,
	.small_ops	= ghost_nl_ops,
	.n_small_ops	= ARRAY_SIZE(ghost_nl_ops),
	.mcgrps		= ghost_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ghost_nl_mcgrps),
};

static void ghost_nl_fill(struct ghost_nl_event *ev, int event, u64 enclave_id,
			  int reason, int cpu, pid_t pid)
{
	ev->event = event;
	ev->enclave_id = enclave_id;
	ev->reason = reason;
	ev->cpu = cpu;
	ev->pid = pid;
}

static void ghost_nl_send_event(const struct ghost_nl_event *ev)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &ghost_nl_family, 0, GHOST_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(skb, GHOST_A_EVENT, ev->event) ||
	    nla_put_u64_64bit(skb, GHOST_A_ENCLAVE_ID, ev->enclave_id, GHOST_A_PAD) ||
	    (ev->reason && nla_put_u32(skb, GHOST_A_REASON, ev->reason)) ||
	    (ev->cpu >= 0 && nla_put_u32(skb, GHOST_A_CPU, ev->cpu)) ||
	    (ev->pid && nla_put_u32(skb, GHOST_A_PID, ev->pid))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	/* No listener is the usual case, not an error. */
	genlmsg_multicast(&ghost_nl_family, skb, 0, 0, GFP_KERNEL);
}

static void ghost_nl_event_workfn(struct work_struct *work)
{
	struct llist_node *list = llist_reverse_order(llist_del_all(&ghost_nl_pending));
	struct ghost_nl_event *ev, *next, copy;
	unsigned long flags;

	llist_for_each_entry_safe(ev, next, list, node) {
		if (!ev->slot) {
			ghost_nl_send_event(ev);
			kfree(ev);
			continue;
		}
		/* Once no longer pending, the slot may be posted again. */
		raw_spin_lock_irqsave(&ev->lock, flags);
		ghost_nl_fill(&copy, ev->event, ev->enclave_id, ev->reason,
			      ev->cpu, ev->pid);
		ev->pending = false;
		raw_spin_unlock_irqrestore(&ev->lock, flags);
		ghost_nl_send_event(&copy);
	}
}

static DECLARE_WORK(ghost_nl_event_work, ghost_nl_event_workfn);

static void ghost_nl_event_irq_workfn(struct irq_work *work)
{
	queue_work(ghost_wq, &ghost_nl_event_work);
}

static struct irq_work ghost_nl_event_irq_work =
	IRQ_WORK_INIT(ghost_nl_event_irq_workfn);

static void ghost_nl_queue(struct ghost_nl_event *ev)
{
	if (llist_add(&ev->node, &ghost_nl_pending))
		irq_work_queue(&ghost_nl_event_irq_work);
}

/* Multicast an event from process context; one that finds no memory is lost. */
void ghost_event(int event, u64 enclave_id, int reason, int cpu, pid_t pid)
{
	struct ghost_nl_event *ev = kzalloc(sizeof(*ev), GFP_KERNEL);

	might_sleep();
	if (!ev)
		return;
	ghost_nl_fill(ev, event, enclave_id, reason, cpu, pid);
	ghost_nl_queue(ev);
}

void ghost_event_slot_init(struct ghost_nl_event *slot)
{
	memset(slot, 0, sizeof(*slot));
	raw_spin_lock_init(&slot->lock);
	slot->slot = true;
}

/* Multicast an event through reserved @slot; any context. */
void ghost_event_post(struct ghost_nl_event *slot, int event, u64 enclave_id,
		      int reason, int cpu, pid_t pid)
{
	unsigned long flags;
	bool queue;

	raw_spin_lock_irqsave(&slot->lock, flags);
	ghost_nl_fill(slot, event, enclave_id, reason, cpu, pid);
	queue = !slot->pending;
	slot->pending = true;
	raw_spin_unlock_irqrestore(&slot->lock, flags);
	if (queue)
		ghost_nl_queue(slot);
}

int ghost_netlink_init(void)
{
	return genl_register_family(&ghost_nl_family);
}

void ghost_netlink_exit(void)
{
	irq_work_sync(&ghost_nl_event_irq_work);
	flush_work(&ghost_nl_event_work);
	ghost_nl_event_workfn(NULL);
	genl_unregister_family(&ghost_nl_family);
}
