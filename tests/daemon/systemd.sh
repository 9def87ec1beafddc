#!/bin/sh
# Proves: ghostd works as a systemd service the way a user runs it, under
# a real systemd (the build host's, 252 on Debian 12) as PID 1 in the VM:
# the host's / shared read-only (virtio-9p) under a tmpfs overlay, with
# ghostd as `make install` put it (/usr/sbin, /usr/lib/ghost, the unit
# in /lib/systemd/system, /etc/ghost) and one enclave file.
# - `systemctl start ghostd` returns once ghostd said READY=1 (Type=notify)
#   and the unit shows ghostd's STATUS= line;
# - `systemctl reload ghostd` (ExecReload=ghostctl reload) swaps in an
#   edited policy; a bad edit fails the reload with the reason and changes
#   nothing;
# - `systemctl restart ghostd` and a kill -9 of ghostd (Restart=on-failure)
#   leave the agent process alone (KillMode=process): the same agent and
#   enclave afterwards, and not one of 30 load threads got CFS time; and
#   ghostd took its liveness pipe back from systemd's fd store (FDSTORE=1)
#   both times, as the journal shows, so the agents never started the
#   grace-period fallback (which tests/daemon/supervisor_kill.sh covers);
# - `systemctl stop ghostd`: the agent finds no supervisor, destroys its
#   enclave, and every load thread finishes under CFS; ghost.ko unloads.
#
# Run by tests/vm/run as PID 1 (--pid1), it builds the root and hands over
# to systemd; systemd then runs it again ("inside") from a oneshot unit,
# which reports the status on the second serial port and powers off.
# vm-args: --host-root --pid1 --mem 2G --timeout 480

report() {
	echo "ghost-vm-status $1" >/dev/ttyS1
	sync
	systemctl poweroff --force --force
	poweroff -f
}

if [ "$1" != inside ]; then
	# PID 1 in the initramfs: the overlay root, then systemd.
	set -e
	mkdir -p /host /rw /newroot
	mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=524288,cache=loose hostroot /host
	mount -t tmpfs -o mode=0755 rw /rw
	mkdir -p /rw/upper /rw/work
	mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot
	# ghostd as installed, the tests and their tools.
	cp -a /usr/sbin/ghostd /newroot/usr/sbin/
	cp -a /usr/bin/ghostctl /newroot/usr/bin/
	cp -a /usr/lib/ghost /newroot/usr/lib/
	cp -a /lib/systemd/system/ghostd.service /newroot/lib/systemd/system/
	rm -rf /newroot/etc/ghost
	cp -a /etc/ghost /newroot/etc/
	cp -a /ghost /newroot/
	rm -f /newroot/.dockerenv
	: >/newroot/etc/fstab
	# Units that make no sense in the VM, or walk the host's tree over 9p
	# for minutes (tmpfiles).
	for unit in getty@tty1.service serial-getty@ttyS0.service getty-static.service \
		getty.target apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer \
		systemd-timesyncd.service systemd-pstore.service postgresql.service \
		remote-fs.target systemd-networkd.service networking.service \
		systemd-tmpfiles-setup.service systemd-tmpfiles-clean.timer \
		systemd-logind.service dbus.service dbus.socket systemd-update-utmp.service \
		systemd-update-utmp-runlevel.service systemd-user-sessions.service; do
		ln -sf /dev/null "/newroot/etc/systemd/system/$unit"
	done
	cat >/newroot/etc/systemd/system/ghost-test.service <<-EOF
	[Unit]
	Description=ghost daemon test
	After=multi-user.target
	[Service]
	Type=oneshot
	ExecStart=/bin/sh -c '/ghost/daemon/systemd.sh inside >/dev/ttyS0 2>&1'
	EOF
	mkdir -p /newroot/etc/systemd/system/multi-user.target.wants
	ln -sf /etc/systemd/system/ghost-test.service \
		/newroot/etc/systemd/system/multi-user.target.wants/ghost-test.service
	umount /tmp /run 2>/dev/null || true
	mount --move /dev /newroot/dev
	umount /sys /proc
	exec switch_root /newroot /lib/systemd/systemd --unit=multi-user.target \
		--show-status=error
fi

