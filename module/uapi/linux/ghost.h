/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ghost: Linux scheduling delegated to user space.
 *
 * This header is the whole contract between ghost.ko and its users (ghostd,
 * policies, tests). Everything here is documented here; nothing outside it
 * may be relied on.
 *
 * Overview
 * ========
 * A kernel carrying the ghost hook patch has a scheduling policy,
 * SCHED_GHOST (18), whose tasks run below CFS and only where a user-space
 * agent puts them. ghost.ko implements it and is driven through the
 * character device /dev/ghost.
 *
 * An *enclave* is a set of CPUs that ghost schedules. Opening one gives an
 * enclave fd (an anonymous inode, like KVM's VM fds); everything about the
 * enclave is done through that fd and two memory regions mapped from it.
 * Tasks in an enclave are *ghost tasks*; the threads that schedule them are
 * *agents*, one per CPU at most, running in the agent class above RT. The
 * kernel tells agents what happens through *messages* in ring *queues*
 * (queue fds, mapped too), publishes per-task and per-CPU *status words*,
 * and takes decisions back as *transactions* written into per-CPU slots and
 * committed with one ioctl.
 *
 * An enclave outlives its agents and its fds: it lasts until it is
 * destroyed (GHOST_IOC_DESTROY_ENCLAVE) or its watchdog fires. Either way
 * every task of the enclave returns to SCHED_NORMAL and runs on under CFS.
 * While enclaves exist, ghost.ko cannot be unloaded.
 *
 * Versions
 * ========
 * GHOST_ABI_VERSION grows by one whenever this header grows, and it grows
 * only by appending: new ioctls, new fields at the end of a struct, new
 * flag bits, message types and states. The module serves every client
 * built against a version in [abi_floor, abi_version] (GHOST_IOC_VERSION);
 * the floor moves only when an old layout stops being served. A client
 * built against version C works with a module reporting (V, F) if F <= C;
 * if C > V it must not use what versions V+1..C added.
 *
 * What each version added:
 *  2, 3	GHOST_IOC_CONFIGURE keeps the timeout on 0; ADD_TASK's pid 0.
 *  4	enclave names; ADD_TASK's F_SKIP_MEMBERS and F_CONTINUE with
 *	@nr_present and @nr_failed; GHOST_IOC_REMOVE_TASK, GHOST_IOC_PING,
 *	GHOST_IOC_SET_CPUS; why a task departed (TASK_DEPARTED's payload);
 *	GHOST_TXN_TARGET_LATCHED; GHOST_SW_CPU_OFFLINE,
 *	GHOST_SW_CPU_THROTTLED and GHOST_MSG_F_CPU_OFFLINE; netlink's
 *	GHOST_A_NAME, GHOST_A_TASKS_EVICTED, GHOST_A_AGENT_THROTTLES and
 *	GHOST_EVENT_TASK_EVICTED. Behaviour that changed for every client:
 *	@watchdog_ms is at most 10000; GHOST_IOC_COMMIT fails with EBUSY
 *	when a slot of its set was not READY; owner operations need
 *	CAP_SYS_NICE in the caller (see Rights).
 *
 * Every ioctl argument is a struct whose size is encoded in the request
 * number. The module accepts a struct shorter than its own (missing fields
 * read as zero) and a longer one whose extra bytes are all zero (else
 * E2BIG), so old and new clients keep working. Fields named "reserved"
 * and flag bits not defined here must be zero (EINVAL).
 *
 * Identifiers
 * ===========
 * A task in an enclave has a *gtid*: a positive 64-bit number naming this
 * incarnation of the task in this enclave. Its low 32 bits are the index
 * of the task's status word; the high bits count reuses of that word, so a
 * gtid is never reused while the enclave lives. A task that leaves and
 * re-enters gets a new gtid. CPUs are numbered as the kernel numbers them.
 * CPU sets passed to the module are bitmaps laid out as cpu_set_t (bit n
 * of the array names CPU n) with their size in bytes, 1..1024.
 *
 * Sequence numbers
 * ================
 * Each task has a *task barrier* (Tseq) and each CPU an *agent barrier*
 * (Aseq), both 32-bit counters that wrap. The kernel increments a task's
 * barrier on every event of that task, whether or not a message could be
 * queued, and stamps the message with the new value. It increments a CPU's
 * barrier for every message addressed to that CPU's agent, every wakeup of
 * that agent caused by a message in its queue, and every ping. Status words
 * show both. A transaction names the barriers its author last saw, so the
 * kernel can refuse a decision taken on stale information:
 *  - every commit that targets a task checks its task barrier;
 *  - a commit on the committing agent's own CPU and GHOST_IOC_AGENT_PARK
 *    check that CPU's agent barrier, so an agent never sleeps with an
 *    unread message for it. Remote commits do not check agent barriers.
 *
 * Rights
 * ======
 * Creating or opening an enclave needs CAP_SYS_NICE, and so does every
 * *owner operation* on an enclave fd, checked against the caller at each
 * call, not against whoever opened the fd: DESTROY_ENCLAVE, CONFIGURE,
 * SET_CPUS, CREATE_QUEUE, SET_DEFAULT_QUEUE, SET_QUEUE_WAKEUP,
 * ASSOC_QUEUE, DISCOVER, BECOME_AGENT, PING and mmap(2) of either region
 * (EPERM). Agents alone may AGENT_PARK, COMMIT, AGENT_MOVE and
 * AGENT_RELEASE. So an enclave fd that reaches an unprivileged process
 * lets it do no more than the *task operations*: ENCLAVE_INFO, and
 * ADD_TASK and REMOVE_TASK of threads it could sched_setattr(2) anyway
 * (its own). A ghost task may change its nice value only as far as
 * RLIMIT_NICE lets it, as in CFS.
 *
 * /dev/ghost
 * ==========
 * Any user may open /dev/ghost. Its ioctls:
 *
 * GHOST_IOC_VERSION (struct ghost_version, out)
 *	The module's ABI version and compatibility floor.
 *
 * GHOST_IOC_CREATE_ENCLAVE (struct ghost_enclave_create, in/out)
 *	Creates an enclave of the CPUs in the bitmap at @cpus_ptr (@cpus_size
 *	bytes) and returns an enclave fd (O_CLOEXEC) in @fd and its id in @id.
 *	@max_tasks bounds the tasks the enclave holds at once (0: 4096; at most
 *	1048576). @watchdog_ms: see GHOST_IOC_CONFIGURE (0: 5000).
 *	@flags: GHOST_ENCLAVE_F_*. @name (since 4) names the enclave so that
 *	a restarted daemon finds it again: up to GHOST_NAME_MAX - 1
 *	characters of [A-Za-z0-9_.-], NUL-terminated, unique among live
 *	enclaves; all zero for no name. Needs CAP_SYS_NICE (EPERM).
 *	EINVAL: empty set, a CPU beyond the kernel's, bad sizes, flags,
 *	range or name; ENODEV: a CPU is offline; EBUSY: a CPU belongs to
 *	another enclave; ENOSPC: no online CPU would be left outside
 *	enclaves (the kernel's own work needs one); EEXIST: a live enclave
 *	has this name; ENOMEM. The enclave's memory is charged to the
 *	caller's memory cgroup.
 *
 * GHOST_IOC_OPEN_ENCLAVE (struct ghost_enclave_open, in/out)
 *	Returns in @fd a new fd for the live enclave @id, or if @id is 0 for
 *	the live enclave called @name (since 4), so that a restarted or new
 *	agent can attach. Needs CAP_SYS_NICE (EPERM). ENOENT: no live
 *	enclave has that id or name; EINVAL: neither is given.
 *
 * Enclave fds
 * ===========
 * GHOST_IOC_ENCLAVE_INFO (struct ghost_enclave_info, out)
 *	Id, name, CPUs (those offline included), limits, region sizes and
 *	task and agent counts.
 *
 * GHOST_IOC_DESTROY_ENCLAVE (no argument)
 *	Destroys the enclave: its tasks and agents return to SCHED_NORMAL
 *	(agents with the affinity they had before, which they may change
 *	again once back in user space), its CPUs become free,
 *	GHOST_ENCLAVE_DESTROYED is multicast, and every later ioctl on its
 *	fds fails with ENODEV. Returns once every task is out. ENODEV if it
 *	was already destroyed.
 *
 * GHOST_IOC_CONFIGURE (struct ghost_enclave_config, in)
 *	@watchdog_ms (10..10000; 0 keeps the current value; the cap keeps
 *	it well below the kernel's hung-task timeout): if a runnable ghost
 *	task of the enclave waits that long without being scheduled while
 *	some CPU it may use was available, or an agent is throttled (see
 *	Agents and other classes) for that long without a break, the
 *	enclave is destroyed (reason GHOST_DESTROY_WATCHDOG). A task that
 *	waited that long because higher classes held every enclave CPU it
 *	may use is evicted alone (GHOST_DEPART_STARVED). @flags:
 *	GHOST_ENCLAVE_F_*.
 *
 * GHOST_IOC_SET_CPUS (struct ghost_enclave_cpus, in; since 4)
 *	Changes the enclave's CPUs to the bitmap at @cpus_ptr. An added CPU
 *	must be online and in no other enclave (ENODEV, EBUSY); it starts
 *	with no agent. A removed CPU loses its agent (returned to
 *	SCHED_NORMAL as at destruction), its latched task (TASK_PREEMPT with
 *	GHOST_MSG_F_WAS_LATCHED) and its running ghost task (TASK_PREEMPT);
 *	a task whose affinity is left with no CPU of the enclave departs
 *	(GHOST_DEPART_AFFINITY). EINVAL and ENOSPC as for CREATE_ENCLAVE.
 *
 * GHOST_IOC_ADD_TASK (struct ghost_add_task, in/out)
 *	Moves thread @pid (0: the caller; with GHOST_ADD_F_PROCESS: every
 *	thread of process @pid) into SCHED_GHOST in this enclave. The caller
 *	needs CAP_SYS_NICE or the target's uid, as for sched_setattr(2)
 *	(EPERM). @nr_added says how many threads entered, also on failure. A
 *	task enters with TASK_NEW on the default queue, keeping its nice
 *	value; the policy it had is remembered for when it leaves. ESRCH: no
 *	such thread, or it is exiting; EALREADY: it is already a ghost task;
 *	EBUSY: it is being added elsewhere; ENOSPC: the enclave is full;
 *	EINVAL: a kernel thread or a task that is not SCHED_NORMAL,
 *	SCHED_BATCH or SCHED_IDLE; EXDEV: its affinity has no CPU of the
 *	enclave; ENODEV: the enclave is gone.
 *	With GHOST_ADD_F_PROCESS, a thread that fails stops the walk and its
 *	error is returned, unless (since 4) GHOST_ADD_F_CONTINUE is given:
 *	then every thread is tried, @nr_failed counts those that failed and
 *	the first failure is returned. With GHOST_ADD_F_SKIP_MEMBERS (since
 *	4), threads that are already ghost tasks of this enclave are counted
 *	in @nr_present instead of failing with EALREADY; so adding a process
 *	again picks up the threads it made since.
 *	Children of ghost tasks start in the enclave (with TASK_NEW, on their
 *	parent's queue) unless created with reset-on-fork. A ghost task
 *	leaves by sched_setscheduler(2) to another policy, by REMOVE_TASK,
 *	or by eviction; each produces TASK_DEPARTED with the reason.
 *
 * GHOST_IOC_REMOVE_TASK (struct ghost_remove_task, in/out; since 4)
 *	Returns thread @pid (with GHOST_ADD_F_PROCESS: every thread of
 *	process @pid in this enclave) to the policy it had before it entered,
 *	with its nice value, and counts them in @nr_removed. Permissions as
 *	for ADD_TASK. ESRCH: no such thread; ENOENT: not a ghost task of
 *	this enclave (with F_PROCESS: none of its threads is).
 *
 * GHOST_IOC_CREATE_QUEUE (struct ghost_queue_create, in/out)
 *	Creates a message queue of @nr_slots slots (a power of two, 16..65536)
 *	and returns a queue fd in @fd and the size to mmap in @map_size. The
 *	queue wakes the agent of @wakeup_cpu when a message arrives, or
 *	nobody if it is -1 (a polled queue). The first queue of an enclave
 *	becomes its default queue. EINVAL; ENOSPC: the enclave already has
 *	64 plus twice its number of CPUs queues whose fds are open (orphaned
 *	queues do not count, since 4); ENOMEM. Once its fd is closed and
 *	unmapped, a queue is *orphaned*:
 *	messages meant for it go to the default queue instead (and are
 *	dropped, their barriers still moving, if that is orphaned too). So a
 *	dead agent's tasks report to the default queue of its successor.
 *
 * GHOST_IOC_SET_DEFAULT_QUEUE (struct ghost_queue_ref, in)
 *	Makes @queue_fd the queue that new tasks and agent-less CPUs report
 *	to. EBADF: not a queue of this enclave.
 *
 * GHOST_IOC_SET_QUEUE_WAKEUP (struct ghost_queue_ref, in)
 *	Changes the wakeup CPU of @queue_fd to @wakeup_cpu (-1: none).
 *
 * GHOST_IOC_ASSOC_QUEUE (struct ghost_assoc_queue, in)
 *	Sends the future messages of task @gtid to @queue_fd, if @task_barrier
 *	is the task's current barrier (else ESTALE: read its messages first).
 *	ENOENT: no such task.
 *
 * GHOST_IOC_DISCOVER (struct ghost_discover, out)
 *	Sends TASK_NEW again for every task of the enclave, to the queue each
 *	is associated with, and counts them in @nr_tasks. For an agent taking
 *	over a live enclave: anything it knew may be stale.
 *
 * GHOST_IOC_BECOME_AGENT (struct ghost_agent_attach, in)
 *	Makes the calling thread the agent of @cpu: it is pinned there (its
 *	affinity can no longer be changed) and runs in the agent class, above
 *	every class but stop. CPU messages of @cpu go to @queue_fd, or to the
 *	default queue if it is -1. Needs CAP_SYS_NICE (EPERM). EINVAL: @cpu
 *	is not in the enclave or not in the caller's cpuset; ENODEV: @cpu is
 *	offline; EBUSY: @cpu has an agent (retry once it has exited: that is
 *	the handoff); EALREADY: the caller is a ghost task or agent already;
 *	EBADF: bad @queue_fd. An agent that the kernel moves off its CPU (a
 *	cpuset change, the CPU going offline) stops being one, as by
 *	AGENT_RELEASE, and its CPU is free again.
 *
 * GHOST_IOC_AGENT_PARK (struct ghost_agent_park, in)
 *	The calling agent gives up its CPU until it is woken: by a message in
 *	a queue whose wakeup CPU is its CPU, a ping, a signal, or its CPU's
 *	availability changing. Fails at once with ESTALE if @agent_barrier is
 *	not the CPU's barrier. Returns 0 when woken; EINTR if a signal woke
 *	it; ENODEV if the enclave was destroyed meanwhile. EPERM: the caller
 *	is not an agent.
 *
 * GHOST_IOC_COMMIT (struct ghost_commit, in/out)
 *	Commits the transactions of the CPUs in the bitmap at @cpus_ptr (see
 *	Transactions) and returns in @nr_committed how many ended COMPLETE.
 *	Only an agent of the enclave may commit (EPERM). With
 *	GHOST_COMMIT_F_SYNC_GROUP the set is all-or-nothing. If the slot of
 *	the caller's own CPU commits a task, the caller parks as by
 *	GHOST_IOC_AGENT_PARK (with that slot's agent barrier) once the others
 *	are done, so that the task runs; it returns 0 however the park ends.
 *	Failed transactions are reported in their slots, not as errors. A
 *	slot of the set that is not READY when the kernel claims it (never
 *	made READY, or claimed by another commit) is left alone and, once
 *	the rest is done, the call fails with EBUSY (since 4; before, such a
 *	slot was skipped silently): the caller learns that what it wrote
 *	there was not committed by this call.
 *
 * GHOST_IOC_PING (struct ghost_ping, in; since 4)
 *	Wakes the agent of @cpu as a GHOST_TARGET_PING transaction would,
 *	but without a transaction slot, so that it cannot collide with what
 *	that CPU's own agent writes into its slot. EINVAL: @cpu is not in
 *	the enclave; ESRCH: it has no agent.
 *
 * GHOST_IOC_AGENT_MOVE (struct ghost_agent_move, in)
 *	Moves the calling agent to @cpu, which must be in the enclave (EINVAL),
 *	online (ENODEV) and have no agent (EBUSY), keeping its queue: how a
 *	global agent hands its CPU to a higher class (see GHOST_SW_CPU_BOOST).
 *	A task latched on @cpu loses its latch (TASK_PREEMPT with
 *	GHOST_MSG_F_WAS_LATCHED): it could not run before the agent parks,
 *	and a global agent does not park. A move to the agent's own CPU does
 *	nothing and returns 0.
 *
 * GHOST_IOC_AGENT_RELEASE (no argument)
 *	The calling agent stops being one: it returns to SCHED_NORMAL with its
 *	old affinity, and its CPU is free for a new agent (graceful handoff).
 *
 * Shared memory
 * =============
 * mmap(2) of an enclave fd at offset GHOST_MMAP_STATUS maps the status
 * words, read-only (asking for PROT_WRITE fails with EACCES); at offset
 * GHOST_MMAP_TXNS it maps the transaction slots, read-write. Sizes are in
 * struct ghost_enclave_info; a mapping beyond them, at another offset or
 * MAP_PRIVATE fails with EINVAL. mmap of a queue fd at offset 0 maps the
 * queue (map_size bytes; EINVAL likewise). Mappings are shared with
 * children across fork(2) as any MAP_SHARED mapping. The kernel keeps its own copy of everything it
 * publishes and never believes what user space wrote there beyond
 * transaction slots and queue tails, which it validates.
 *
 * Status words: struct ghost_status_header, then nr_words struct
 * ghost_status_word. Word n < nr_cpu_words describes CPU n; the others
 * describe tasks (TASK_NEW names the word). A task word is reused, with a
 * new gtid, once its task is dead or departed. Each field is written
 * atomically, but the fields of a word are no snapshot: decisions taken
 * on them are validated by the barriers at commit time.
 *
 * Queues: struct ghost_queue_header, then nr_slots messages (struct
 * ghost_msg) from offset GHOST_QUEUE_SLOTS_OFFSET. The kernel writes
 * @head, the agent @tail; both count messages from 0 and wrap at 2^32;
 * message n is in slot n % nr_slots. A consumer reads @head with acquire
 * semantics, reads messages up to it, then stores @tail with release
 * semantics. When the ring is full the message is dropped and @overflow
 * counted (and GHOST_QUEUE_OVERFLOW multicast): the barriers still moved,
 * so the agent's next commits fail as stale until it catches up, for
 * instance with GHOST_IOC_DISCOVER.
 *
 * Messages
 * ========
 * Task messages carry the task's gtid and barrier; CPU messages the CPU and
 * its agent barrier. Each message goes to the queue of its task (default:
 * the enclave's default queue) or of its CPU's agent (default: the default
 * queue). Types:
 *
 * TASK_NEW		the task entered the enclave (or GHOST_IOC_DISCOVER);
 *			GHOST_MSG_F_RUNNABLE if it is runnable.
 * TASK_WAKEUP		the task became runnable.
 * TASK_BLOCKED		the task stopped running and sleeps.
 * TASK_PREEMPT		the task stopped running (or lost its latch) while
 *			still runnable: another commit, a higher class
 *			(GHOST_MSG_F_BY_HIGHER_CLASS), or a kernel migration.
 * TASK_YIELD		the task called sched_yield(2).
 * TASK_DEAD		the task exited; its gtid is dead.
 * TASK_DEPARTED	the task left the enclave; its gtid is dead. The
 *			payload says why (enum ghost_depart_reason): it
 *			left SCHED_GHOST, was removed, its affinity left
 *			the enclave, it starved behind higher classes, or
 *			the enclave died. The evicted ones (affinity,
 *			starved) are counted and multicast too.
 * TASK_AFFINITY_CHANGED	its allowed CPUs changed (sched_getaffinity(2));
 *			setting the same mask again sends nothing.
 * TASK_PRIORITY_CHANGED	its nice value changed (in the payload).
 * CPU_TICK		a scheduler tick on the CPU (GHOST_ENCLAVE_F_TICKS).
 * CPU_AVAILABLE	no higher class wants the CPU any more (or it came
 *			back online).
 * CPU_BUSY		a higher class (CFS, RT, ...) took or wants the CPU,
 *			or (GHOST_MSG_F_CPU_OFFLINE) the CPU went offline.
 * CPU_NOT_IDLE		once, the next time the CPU switches from its idle
 *			task to anything, after a commit asked for it with
 *			GHOST_RUN_F_NOT_IDLE.
 *
 * When an agent runs on a CPU where a ghost task runs, that task is
 * preempted (TASK_PREEMPT without GHOST_MSG_F_BY_HIGHER_CLASS); a latched
 * task stays latched.
 *
 * A task that a priority-inheritance boost lifts into RT or deadline
 * leaves the ghost class until the boost ends: it gets TASK_BLOCKED when
 * it goes and TASK_WAKEUP when it comes back (TASK_NEW if it entered the
 * enclave while boosted), it is not shown running, and commits naming it
 * meanwhile fail. Whatever its class, a ghost task that exits or leaves
 * is reported and its word freed.
 *
 * Transactions
 * ============
 * The transaction region holds one struct ghost_txn per CPU, indexed by
 * CPU number. Any agent of the enclave may fill any slot, but a slot has
 * one writer at a time: whoever made it READY owns it until it reaches a
 * final state (wake other CPUs' agents with GHOST_IOC_PING, not through
 * their slots). The first commit that claims a READY slot commits it;
 * other commits naming it fail with EBUSY. An agent fills a slot
 * (@target, @task_barrier,
 * @agent_barrier, @run_flags), sets @state to GHOST_TXN_READY with a
 * release store, then commits. The kernel claims each READY slot of the
 * committed set, checks it and ends it in a final state with a release store after
 * @commit_time_ns. @target is a gtid to run, GHOST_TARGET_NONE to run no
 * ghost task there (preempting the one that runs), or GHOST_TARGET_PING to
 * wake the CPU's agent. A committed task is *latched*: it runs on that CPU
 * as soon as no higher class wants the CPU, and until it blocks, yields or
 * is preempted; a ghost task runs only when latched. A task is latched on
 * one CPU at most: to move a latched task, commit GHOST_TARGET_NONE on its
 * CPU first. A failed transaction changes nothing, not even which CPU's
 * run queue holds its task. States:
 *
 * COMPLETE		done.
 * TARGET_STALE		@task_barrier is not the task's barrier.
 * AGENT_STALE		a local commit whose @agent_barrier is stale.
 * TARGET_ONCPU		the task is running (on any CPU).
 * TARGET_NOT_RUNNABLE	the task is blocked.
 * TARGET_NOT_FOUND	no task has this gtid (any more).
 * TARGET_NOT_ALLOWED	the task's affinity excludes the CPU, or it may not
 *			migrate now.
 * TARGET_LATCHED	the task is latched on another CPU, or an earlier
 *			slot of this commit names it too (since 4).
 * CPU_UNAVAIL		a higher class is running or runnable on the CPU,
 *			or it is offline; if the CPU has an agent, it gets
 *			CPU_AVAILABLE once that ends.
 * CPU_BUSY		GHOST_RUN_F_NO_PREEMPT and a ghost task holds the
 *			CPU; or a sync group in flight holds it.
 * NO_AGENT		GHOST_TARGET_PING and the CPU has no agent.
 * INVALID_CPU		the CPU is not in the enclave.
 * INVALID_FLAGS	unknown @run_flags bits.
 * INVALID_TARGET	the target is an agent.
 * POISONED		another slot of the same sync group failed.
 *
 * A sync group (GHOST_COMMIT_F_SYNC_GROUP) is all-or-nothing: every slot in
 * the set must be READY and pass every check (a local slot's agent
 * barrier included), and only then are all its tasks latched. Slots are
 * checked in CPU order; the first that fails gets its own state, every
 * other slot POISONED, and none of the group's tasks runs because of this
 * commit (nr_committed is 0). If a slot in the set is not READY, it is
 * left alone, every other slot is POISONED and the call fails with EBUSY.
 * While the group is checked, its CPUs and tasks are held: other commits
 * naming them fail (CPU_BUSY, TARGET_LATCHED). PING and TARGET_NONE slots
 * are checked with the rest and act once the group is released; they
 * cannot fail then. Only the kernel can still take a checked task away
 * before the release (it exits, departs, or is moved): its slot then ends
 * TARGET_STALE, the group is withdrawn as above, and the task's own
 * message says what happened.
 *
 * Netlink
 * =======
 * Generic netlink family GHOST_GENL_NAME, version GHOST_GENL_VERSION.
 * GHOST_CMD_GET_ENCLAVE with NLM_F_DUMP lists live enclaves; with
 * GHOST_A_ENCLAVE_ID it returns one (ENOENT otherwise). Each reply holds
 * the GHOST_A_* attributes below: nested GHOST_A_MSGS and GHOST_A_COMMITS
 * hold one u64 per message type or final state, the attribute type being
 * the message type or state. Multicast group GHOST_GENL_MCGRP_EVENTS
 * carries GHOST_CMD_EVENT messages, each with GHOST_A_EVENT and
 * GHOST_A_ENCLAVE_ID, plus: GHOST_A_REASON for ENCLAVE_DESTROYED;
 * GHOST_A_CPU and GHOST_A_PID (the agent's thread id in the initial PID
 * namespace) for AGENT_ATTACHED and AGENT_DETACHED; GHOST_A_CPU (where
 * the dropped message arose) for QUEUE_OVERFLOW, which is sent once per
 * run of drops on a queue; GHOST_A_PID and GHOST_A_REASON (enum
 * ghost_depart_reason) for TASK_EVICTED. Events name threads, so joining
 * the events group needs CAP_SYS_ADMIN (EPERM); the enclave dump is open
 * to all. Events arise in the scheduler, where nothing may allocate: each
 * has its place reserved beforehand, and an event whose place is still
 * taken by one not yet sent is coalesced into it.
 *
 * Entering SCHED_GHOST otherwise
 * ==============================
 * sched_setscheduler(2) and sched_setattr(2) to SCHED_GHOST fail with
 * ENXIO while ghost.ko is loaded: tasks enter only through an enclave.
 * Without ghost.ko the kernel fails them with ENODEV.
 *
 * Writing agents
 * ==============
 * - Read your CPU's agent barrier before draining your queue, and name
 *   that value in local commits and parks: whatever arrives after the
 *   drain then makes them fail with AGENT_STALE or ESTALE instead of
 *   being missed.
 * - Nothing lets a ghost task run but its agent, so an agent must never
 *   wait for anything a ghost task may hold: a lock, or the address space
 *   of a process whose ghost threads map memory or fork (a page fault
 *   would queue behind them). Run agents in their own process, and
 *   allocate before becoming one.
 * - A task you committed on your own CPU stays latched until it runs;
 *   committing another one there displaces it (TASK_PREEMPT with
 *   GHOST_MSG_F_WAS_LATCHED). Park to let it run.
 * - Honour GHOST_SW_CPU_BOOST: move or park. An agent woken on a CPU it
 *   may not keep is told again. See Agents and other classes.
 * - An agent is woken when its CPU's availability changes even if its
 *   queue is polled, so a global agent may park until then.
 * - On a production machine, isolate the enclave's CPUs (cpusets, the
 *   workqueue cpumask, IRQ affinity): kernel threads of higher classes
 *   that pass through them preempt ghost tasks (TASK_PREEMPT with
 *   GHOST_MSG_F_BY_HIGHER_CLASS) and make commits fail with CPU_UNAVAIL.
 *
 * Agents and other classes
 * ========================
 * The agent class runs above RT and deadline, so an agent could starve
 * them, and the per-CPU kernel threads of CFS, on its CPU. The kernel
 * does not let it: at each tick on which an agent runs while tasks of
 * other classes wait for its CPU, it counts against a budget of
 * GHOST_AGENT_BUDGET_MS; the count restarts whenever nothing waits. An
 * agent over budget is *throttled*: it is not run for
 * GHOST_AGENT_THROTTLE_MS, whatever wakes it, and its CPU's word shows
 * GHOST_SW_CPU_THROTTLED meanwhile. Throttles are counted; an agent
 * throttled again and again for @watchdog_ms ends the enclave. None of
 * this needs a kernel thread to run.
 *
 * An enclave never takes the last online CPU that is in no enclave
 * (ENOSPC; taking that CPU offline fails with EBUSY too): unbound kernel
 * work and the watchdog's recovery run there.
 *
 * CPU hotplug
 * ===========
 * A CPU of an enclave may go offline. Its agent stops being one (see
 * BECOME_AGENT), its latched and running ghost tasks are preempted, the
 * ghost tasks queued there move to another CPU they may use, its word
 * shows GHOST_SW_CPU_OFFLINE and its agent's queue (or the default one)
 * gets CPU_BUSY with GHOST_MSG_F_CPU_OFFLINE; commits to it end
 * CPU_UNAVAIL. It stays in the enclave: once online again it is usable
 * (CPU_AVAILABLE) and waits for an agent.
 *
 * Differences from ghOSt
 * ======================
 * - Char device and anonymous inodes instead of ghostfs; structs grow in
 *   place (see Versions) instead of per-ABI copies.
 * - ghOSt leaves CPUs of a centralized enclave with idle agent threads;
 *   here a CPU of an enclave may have no agent: a global agent commits to
 *   it remotely and its CPU messages go to the default queue.
 * - Task status words are freed by the kernel when the task dies or
 *   departs; gtids carry a reuse count instead of relying on the agent to
 *   free words.
 * - Task affinity is honoured (TARGET_NOT_ALLOWED) rather than ignored.
 * - A commit does not advance the agent barrier; wakeups do.
 * - A destroyed enclave's agents return to CFS instead of being killed.
 * - No BPF hooks, timerfd integration or switchto.
 */
#ifndef _UAPI_LINUX_GHOST_H
#define _UAPI_LINUX_GHOST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#ifndef SCHED_GHOST
#define SCHED_GHOST			18
#endif

#define GHOST_ABI_VERSION		4
#define GHOST_ABI_FLOOR			1

#define GHOST_DEVICE_PATH		"/dev/ghost"

/* Enclave names, NUL included. */
#define GHOST_NAME_MAX			32

/* Agent throttling (see Agents and other classes). */
#define GHOST_AGENT_BUDGET_MS		50
#define GHOST_AGENT_THROTTLE_MS		10

/* /dev/ghost */

struct ghost_version {
	__u32 abi_version;
	__u32 abi_floor;
};

/* Enclave flags. */
#define GHOST_ENCLAVE_F_TICKS		(1U << 0)	/* send CPU_TICK */
#define GHOST_ENCLAVE_F_ALL		(GHOST_ENCLAVE_F_TICKS)

struct ghost_enclave_create {
	__u64 cpus_ptr;		/* in: cpu_set_t-style bitmap */
	__u32 cpus_size;	/* in: its size in bytes */
	__u32 flags;		/* in: GHOST_ENCLAVE_F_* */
	__u32 max_tasks;	/* in: 0 for the default */
	__u32 watchdog_ms;	/* in: 0 for the default */
	__u64 id;		/* out */
	__s32 fd;		/* out: enclave fd */
	__u32 reserved;
	char name[GHOST_NAME_MAX];	/* in (since 4) */
};

struct ghost_enclave_open {
	__u64 id;		/* in: 0 to open by @name */
	__s32 fd;		/* out */
	__u32 reserved;
	char name[GHOST_NAME_MAX];	/* in (since 4) */
};

/* Enclave fds */

enum ghost_enclave_state {
	GHOST_ENCLAVE_LIVE = 1,
	GHOST_ENCLAVE_DYING = 2,
};

struct ghost_enclave_info {
	__u64 id;
	__u64 cpus[16];		/* bitmap of the enclave's first 1024 CPUs */
	__u32 nr_cpus;
	__u32 state;		/* enum ghost_enclave_state */
	__u32 flags;		/* GHOST_ENCLAVE_F_* */
	__u32 watchdog_ms;
	__u32 max_tasks;
	__u32 nr_tasks;
	__u32 nr_agents;
	__u32 nr_cpu_ids;	/* CPU words in the status region */
	__u64 status_size;	/* bytes to map at GHOST_MMAP_STATUS */
	__u64 txns_size;	/* bytes to map at GHOST_MMAP_TXNS */
	char name[GHOST_NAME_MAX];	/* since 4 */
};

struct ghost_enclave_cpus {
	__u64 cpus_ptr;		/* in: cpu_set_t-style bitmap */
	__u32 cpus_size;	/* in: its size in bytes */
	__u32 reserved;
};

struct ghost_enclave_config {
	__u32 watchdog_ms;
	__u32 flags;		/* GHOST_ENCLAVE_F_* */
};

#define GHOST_ADD_F_PROCESS		(1U << 0)	/* every thread of @pid */
#define GHOST_ADD_F_SKIP_MEMBERS	(1U << 1)	/* since 4 */
#define GHOST_ADD_F_CONTINUE		(1U << 2)	/* since 4 */
#define GHOST_ADD_F_ALL			(GHOST_ADD_F_PROCESS | \
					 GHOST_ADD_F_SKIP_MEMBERS | \
					 GHOST_ADD_F_CONTINUE)

struct ghost_add_task {
	__s32 pid;		/* in: thread id, or process id with F_PROCESS */
	__u32 flags;		/* in: GHOST_ADD_F_* */
	__u32 nr_added;		/* out */
	__u32 reserved;
	__u32 nr_present;	/* out (since 4): already members */
	__u32 nr_failed;	/* out (since 4): with F_CONTINUE */
};

struct ghost_remove_task {
	__s32 pid;		/* in: thread id, or process id with F_PROCESS */
	__u32 flags;		/* in: GHOST_ADD_F_PROCESS or 0 */
	__u32 nr_removed;	/* out */
	__u32 reserved;
};

struct ghost_ping {
	__s32 cpu;
	__u32 reserved;
};

struct ghost_queue_create {
	__u32 nr_slots;		/* in: power of two, 16..65536 */
	__s32 wakeup_cpu;	/* in: agent CPU to wake, or -1 */
	__u32 flags;		/* in: none defined */
	__s32 fd;		/* out: queue fd */
	__u64 map_size;		/* out: bytes to mmap */
};

struct ghost_queue_ref {
	__s32 queue_fd;
	__s32 wakeup_cpu;	/* GHOST_IOC_SET_QUEUE_WAKEUP only */
};

struct ghost_assoc_queue {
	__u64 gtid;
	__s32 queue_fd;
	__u32 task_barrier;
};

struct ghost_discover {
	__u32 nr_tasks;		/* out */
	__u32 reserved;
};

struct ghost_agent_attach {
	__s32 cpu;
	__s32 queue_fd;		/* -1: the default queue */
	__u32 flags;		/* none defined */
	__u32 reserved;
};

struct ghost_agent_park {
	__u32 agent_barrier;
	__u32 flags;		/* none defined */
};

#define GHOST_COMMIT_F_SYNC_GROUP	(1U << 0)
#define GHOST_COMMIT_F_ALL		(GHOST_COMMIT_F_SYNC_GROUP)

struct ghost_commit {
	__u64 cpus_ptr;		/* in: cpu_set_t-style bitmap */
	__u32 cpus_size;	/* in: its size in bytes */
	__u32 flags;		/* in: GHOST_COMMIT_F_* */
	__u32 nr_committed;	/* out: slots that ended COMPLETE */
	__u32 reserved;
};

struct ghost_agent_move {
	__s32 cpu;
	__u32 reserved;
};

#define GHOST_IOC_MAGIC			'g'
#define GHOST_IOC_VERSION		_IOR(GHOST_IOC_MAGIC, 0x00, struct ghost_version)
#define GHOST_IOC_CREATE_ENCLAVE	_IOWR(GHOST_IOC_MAGIC, 0x01, struct ghost_enclave_create)
#define GHOST_IOC_OPEN_ENCLAVE		_IOWR(GHOST_IOC_MAGIC, 0x02, struct ghost_enclave_open)
#define GHOST_IOC_ENCLAVE_INFO		_IOR(GHOST_IOC_MAGIC, 0x10, struct ghost_enclave_info)
#define GHOST_IOC_DESTROY_ENCLAVE	_IO(GHOST_IOC_MAGIC, 0x11)
#define GHOST_IOC_CONFIGURE		_IOW(GHOST_IOC_MAGIC, 0x12, struct ghost_enclave_config)
#define GHOST_IOC_ADD_TASK		_IOWR(GHOST_IOC_MAGIC, 0x13, struct ghost_add_task)
#define GHOST_IOC_CREATE_QUEUE		_IOWR(GHOST_IOC_MAGIC, 0x14, struct ghost_queue_create)
#define GHOST_IOC_SET_DEFAULT_QUEUE	_IOW(GHOST_IOC_MAGIC, 0x15, struct ghost_queue_ref)
#define GHOST_IOC_SET_QUEUE_WAKEUP	_IOW(GHOST_IOC_MAGIC, 0x16, struct ghost_queue_ref)
#define GHOST_IOC_ASSOC_QUEUE		_IOW(GHOST_IOC_MAGIC, 0x17, struct ghost_assoc_queue)
#define GHOST_IOC_DISCOVER		_IOR(GHOST_IOC_MAGIC, 0x18, struct ghost_discover)
#define GHOST_IOC_BECOME_AGENT		_IOW(GHOST_IOC_MAGIC, 0x19, struct ghost_agent_attach)
#define GHOST_IOC_AGENT_PARK		_IOW(GHOST_IOC_MAGIC, 0x1a, struct ghost_agent_park)
#define GHOST_IOC_COMMIT		_IOWR(GHOST_IOC_MAGIC, 0x1b, struct ghost_commit)
#define GHOST_IOC_AGENT_MOVE		_IOW(GHOST_IOC_MAGIC, 0x1c, struct ghost_agent_move)
#define GHOST_IOC_AGENT_RELEASE		_IO(GHOST_IOC_MAGIC, 0x1d)
#define GHOST_IOC_REMOVE_TASK		_IOWR(GHOST_IOC_MAGIC, 0x1e, struct ghost_remove_task)
#define GHOST_IOC_PING			_IOW(GHOST_IOC_MAGIC, 0x1f, struct ghost_ping)
#define GHOST_IOC_SET_CPUS		_IOW(GHOST_IOC_MAGIC, 0x20, struct ghost_enclave_cpus)

/* Shared memory */

#define GHOST_MMAP_STATUS		0x00000000ULL
#define GHOST_MMAP_TXNS			0x10000000ULL

#define GHOST_STATUS_MAGIC		0x67737731	/* "gsw1" */

struct ghost_status_header {
	__u32 magic;
	__u32 abi_version;
	__u32 nr_words;		/* words after the header */
	__u32 nr_cpu_words;	/* of which the first describe CPUs 0.. */
	__u32 word_size;	/* sizeof(struct ghost_status_word) */
	__u32 reserved[11];
};

/* Status word flags. */
#define GHOST_SW_F_INUSE		(1U << 0)	/* describes a live task */
#define GHOST_SW_TASK_ONCPU		(1U << 1)	/* running now */
#define GHOST_SW_TASK_RUNNABLE		(1U << 2)	/* runnable or running */
#define GHOST_SW_TASK_LATCHED		(1U << 3)	/* committed, not yet running */
#define GHOST_SW_CPU_AVAIL		(1U << 8)	/* no higher class wants it */
#define GHOST_SW_CPU_BOOST		(1U << 9)	/* its agent should move or park */
#define GHOST_SW_CPU_HAS_AGENT		(1U << 10)
#define GHOST_SW_CPU_AGENT_PARKED	(1U << 11)
#define GHOST_SW_CPU_IN_ENCLAVE		(1U << 12)
#define GHOST_SW_CPU_OFFLINE		(1U << 13)	/* since 4 */
#define GHOST_SW_CPU_THROTTLED		(1U << 14)	/* since 4: its agent is */

struct ghost_status_word {
	__u32 barrier;		/* task: Tseq; CPU: Aseq */
	__u32 flags;		/* GHOST_SW_* */
	__u64 gtid;		/* task: itself; CPU: ghost task running, or 0 */
	__u64 runtime_ns;	/* task: CPU time consumed; CPU: 0 */
	__u64 switch_time_ns;	/* CLOCK_MONOTONIC of the last switch in or out */
};

#define GHOST_QUEUE_MAGIC		0x67717531	/* "gqu1" */
#define GHOST_QUEUE_SLOTS_OFFSET	128

struct ghost_queue_header {
	/* written by the kernel */
	__u32 magic;
	__u32 nr_slots;
	__u32 slot_size;	/* sizeof(struct ghost_msg) */
	__u32 head;
	__u32 overflow;
	__u32 reserved0[11];
	/* written by the agent, on its own cache line */
	__u32 tail;
	__u32 reserved1[15];
};

enum ghost_msg_type {
	GHOST_MSG_NOP = 0,
	GHOST_MSG_TASK_NEW = 1,
	GHOST_MSG_TASK_WAKEUP = 2,
	GHOST_MSG_TASK_BLOCKED = 3,
	GHOST_MSG_TASK_PREEMPT = 4,
	GHOST_MSG_TASK_YIELD = 5,
	GHOST_MSG_TASK_DEAD = 6,
	GHOST_MSG_TASK_DEPARTED = 7,
	GHOST_MSG_TASK_AFFINITY_CHANGED = 8,
	GHOST_MSG_TASK_PRIORITY_CHANGED = 9,
	GHOST_MSG_CPU_TICK = 32,
	GHOST_MSG_CPU_AVAILABLE = 33,
	GHOST_MSG_CPU_BUSY = 34,
	GHOST_MSG_CPU_NOT_IDLE = 35,
	GHOST_MSG_TYPE_MAX = 35,
};

/* Message flags. */
#define GHOST_MSG_F_RUNNABLE		(1U << 0)	/* TASK_NEW */
#define GHOST_MSG_F_BY_HIGHER_CLASS	(1U << 1)	/* TASK_PREEMPT */
#define GHOST_MSG_F_WAS_LATCHED		(1U << 2)	/* TASK_PREEMPT: had not run */
#define GHOST_MSG_F_CPU_OFFLINE		(1U << 3)	/* CPU_BUSY (since 4) */

/* Why a task departed (TASK_DEPARTED's payload, TASK_EVICTED events). */
enum ghost_depart_reason {
	GHOST_DEPART_LEFT = 0,		/* it left SCHED_GHOST */
	GHOST_DEPART_REMOVED = 1,	/* GHOST_IOC_REMOVE_TASK */
	GHOST_DEPART_AFFINITY = 2,	/* evicted: affinity left the enclave */
	GHOST_DEPART_STARVED = 3,	/* evicted: higher classes held its CPUs */
	GHOST_DEPART_ENCLAVE = 4,	/* the enclave was destroyed */
};

struct ghost_msg {
	__u16 type;		/* enum ghost_msg_type */
	__u16 size;		/* sizeof(struct ghost_msg) */
	__u32 seqnum;		/* task messages: Tseq; CPU messages: Aseq */
	__u64 gtid;		/* task messages; 0 for CPU messages */
	__s32 cpu;		/* where it happened; -1 if nowhere */
	__u32 flags;		/* GHOST_MSG_F_* */
	__u64 runtime_ns;	/* task messages: CPU time consumed */
	__u64 time_ns;		/* CLOCK_MONOTONIC of the event */
	union {
		struct {
			__u64 parent_gtid;	/* 0 unless forked in the enclave */
			__s32 tid;		/* in the initial PID namespace */
			__s32 nice;
			__u32 status_index;
			__u32 reserved;
		} task_new;
		struct {
			__s32 waker_cpu;
			__s32 last_ran_cpu;
		} task_wakeup;
		struct {
			__s32 nice;
		} task_priority;
		struct {
			__u32 reason;		/* enum ghost_depart_reason */
		} task_departed;
		__u8 raw[24];
	};
};

/* Transactions */

#define GHOST_TARGET_NONE		0ULL
#define GHOST_TARGET_PING		(~0ULL)

/* Run flags. */
#define GHOST_RUN_F_NO_PREEMPT		(1U << 0)	/* fail if a ghost task holds the CPU */
#define GHOST_RUN_F_NOT_IDLE		(1U << 1)	/* with TARGET_NONE: send CPU_NOT_IDLE */
#define GHOST_RUN_F_ALL			(GHOST_RUN_F_NO_PREEMPT | GHOST_RUN_F_NOT_IDLE)

enum ghost_txn_state {
	GHOST_TXN_IDLE = 0,		/* never used */
	GHOST_TXN_READY = 1,		/* agent: commit me */
	GHOST_TXN_CLAIMED = 2,		/* kernel: committing */
	/* final states */
	GHOST_TXN_COMPLETE = 3,
	GHOST_TXN_TARGET_STALE = 4,
	GHOST_TXN_AGENT_STALE = 5,
	GHOST_TXN_TARGET_ONCPU = 6,
	GHOST_TXN_TARGET_NOT_RUNNABLE = 7,
	GHOST_TXN_TARGET_NOT_FOUND = 8,
	GHOST_TXN_TARGET_NOT_ALLOWED = 9,
	GHOST_TXN_CPU_UNAVAIL = 10,
	GHOST_TXN_CPU_BUSY = 11,
	GHOST_TXN_NO_AGENT = 12,
	GHOST_TXN_INVALID_CPU = 13,
	GHOST_TXN_INVALID_FLAGS = 14,
	GHOST_TXN_INVALID_TARGET = 15,
	GHOST_TXN_POISONED = 16,
	GHOST_TXN_TARGET_LATCHED = 17,	/* since 4 */
	GHOST_TXN_STATE_MAX = 17,
};

struct ghost_txn {
	__u64 target;		/* agent: gtid or GHOST_TARGET_* */
	__u32 task_barrier;	/* agent */
	__u32 agent_barrier;	/* agent: this CPU's Aseq */
	__u32 run_flags;	/* agent: GHOST_RUN_F_* */
	__s32 state;		/* enum ghost_txn_state */
	__u64 commit_time_ns;	/* kernel: CLOCK_MONOTONIC of the final state */
	__u32 reserved[8];
};

/* Generic netlink */

#define GHOST_GENL_NAME			"ghost"
#define GHOST_GENL_VERSION		1
#define GHOST_GENL_MCGRP_EVENTS		"events"

enum ghost_genl_cmd {
	GHOST_CMD_UNSPEC,
	GHOST_CMD_GET_ENCLAVE,
	GHOST_CMD_EVENT,
	__GHOST_CMD_MAX,
};
#define GHOST_CMD_MAX			(__GHOST_CMD_MAX - 1)

enum ghost_genl_attr {
	GHOST_A_UNSPEC,
	GHOST_A_ENCLAVE_ID,		/* u64 */
	GHOST_A_CPUS,			/* string, a CPU list such as "1-3,5" */
	GHOST_A_STATE,			/* u32, enum ghost_enclave_state */
	GHOST_A_WATCHDOG_MS,		/* u32 */
	GHOST_A_NR_TASKS,		/* u32 */
	GHOST_A_NR_AGENTS,		/* u32 */
	GHOST_A_MSGS,			/* nested: u64 per message type */
	GHOST_A_COMMITS,		/* nested: u64 per final txn state */
	GHOST_A_WATCHDOG_FIRINGS,	/* u64 */
	GHOST_A_QUEUE_OVERFLOWS,	/* u64: messages dropped */
	GHOST_A_EVENT,			/* u32, enum ghost_event */
	GHOST_A_REASON,			/* u32, enum ghost_destroy_reason */
	GHOST_A_CPU,			/* u32 */
	GHOST_A_PID,			/* u32 */
	GHOST_A_PAD,
	GHOST_A_NAME,			/* string (since 4) */
	GHOST_A_TASKS_EVICTED,		/* u64 (since 4) */
	GHOST_A_AGENT_THROTTLES,	/* u64 (since 4) */
	__GHOST_A_MAX,
};
#define GHOST_A_MAX			(__GHOST_A_MAX - 1)

enum ghost_event {
	GHOST_EVENT_ENCLAVE_CREATED = 1,
	GHOST_EVENT_ENCLAVE_DESTROYED = 2,
	GHOST_EVENT_AGENT_ATTACHED = 3,
	GHOST_EVENT_AGENT_DETACHED = 4,
	GHOST_EVENT_QUEUE_OVERFLOW = 5,
	GHOST_EVENT_TASK_EVICTED = 6,	/* since 4 */
};

enum ghost_destroy_reason {
	GHOST_DESTROY_USER = 1,		/* GHOST_IOC_DESTROY_ENCLAVE */
	GHOST_DESTROY_WATCHDOG = 2,	/* a runnable task waited too long */
};

#endif /* _UAPI_LINUX_GHOST_H */
