/* The 8259A PIC pair for guests: port names and the usual remap (ICW1..ICW4: edge-triggered cascade,
   slave on IR2, 8086 mode) to the guest's vector bases. */
#ifndef HVDBG_PIC_H
#define HVDBG_PIC_H

#include <stdint.h>
#include "io.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20

static inline void pic_remap(uint8_t master_base, uint8_t slave_base)
{
    outb(PIC1_CMD, 0x11);
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, master_base);
    outb(PIC2_DATA, slave_base);
    outb(PIC1_DATA, 0x04);        /* slave on IR2 */
    outb(PIC2_DATA, 0x02);        /* slave identity 2 */
    outb(PIC1_DATA, 0x01);
    outb(PIC2_DATA, 0x01);
}

#endif
