#!/usr/bin/env bash
# Fetches an i386 Linux kernel (Debian's 686 non-PAE image) and a static busybox from Debian's
# packages and builds the test initramfs. Idempotent: reuses .cache/linux when it is complete.
# Prints the two paths on its last two lines: "kernel=<vmlinuz>" and "initrd=<initramfs.cpio.gz>".
# Exit status 3 means this machine has no apt (the Linux boot test then says so and does not run).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${HVDBG_LINUX_CACHE:-$repo/.cache/linux}"
kernel="$cache/vmlinuz"
initrd="$cache/initramfs.cpio.gz"
meta="${HVDBG_LINUX_META_PACKAGE:-linux-image-686}"   # Debian's meta package for the current 686 kernel

done_message() { echo "kernel=$kernel"; echo "initrd=$initrd"; }

if [[ -s "$kernel" && -s "$initrd" && "$initrd" -nt "$repo/scripts/linux/make-initramfs.mjs" ]]; then
  done_message
  exit 0
fi

if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "prepare.sh: apt-get and dpkg-deb are needed to fetch the Debian i386 kernel and busybox" >&2
  exit 3
fi

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    echo "prepare.sh: '$*' needs root" >&2; return 1; fi
}

# The i386 package lists, only when they are missing.
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  as_root dpkg --add-architecture i386
fi
if ! apt-cache show "$meta:i386" >/dev/null 2>&1 || ! apt-cache show busybox-static:i386 >/dev/null 2>&1; then
  as_root apt-get update -qq || echo "prepare.sh: apt-get update reported errors; trying the lists it got" >&2
fi

# The meta package depends on the versioned image, e.g. linux-image-6.1.0-50-686.
image="$(apt-cache depends "$meta:i386" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { sub(/:i386$/, "", $2); print $2; exit }')"
if [[ -z "$image" ]]; then
  echo "prepare.sh: cannot find the kernel package $meta:i386 depends on (apt-cache depends $meta:i386)" >&2
  exit 1
fi

mkdir -p "$cache"
work="$(mktemp -d "$cache/work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "$image:i386" busybox-static:i386 >/dev/null 2>"$work/download.log") || {
  cat "$work/download.log" >&2
  exit 1
}
dpkg-deb -x "$work"/linux-image-*_i386.deb "$work/kernel"
dpkg-deb -x "$work"/busybox-static_*_i386.deb "$work/busybox"
vmlinuz=("$work"/kernel/boot/vmlinuz-*)
if [[ ! -s "${vmlinuz[0]}" ]]; then echo "prepare.sh: $image has no /boot/vmlinuz-*" >&2; exit 1; fi
node "$repo/scripts/linux/make-initramfs.mjs" --busybox "$work/busybox/bin/busybox" --out "$work/initramfs.cpio.gz"
cp "${vmlinuz[0]}" "$kernel.tmp" && mv "$kernel.tmp" "$kernel"
basename "${vmlinuz[0]}" > "$cache/kernel-version"
mv "$work/initramfs.cpio.gz" "$initrd"
done_message
