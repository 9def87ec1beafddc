// SPDX-License-Identifier: GPL-2.0
/* The workload in motion: see load.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpulist.h"
#include "common/xalloc.h"
#include "load.h"

/* PRNG streams: three per class, then one per hog. */
#define STREAM_ARRIVAL(c)	(3 * (uint64_t)(c) + 1)
#define STREAM_SERVICE(c)	(3 * (uint64_t)(c) + 2)
#define STREAM_IO(c)		(3 * (uint64_t)(c) + 3)
#define STREAM_HOG(h)		((1ULL << 32) + (h))

static uint64_t next_poisson(struct load *l, uint32_t class)
{
	double rate = l->w->classes[class].rate_per_s * l->scale;

	return (uint64_t)llround(-log(1.0 - prng_unit(&l->arrival_rng[class])) /
				 rate * 1e9);
}

/* The hog's next period on @cpu, from @from: busy, or idle. */
static void schedule_hog(struct load *l, uint32_t hog, int cpu, bool busy,
			 uint64_t from)
{
	const struct workload_hog *h = &l->w->hogs[hog];
	const struct distribution *d = busy ? &h->busy : &h->idle;
	/* A zero period would start and end at once: make it 1 ns. */
	uint64_t period = dist_sample(d, &l->hog_rng[hog]) + 1;

	event_push(l->sk->events, from + period, busy ? EV_HOG_END : EV_HOG_START,
		   (uint64_t)hog * MACHINE_MAX_CPUS + cpu, 0);
}

int load_start(struct load *l, const struct workload *w, struct sim_kernel *sk,
	       uint64_t seed, double scale, char *why, size_t len)
{
	cpu_set_t machine_cpus, usable;
	char list[256];

	memset(l, 0, sizeof(*l));
	l->w = w;
	l->sk = sk;
	l->scale = scale;
	l->arrival_rng = xcalloc(w->nr_classes, sizeof(struct prng));
	l->service_rng = xcalloc(w->nr_classes, sizeof(struct prng));
	l->io_rng = xcalloc(w->nr_classes, sizeof(struct prng));
	l->hog_rng = xcalloc(w->nr_hogs + 1, sizeof(struct prng));
	l->masks = xcalloc(w->nr_classes, sizeof(cpu_set_t));
	l->bursts_done = xcalloc(w->nr_classes, sizeof(uint32_t));
	l->order = xcalloc(w->nr_tasks + 1, sizeof(*l->order));
	CPU_ZERO(&machine_cpus);
	for (int cpu = 0; cpu < sk->nr_cpu_ids; cpu++)
		CPU_SET(cpu, &machine_cpus);

	for (uint32_t c = 0; c < w->nr_classes; c++) {
		const struct workload_class *wc = &w->classes[c];

		CPU_AND(&l->masks[c], &wc->cpus, &machine_cpus);
		CPU_AND(&usable, &l->masks[c], &sk->enclave);
		if (!CPU_COUNT(&usable)) {
			snprintf(why, len, "class \"%s\" may use no CPU of the enclave (%s)",
				 wc->name, cpulist_format(&sk->enclave, list, sizeof(list)));
			return -1;
		}
		prng_seed(&l->arrival_rng[c], seed, STREAM_ARRIVAL(c));
		prng_seed(&l->service_rng[c], seed, STREAM_SERVICE(c));
		prng_seed(&l->io_rng[c], seed, STREAM_IO(c));
		if (wc->arrival == ARRIVAL_POISSON)
			event_push(sk->events, next_poisson(l, c), EV_ARRIVAL, c, 0);
		else if (wc->arrival == ARRIVAL_BURST)
			event_push(sk->events, wc->burst_start_ns, EV_ARRIVAL, c, 0);
	}
	for (uint32_t t = 0; t < w->nr_tasks; t++)
		event_push(sk->events, w->tasks[t].start_ns, EV_SCRIPTED_TASK, t, 0);
	for (uint32_t h = 0; h < w->nr_hogs; h++) {
		prng_seed(&l->hog_rng[h], seed, STREAM_HOG(h));
		for (int cpu = 0; cpu < sk->nr_cpu_ids; cpu++) {
			if (CPU_ISSET(cpu, &w->hogs[h].cpus))
				schedule_hog(l, h, cpu, false, w->hogs[h].start_ns);
		}
	}
	event_push(sk->events, w->duration_ns, EV_ARRIVALS_END, 0, 0);
	return 0;
}

void load_fini(struct load *l)
{
	free(l->arrival_rng);
	free(l->service_rng);
	free(l->io_rng);
	free(l->hog_rng);
	free(l->masks);
	free(l->bursts_done);
	free(l->order);
}

static struct class_metrics *class_metrics(struct load *l, uint32_t class)
{
	return &l->sk->metrics->classes[class];
}

static struct class_metrics *all_metrics(struct load *l)
{
	return &l->sk->metrics->classes[l->w->nr_classes];
}