# Inside, run by ghost-test.service.
export PATH=/ghost/bin:/usr/sbin:/usr/bin:/sbin:/bin
. /ghost/daemon/lib/daemon.sh
LOG=/tmp/ghostd-journal.log
CONF=/etc/ghost
fail() {
	echo "daemon-test: FAIL: $*"
	journalctl -u ghostd --no-pager | tail -n 60
	echo "--- the kernel on enclaves"
	journalctl -k --no-pager -o cat | grep -E 'ghost|enclave' | tail -n 20
	ghostctl status 2>&1
	report 1
}

journal() { journalctl -u ghostd --no-pager -o cat; }
main_pid() { systemctl show -p MainPID --value ghostd; }
test_new_main() {
	local pid
	pid=$(main_pid)
	[ -n "$pid" ] && [ "$pid" != 0 ] && [ "$pid" != "$1" ] &&
		[ "$(systemctl is-active ghostd)" = active ]
}

say "systemd $(systemctl --version | head -n 1 | awk '{ print $2 }') is PID 1; ghost.ko $(lsmod | grep -c '^ghost ')"
conf_enclave batch 1-3 fifo_per_cpu '{}' '[{"comm": "ghost-load"}]'

systemctl start ghostd || fail "systemctl start ghostd failed"
[ "$(systemctl is-active ghostd)" = active ] || fail "ghostd is not active after start"
status=$(systemctl show -p StatusText --value ghostd)
say "started; STATUS=$status"
echo "$status" | grep -q "1 running" || fail "ghostd's STATUS= says \"$status\""
enclave_running batch || fail "enclave batch does not run"
id=$(enclave_field batch .kernel.id)
agent=$(agent_pid batch)

load_start ghost-load 30
load_wait_ready ghost-load

conf_enclave batch 1-3 fifo_centralized '{"time_slice_us": 2000}' '[{"comm": "ghost-load"}]'
systemctl reload ghostd || fail "systemctl reload ghostd failed"
[ "$(enclave_field batch .plugin)" = fifo_centralized ] || fail "the reload did not swap the policy"
say "reloaded: $(enclave_field batch .plugin)"
conf_enclave batch 1-3 fifo_centralized '{"time_slice": 2000}' '[{"comm": "ghost-load"}]'
systemctl reload ghostd 2>/tmp/reload.err && fail "a bad reload succeeded"
[ "$(systemctl is-active ghostd)" = active ] || fail "a bad reload stopped ghostd"
journal | grep -q 'has no parameter "time_slice"' || fail "the journal does not say why the reload failed"
[ "$(enclave_field batch .plugin)" = fifo_centralized ] || fail "the bad reload changed the policy"
conf_enclave batch 1-3 fifo_centralized '{"time_slice_us": 2000}' '[{"comm": "ghost-load"}]'

for how in restart kill; do
	old=$(main_pid)
	if [ "$how" = restart ]; then
		systemctl restart ghostd || fail "systemctl restart ghostd failed"
	else
		kill -9 "$old"
		wait_for 60 "systemd restarts ghostd" test_new_main "$old"
	fi
	wait_for 60 "enclave batch runs again" enclave_running batch
	say "$how: ghostd $old -> $(main_pid), agent $(agent_pid batch)"
	[ "$(agent_pid batch)" = "$agent" ] || fail "$how replaced the agent process"
	[ "$(enclave_field batch .kernel.id)" = "$id" ] || fail "$how made the enclave again"
done
cfs=$(load_checkpoint ghost-load "$LOAD_PID")
[ "$cfs" = 0 ] || fail "$cfs load threads had CFS time across restarts"
kept=$(journal | grep -c "liveness pipe kept by systemd across the restart")
fresh=$(journal | grep -c "no supervisor; destroying it in")
if [ "$kept" -ge 2 ] && [ "$fresh" = 0 ]; then
	say "liveness: systemd's fd store kept the pipe across both restarts"
else
	fail "liveness: pipe kept $kept times, grace fallback $fresh times"
fi

systemctl stop ghostd || fail "systemctl stop ghostd failed"
say "stopped: the agent destroys the enclave"
wait_for 30 "every ghost-agent exits" no_agents
wait_for 10 "every load thread in CFS" all_threads_in "$LOAD_PID" 0
load_finish ghost-load "$LOAD_PID"
[ "$(load_summary ghost-load finished)" = 30 ] || fail "not every load thread finished"
rmmod ghost || fail "ghost.ko does not unload"
say "PASS"
report 0
