/* Bochs/QEMU debug console (port 0xE9): one outb per byte, no setup, no flow control. */
#ifndef HVDBG_DEBUGCON_H
#define HVDBG_DEBUGCON_H

#include "io.h"

#define DEBUGCON_PORT 0xE9

static inline void debugcon_putc(char c)
{
    outb(DEBUGCON_PORT, (uint8_t)c);
}

static inline void debugcon_puts(const char *s)
{
    while (*s)
        debugcon_putc(*s++);
}

#endif
