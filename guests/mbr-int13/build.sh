#!/usr/bin/env bash
# Builds a disk-boot guest (guests/mbr-int13, or the guest directory given as $1, e.g. guests/mbr-ata):
#   boot.S              → obj/mbr.bin, the 512-byte boot sector (linked at 0x7C00, ends in 55 AA)
#   entry.S + kernel.c  → obj/kernel.bin, a flat 32-bit kernel linked at 0x10000 (kernel.ld), using
#                         the SDK's COM1 driver
#   disk.img            = the boot sector, then the kernel padded to KERNEL_SECTORS sectors whose last
#                         4 bytes are the marker "HVDB" (the kernel checks that it was loaded whole).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DIR="$(cd "${1:-$HERE}" && pwd)"
cd "$ROOT"
rel="${DIR#"$ROOT"/}"

CC="${CC:-gcc}"
LD="${LD:-ld}"
OBJCOPY="${OBJCOPY:-objcopy}"
KERNEL_SECTORS=16
CFLAGS=(-m32 -march=i686 -ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector -nostdlib
        -O2 -Wall -Wextra -mno-sse -mno-mmx -fno-asynchronous-unwind-tables -Iguests/sdk/include
        -DKERNEL_SECTORS=$KERNEL_SECTORS)
obj="$rel/obj"
mkdir -p "$obj"

"$CC" "${CFLAGS[@]}" -c "$rel/boot.S" -o "$obj/boot.o"
"$LD" -m elf_i386 --build-id=none -e _start -Ttext 0x7C00 --oformat binary -o "$obj/mbr.bin" "$obj/boot.o"
size=$(stat -c %s "$obj/mbr.bin")
[[ $size -eq 512 ]] || { echo "$rel: boot sector is $size bytes, not 512" >&2; exit 1; }

objs=()
for src in "$rel/entry.S" "$rel/kernel.c" guests/sdk/lib/serial.c; do
    o="$obj/$(basename "${src%.*}").o"
    "$CC" "${CFLAGS[@]}" -c "$src" -o "$o"
    objs+=("$o")
done
"$LD" -m elf_i386 -nostdlib --build-id=none -T "$HERE/kernel.ld" -o "$obj/kernel.elf" "${objs[@]}"
"$OBJCOPY" -O binary "$obj/kernel.elf" "$obj/kernel.bin"
limit=$((KERNEL_SECTORS * 512 - 4))
size=$(stat -c %s "$obj/kernel.bin")
[[ $size -le $limit ]] || { echo "$rel: kernel is $size bytes, more than $limit" >&2; exit 1; }

cp "$obj/mbr.bin" "$rel/disk.img"
cat "$obj/kernel.bin" >> "$rel/disk.img"
truncate -s $((512 + limit)) "$rel/disk.img"
printf 'HVDB' >> "$rel/disk.img"
echo "built $rel/disk.img ($(stat -c %s "$rel/disk.img") bytes)"
