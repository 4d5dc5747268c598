/* The kernel the mbr-int13 boot sector loads with INT 13h extended read: checks that all of its
   sectors arrived (the build puts "HVDB" in the last 4 bytes) and that A20 is open, then reports. */
#include <stdint.h>
#include "serial.h"
#include "exit.h"

#define KERNEL_BASE 0x10000u
#define MARKER 0x42445648u   /* "HVDB" */

void kmain(void);

void kmain(void)
{
    volatile uint32_t *marker = (volatile uint32_t *)(KERNEL_BASE + KERNEL_SECTORS * 512 - 4);
    volatile uint32_t *low = (volatile uint32_t *)0x80000, *high = (volatile uint32_t *)0x180000;
    serial_init();
    *low = 0x11111111;
    *high = 0x22222222;   /* with A20 closed this would land on *low */
    if (*marker != MARKER) { serial_puts("MBR INT13 FAIL: kernel not loaded whole\n"); qemu_exit(1); }
    if (*low != 0x11111111) { serial_puts("MBR INT13 FAIL: A20 closed\n"); qemu_exit(1); }
    serial_puts("MBR INT13 OK\n");
    qemu_exit(0x10);
}
