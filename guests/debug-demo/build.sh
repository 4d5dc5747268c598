#!/usr/bin/env bash
# Builds the debug-demo guest (its own link map: a real-mode stage at 0x7C00, a higher-half kernel)
# into guests/debug-demo/kernel.elf at -O0 with DWARF, for the debugger's tests. Works from any directory.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIR/../.." && pwd)"
cd "$ROOT"
CC="${CC:-gcc}"
LD="${LD:-ld}"
COMMON=(-march=i686 -ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector -nostdlib -g -O0
        -Wall -Wextra -mno-sse -mno-mmx -fno-asynchronous-unwind-tables -fdebug-prefix-map="$ROOT"=.
        -Iguests/sdk/include)
OBJ=guests/debug-demo/obj
mkdir -p "$OBJ"
"$CC" -m16 "${COMMON[@]}" -c guests/debug-demo/realmode.c -o "$OBJ/realmode.o"
objs=("$OBJ/realmode.o")
for src in guests/debug-demo/boot.S guests/debug-demo/kernel.c guests/debug-demo/shapes.c guests/sdk/lib/printf.c \
           guests/sdk/lib/serial.c guests/sdk/lib/string.c guests/sdk/lib/libgcc64.c; do
    obj="$OBJ/$(basename "${src%.*}").o"
    "$CC" -m32 "${COMMON[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
done
"$LD" -m elf_i386 -nostdlib -z max-page-size=0x1000 --build-id=none --no-warn-rwx-segments -T guests/debug-demo/debug-demo.ld \
    -o guests/debug-demo/kernel.elf "${objs[@]}"
echo "built guests/debug-demo/kernel.elf (-O0)"
