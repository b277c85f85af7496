#!/usr/bin/env bash
# The clean-machine check (docs/operations.md): the README's first command, `make run`, on a minimal Debian 12
# made by debootstrap, from a clean clone, as a normal user with sudo; then the offline install from a wheel
# folder with no network at all. Needs root, debootstrap, unshare and ip (util-linux, iproute2) on the host.
#
#   sudo scripts/clean-debian-check.sh /srv/debroot          # a new folder (or one debootstrap already made)
#
# It commits nothing and changes nothing outside ROOT; it prints what it checked and exits non-zero on a
# failure. ROOT is left for a look afterwards (delete it with `rm -rf --one-file-system ROOT`).
set -euo pipefail
root=${1:?usage: clean-debian-check.sh ROOT}
repo=$(cd "$(dirname "$0")/.." && pwd)
port=${PORT:-5077}
offline_port=${OFFLINE_PORT:-8077}
[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap, chroot, mounts)" >&2; exit 2; }

say() { printf '\n== %s\n' "$*"; }

if [ ! -f "$root/etc/debian_version" ]; then
  say "debootstrap: a minimal Debian 12 (bookworm) with python3, git, make, sudo, curl"
  debootstrap --variant=minbase --include=git,make,sudo,ca-certificates,python3,curl \
    bookworm "$root" http://deb.debian.org/debian
fi

mounts=("$root/proc" "$root/sys" "$root/dev")
cleanup() {
  # A process still closing (the offline gunicorn) can keep /dev busy for a moment: then detach it lazily.
  for m in "${mounts[@]}"; do umount -R "$m" 2>/dev/null || umount -R -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
mountpoint -q "$root/sys" || mount --rbind /sys "$root/sys"
mountpoint -q "$root/dev" || mount --rbind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# debootstrap's minbase has no /etc/hosts; without the host's name in it sudo warns on every call.
[ -f "$root/etc/hosts" ] || echo "127.0.0.1 localhost" >"$root/etc/hosts"
grep -q "$(hostname)" "$root/etc/hosts" || echo "127.0.1.1 $(hostname)" >>"$root/etc/hosts"

# A host behind a TLS-inspecting proxy: its extra CA certificates go into the chroot's store, and pip (which
# uses its own bundle otherwise) is pointed at the system store, as a clinic behind such a proxy would do.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  say "the host's extra CA certificates into the chroot's trust store"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1
  printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$root/etc/pip.conf"
fi

say "a user 'clinic' with sudo, and a clean clone of $(git -C "$repo" rev-parse --short HEAD)"
chroot "$root" id clinic >/dev/null 2>&1 || chroot "$root" useradd -m -s /bin/bash clinic
echo "clinic ALL=(ALL) NOPASSWD: ALL" >"$root/etc/sudoers.d/clinic"
chmod 0440 "$root/etc/sudoers.d/clinic"
rm -rf "$root/srv/emhana.git" "$root/home/clinic/emhana"
git clone --quiet --bare "$repo" "$root/srv/emhana.git"
git -C "$root/srv/emhana.git" update-ref HEAD "$(git -C "$repo" rev-parse HEAD)"
chroot "$root" chown -R clinic:clinic /srv/emhana.git
as_clinic() { chroot "$root" su - clinic -c "$1"; }
as_clinic "git clone --quiet /srv/emhana.git emhana"

fetch() {  # URL -> "URL code", waiting up to 10 minutes for the server to come up
  local code
  for _ in $(seq 1 600); do
    if code=$(curl -s -o /dev/null -w '%{http_code}' "$1") && [ "$code" != 000 ]; then
      echo "$1 $code"
      [ "$code" = 200 ]
      return
    fi
    sleep 1
  done
  echo "$1 never answered" >&2
  return 1
}

say "as clinic: cd emhana && PORT=$port make run   (log: $root/tmp/make-run.log)"
setsid chroot "$root" su - clinic -c "cd emhana && PORT=$port make run" >"$root/tmp/make-run.log" 2>&1 &
run_pid=$!
status=0
fetch "http://127.0.0.1:$port/healthz" || status=1
for page in / "/?lang=ru" /staff/login; do fetch "http://127.0.0.1:$port$page" || status=1; done
kill -- "-$run_pid" 2>/dev/null || true
wait "$run_pid" 2>/dev/null || true
as_clinic "cd emhana && .venv/bin/python -m pip list 2>/dev/null | grep -i -E '^(pytest|ruff|playwright) '" \
  && { echo "test tools in the run's venv" >&2; status=1; } || echo "no test tools in the venv (production lock only)"
[ "$status" = 0 ] || { tail -30 "$root/tmp/make-run.log"; exit 1; }

say "offline: make wheels with the network, then make install-offline and gunicorn with no network at all"
as_clinic "cd emhana && make wheels >/dev/null && rm -rf .venv && ls wheels | wc -l"
rm -f "$root/tmp/gunicorn-offline.pid"
unshare -n bash -c "ip link set lo up
  chroot '$root' su - clinic -c 'cd emhana || exit 1
    ! curl -s -m 5 -o /dev/null https://pypi.org/simple/ || exit 1
    echo no network
    make install-offline >/dev/null || exit 1
    .venv/bin/gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:$offline_port --pid /tmp/gunicorn-offline.pid \
      wsgi:app >/tmp/gunicorn-offline.log 2>&1 &
    for i in \$(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:$offline_port/healthz && break; sleep 1; done
    curl -s -o /dev/null -w \"offline /healthz %{http_code}\n\" http://127.0.0.1:$offline_port/healthz
    curl -s -o /dev/null -w \"offline / %{http_code}\n\" http://127.0.0.1:$offline_port/'" | tee "$root/tmp/offline.txt"
[ -f "$root/tmp/gunicorn-offline.pid" ] && kill "$(cat "$root/tmp/gunicorn-offline.pid")" 2>/dev/null || true
grep -q "offline /healthz 200" "$root/tmp/offline.txt" && grep -q "offline / 200" "$root/tmp/offline.txt"
say "clean Debian 12: make run served the demo, and the offline install served it with no network"
