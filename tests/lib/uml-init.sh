#!/bin/bash
# PID 1 of a user-mode Linux guest started by tests/lib/uml.sh. Not run on the host.
#
# The guest sees the host's files through hostfs, writable. So before the test runs, this script
# makes the host's tree read-only for the guest and puts tmpfs over the places programs write to
# (/run, /tmp, /var/tmp, /root, /dev/shm); the one writable host folder is the work folder the
# harness made ($ferry_work, from the kernel command line), bound back at its own path.
# Then: modules from /usr/lib/uml/modules, lo up, the test with its stdout, stderr and exit status
# in $ferry_work/{out,err,rc}, sync, power off. What this script itself says goes to the console
# (the kernel opened /dev/console for it), which the harness keeps in console.log: a log file on
# hostfs held open here would keep / from being made read-only (EBUSY: a writer on the mount).

exec </dev/null
work=${ferry_work:?ferry_work= missing from the kernel command line}
date +%s.%N >"$work/t-init"   # boot time, as the harness reports it, ends here
set -u

# The guest must never return from PID 1 (that panics the kernel) and must always power off.
power_off() {
    sync
    [ -e /proc/sysrq-trigger ] || mount -t proc proc /proc
    echo o >/proc/sysrq-trigger   # the kernel's own power-off: needs no init system
    sleep 10
    poweroff -ff                  # in case sysrq is off; systemctl's immediate form
    exec sleep 1000000
}
die() {   # no rc file: the harness reports "no result" with the end of console.log
    echo "uml-init: $*"
    power_off
}

# FERRY_UML_TEST, FERRY_REPO, FERRY, FERRY_UML_TIMEOUT: written by the harness, %q-quoted.
. "$work/params" || die "cannot read $work/params"

mount -t proc proc /proc || die "mount proc"
mount -t sysfs sysfs /sys || die "mount sysfs"
mount -t tmpfs -o mode=0755 tmpfs /run || die "tmpfs on /run"

# Read-only host: keep a writable view of the host root in /run/host only long enough to bind the
# work folder from it, then make / read-only (per mount: the host's own mounts are not touched).
mkdir /run/host && mount --bind / /run/host || die "bind / on /run/host"
mount -o remount,bind,ro / || die "remount / read-only"
for d in /tmp /var/tmp /root; do
    mount -t tmpfs -o mode=1777 tmpfs "$d" || die "tmpfs on $d"
done
chmod 0700 /root
mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 tmpfs /dev/shm || die "tmpfs on /dev/shm"
# The repository and the work folder may lie under a tmpfs just mounted (a checkout in /tmp):
# bind them back at the same path, so paths mean the same inside and out.
for p in "$FERRY_REPO" "$work"; do
    mkdir -p "$p" && mount --bind "/run/host$p" "$p" || die "bind $p"
done
mount -o remount,bind,ro "$FERRY_REPO" || die "remount $FERRY_REPO read-only"
umount /run/host && rmdir /run/host

# Modules: the host may have no /lib/modules to mount over (a container has none), and making
# one would write to the host. So modprobe gets a module root in tmpfs, both for tests (PATH)
# and for the kernel's own autoloading (ip link add ... type vlan loads 8021q by itself).
mkdir -p /run/ferry-uml/bin /run/ferry-uml/modroot/lib
ln -s /usr/lib/uml/modules /run/ferry-uml/modroot/lib/modules
real_modprobe=$(PATH=/usr/sbin:/sbin:/usr/bin:/bin command -v modprobe) || die "modprobe (kmod) is not installed"
printf '#!/bin/sh\nexec %s -d /run/ferry-uml/modroot "$@"\n' "$real_modprobe" >/run/ferry-uml/bin/modprobe
chmod 0755 /run/ferry-uml/bin/modprobe
echo /run/ferry-uml/bin/modprobe >/proc/sys/kernel/modprobe
[ -d "/usr/lib/uml/modules/$(uname -r)" ] || echo "uml-init: no modules for $(uname -r) in /usr/lib/uml/modules"

hostname ferry-uml
ip link set lo up || die "lo up"

export PATH=/run/ferry-uml/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TMPDIR=/tmp LC_ALL=C TERM=dumb
export FERRY_REPO FERRY FERRY_UML=1
# The kernel hands its unknown command-line words to init as environment; the test needs none.
unset ferry_work hostfs mem con con0 ssl rootfstype uml_dir umid

cd "$FERRY_REPO" || die "cd $FERRY_REPO"
date +%s.%N >"$work/t-test"
timeout -k 5 "$FERRY_UML_TIMEOUT" "$FERRY_UML_TEST" </dev/null >"$work/out" 2>"$work/err"
echo $? >"$work/rc"
date +%s.%N >"$work/t-done"
power_off
