#!/usr/bin/env bash
# Builds the two-images guest: module.elf (linked at 2 MiB, run at 6 MiB) and kernel.elf (the SDK
# kernel that carries module.bin and calls it), both -O0 with DWARF, for the debugger's "symbols" tests.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIR/../.." && pwd)"
cd "$ROOT"
CC="${CC:-gcc}"
LD="${LD:-ld}"
OBJCOPY="${OBJCOPY:-objcopy}"
CFLAGS=(-m32 -march=i686 -ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector -nostdlib -g -O0
        -Wall -Wextra -mno-sse -mno-mmx -fno-asynchronous-unwind-tables -fdebug-prefix-map="$ROOT"=.
        -Iguests/sdk/include -Iguests/include)
OBJ=guests/two-images/obj
mkdir -p "$OBJ"
"$CC" "${CFLAGS[@]}" -c guests/two-images/module.c -o "$OBJ/module.o"
"$LD" -m elf_i386 -nostdlib --build-id=none -T guests/two-images/module.ld -o guests/two-images/module.elf "$OBJ/module.o"
"$OBJCOPY" -O binary guests/two-images/module.elf "$OBJ/module.bin"
objs=()
for src in guests/sdk/start.S guests/sdk/lib/*.c guests/two-images/kernel.c guests/two-images/module-blob.S; do
    obj="$OBJ/$(basename "${src%.*}").o"
    "$CC" "${CFLAGS[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
done
"$LD" -m elf_i386 -nostdlib -z max-page-size=0x1000 --build-id=none -T guests/sdk/linker.ld -o guests/two-images/kernel.elf "${objs[@]}"
echo "built guests/two-images/module.elf and kernel.elf (-O0)"
