#!/usr/bin/env bash
# Runs .ci/run as on a fresh machine: a new Debian 12 root (debootstrap, minbase), a clean clone of
# this checkout's HEAD, nothing else. Needs root. Usage: tools/fresh-debian-run.sh NEW_ROOT_DIR
set -euo pipefail

root=${1:?usage: $0 NEW_ROOT_DIR (created; must not exist yet)}
[[ ! -e $root ]] || { echo "$root exists: give a new folder, a fresh root is the point" >&2; exit 2; }
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
# The mirror this machine's apt uses (deb822 or one-line sources), else Debian's own.
mirror=$(grep -hoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
  2>/dev/null | head -1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null

start=$(date +%s)
echo "debootstrap bookworm from $mirror into $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
cp /etc/resolv.conf "$root/etc/resolv.conf"
# pip's own settings on this machine (a certificate bundle, a mirror): PyPI as this machine reaches it
[[ -f /etc/pip.conf ]] && cp /etc/pip.conf "$root/etc/pip.conf"
[[ -d /etc/xdg/pip ]] && mkdir -p "$root/etc/xdg" && cp -r /etc/xdg/pip "$root/etc/xdg/pip"
# The local certificate authorities (a TLS-inspecting proxy's): ca-certificates adds them to the
# chroot's bundle when .ci/run installs it, as it did on this machine.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
git clone --quiet "$repo" "$root/root/danvan"
echo "root ready after $(($(date +%s) - start)) s; commit $(git -C "$root/root/danvan" rev-parse --short HEAD)"

mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}" || umount -l "${mounts[i]}"; done
}
trap cleanup EXIT
mount -t proc proc "$root/proc"
mounts+=("$root/proc")
mount -t sysfs sys "$root/sys"
mounts+=("$root/sys")
mount --bind /dev "$root/dev"
mounts+=("$root/dev")
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
mounts+=("$root/dev/pts")
mount -t tmpfs shm "$root/dev/shm"
mounts+=("$root/dev/shm")

status=0
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /bin/bash -lc 'cd /root/danvan && .ci/run' || status=$?
echo ".ci/run exit status $status after $(($(date +%s) - start)) s in all"
exit "$status"
