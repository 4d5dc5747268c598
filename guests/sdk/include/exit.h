/* Ways for a guest to stop: guest_halt (cli; hlt forever, from start.S) and qemu_exit
   (QEMU isa-debug-exit at port 0xF4: the process exits with status (code << 1) | 1). */
#ifndef HVDBG_EXIT_H
#define HVDBG_EXIT_H

#include <stdint.h>
#include "io.h"

#define QEMU_EXIT_PORT 0xF4

void guest_halt(void) __attribute__((noreturn));

static inline __attribute__((noreturn)) void qemu_exit(uint8_t code)
{
    outb(QEMU_EXIT_PORT, code);
    guest_halt();   /* not reached when the exit device is present */
}

#endif
