/* Interrupt support for guests: the frame the SDK's interrupt-stubs.S hands to interrupt_dispatch,
   and an IDT of ring-0 32-bit interrupt gates pointing at those stubs (CS = 0x08, as start.S sets). */
#ifndef HVDBG_INTERRUPTS_H
#define HVDBG_INTERRUPTS_H

#include <stdint.h>

/* What the stubs leave on the stack: the general registers (pushal order), the vector number, then
   the CPU's frame (EIP, or an error code first for the vectors that push one). */
struct frame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t vector;
    uint32_t eip_or_error;
};

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t type_attr;
    uint16_t offset_high;
} __attribute__((packed));

struct idt_pointer {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

extern const char vector_stubs[];
extern const uint32_t vector_stub_size;

/* Defined by the guest: called for every interrupt with the saved registers. */
void interrupt_dispatch(struct frame *f);

/* Points idt[0..count) at the stubs (present, ring 0, 32-bit interrupt gates) and loads IDTR. */
static inline void idt_install_stubs(struct idt_gate *idt, unsigned count)
{
    for (unsigned v = 0; v < count; v++) {
        uint32_t entry = (uint32_t)(vector_stubs + v * vector_stub_size);
        idt[v].offset_low = entry & 0xFFFF;
        idt[v].selector = 0x08;
        idt[v].zero = 0;
        idt[v].type_attr = 0x8E;
        idt[v].offset_high = entry >> 16;
    }
    struct idt_pointer idtr = { (uint16_t)(count * sizeof *idt - 1), (uint32_t)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

#endif