static void arrive(struct load *l, uint32_t class, int32_t script)
{
	const struct workload *w = l->w;
	struct sim_kernel *sk = l->sk;
	uint64_t burst = script >= 0 ? w->tasks[script].phases[0].ns :
			 dist_sample(&w->classes[class].service, &l->service_rng[class]);
	struct sk_task *t = sk_task_enter(sk, &l->masks[class],
					  w->classes[class].nice, burst);

	class_metrics(l, class)->arrived++;
	all_metrics(l)->arrived++;
	if (!t) {
		class_metrics(l, class)->refused++;
		all_metrics(l)->refused++;
		sk->counters.refused_tasks++;
		return;
	}
	t->class = class;
	t->script = script;
	t->phase = 0;
	t->arrival = sk->now;
	t->measured = sk->now >= w->warmup_ns && sk->now < w->duration_ns;
}

static void class_arrival(struct load *l, uint32_t class)
{
	const struct workload_class *wc = &l->w->classes[class];
	struct sim_kernel *sk = l->sk;
	uint64_t next;

	if (l->arrivals_over)
		return;
	if (wc->arrival == ARRIVAL_POISSON) {
		arrive(l, class, -1);
		next = sk->now + next_poisson(l, class);
	} else {
		for (uint32_t i = 0; i < wc->burst_count; i++)
			arrive(l, class, -1);
		if (wc->bursts && ++l->bursts_done[class] >= wc->bursts)
			return;
		next = sk->now + wc->burst_every_ns;
	}
	if (next < l->w->duration_ns)
		event_push(sk->events, next, EV_ARRIVAL, class, 0);
}

static void task_exits(struct load *l, struct sk_task *t)
{
	if (t->measured) {
		metrics_latency(l->sk->metrics, t->class, l->sk->now - t->arrival);
		class_metrics(l, t->class)->completed_in_window++;
		all_metrics(l)->completed_in_window++;
	}
	class_metrics(l, t->class)->completed++;
	all_metrics(l)->completed++;
	if (t->script >= 0)
		snprintf(l->order[l->nr_order++], WORKLOAD_NAME_MAX, "%s",
			 l->w->tasks[t->script].name);
	sk_task_exit(l->sk, t);
}

static void task_sleeps(struct load *l, struct sk_task *t, uint64_t ns)
{
	sk_task_block(l->sk, t);
	event_push(l->sk->events, l->sk->now + ns, EV_SLEEP_END, t - l->sk->tasks,
		   t->gen);
}

static void burst_end(struct load *l, struct sk_task *t)
{
	const struct workload_class *wc = &l->w->classes[t->class];

	if (t->script >= 0) {
		const struct workload_task *wt = &l->w->tasks[t->script];

		if (++t->phase < wt->nr_phases)
			task_sleeps(l, t, wt->phases[t->phase].ns);
		else
			task_exits(l, t);
		return;
	}
	if (wc->io_probability && prng_unit(&l->io_rng[t->class]) < wc->io_probability)
		task_sleeps(l, t, dist_sample(&wc->io, &l->io_rng[t->class]));
	else
		task_exits(l, t);
}

static void sleep_end(struct load *l, struct sk_task *t)
{
	uint64_t burst;

	if (t->script >= 0)
		burst = l->w->tasks[t->script].phases[++t->phase].ns;
	else
		burst = dist_sample(&l->w->classes[t->class].service,
				    &l->service_rng[t->class]);
	sk_task_wakeup(l->sk, t, burst);
}

/* The task of an event for it, if the event is not moot. */
static struct sk_task *event_task(struct load *l, const struct event *e)
{
	struct sk_task *t = &l->sk->tasks[e->target];

	return t->gtid && t->gen == e->gen ? t : NULL;
}

void load_event(struct load *l, const struct event *e)
{
	struct sk_task *t;
	uint32_t hog = e->target / MACHINE_MAX_CPUS;
	int cpu = e->target % MACHINE_MAX_CPUS;

	switch (e->type) {
	case EV_ARRIVAL:
		class_arrival(l, e->target);
		break;
	case EV_SCRIPTED_TASK:
		l->scripted_started++;
		arrive(l, l->w->tasks[e->target].class, e->target);
		break;
	case EV_BURST_END:
		if ((t = event_task(l, e)) && t->running_cpu >= 0)
			burst_end(l, t);
		break;
	case EV_SLEEP_END:
		if ((t = event_task(l, e)) && !t->runnable)
			sleep_end(l, t);
		break;
	case EV_HOG_START:
		sk_hog_start(l->sk, cpu);
		schedule_hog(l, hog, cpu, true, l->sk->now);
		break;
	case EV_HOG_END:
		sk_hog_end(l->sk, cpu);
		schedule_hog(l, hog, cpu, false, l->sk->now);
		break;
	case EV_ARRIVALS_END:
		l->arrivals_over = true;
		break;
	default:
		break;
	}
}

bool load_done(const struct load *l)
{
	return l->arrivals_over && l->scripted_started == l->w->nr_tasks &&
	       !l->sk->nr_live;
}
