#!/usr/bin/env bash
# Builds every example guest (guests/<name>/*.c + the SDK) into guests/<name>/kernel.elf;
# hello is also built at -O0 as kernel-O0.elf. Works from any directory; `build.sh NAME…` builds only those.
set -euo pipefail

GUESTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$GUESTS_DIR")"
cd "$ROOT"   # relative paths keep the DWARF file names machine-independent

CC="${CC:-gcc}"
LD="${LD:-ld}"
CFLAGS=(-m32 -march=i686 -ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector
        -nostdlib -g -Wall -Wextra -mno-sse -mno-mmx -fno-asynchronous-unwind-tables
        -fdebug-prefix-map="$ROOT"=. -Iguests/sdk/include -Iguests/include)
LDFLAGS=(-m elf_i386 -nostdlib -z max-page-size=0x1000 --build-id=none -T guests/sdk/linker.ld)
O0_GUESTS=" hello "

# build_kernel <guest dir> <opt flag> <obj dir> <output elf>
build_kernel() {
    local dir="$1" opt="$2" objdir="$3" out="$4"
    local objs=() asm=() src obj
    mkdir -p "$objdir"
    mapfile -t asm < <(compgen -G "$dir/*.S" || true)   # a guest's own assembly files, if any
    for src in guests/sdk/start.S guests/sdk/lib/*.c "$dir"/*.c "${asm[@]}"; do
        obj="$objdir/$(basename "${src%.*}").o"
        "$CC" "${CFLAGS[@]}" "$opt" -c "$src" -o "$obj"
        objs+=("$obj")
    done
    "$LD" "${LDFLAGS[@]}" -o "$out" "${objs[@]}"
    echo "built $out ($opt)"
}

# With arguments, only the named guests are built (guests/build.sh exits-tour); without, all of them.
if (($# > 0)); then dirs=(); for name in "$@"; do dirs+=("guests/$name/"); done; else dirs=(guests/*/); fi
for dir in "${dirs[@]}"; do
    dir="${dir%/}"
    name="$(basename "$dir")"
    case "$name" in sdk|include) continue ;; esac
    if [[ -x "$dir/build.sh" ]]; then "$dir/build.sh"; continue; fi   # guests with their own build (disk images)
    compgen -G "$dir/*.c" >/dev/null || continue
    build_kernel "$dir" -O2 "$dir/obj" "$dir/kernel.elf"
    if [[ "$O0_GUESTS" == *" $name "* ]]; then
        build_kernel "$dir" -O0 "$dir/obj/O0" "$dir/kernel-O0.elf"
    fi
done
