#!/usr/bin/env bash
# Builds the pv-hello guest (its own start and link map: a Xen-style pv kernel, not multiboot)
# into guests/pv-hello/kernel.elf, with the SDK's printf for formatting. Works from any directory.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIR/../.." && pwd)"
cd "$ROOT"
CC="${CC:-gcc}"
LD="${LD:-ld}"
CFLAGS=(-m32 -march=i686 -ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector
        -nostdlib -g -O2 -Wall -Wextra -mno-sse -mno-mmx -fno-asynchronous-unwind-tables
        -fdebug-prefix-map="$ROOT"=. -Iguests/include -Iguests/sdk/include)
OBJ=guests/pv-hello/obj
mkdir -p "$OBJ"
objs=()
for src in guests/pv-hello/start.S guests/pv-hello/pv-hello.c guests/sdk/lib/printf.c guests/sdk/lib/serial.c \
           guests/sdk/lib/string.c guests/sdk/lib/libgcc64.c; do
    obj="$OBJ/$(basename "${src%.*}").o"
    "$CC" "${CFLAGS[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
done
"$LD" -m elf_i386 -nostdlib -z max-page-size=0x1000 --build-id=none -T guests/pv-hello/linker.ld \
    -o guests/pv-hello/kernel.elf "${objs[@]}"
echo "built guests/pv-hello/kernel.elf (-O2)"
