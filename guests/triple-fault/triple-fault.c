/* Example guest: prints one line, loads a zero-limit IDT and raises int $3; the
   vector lookup fails (#GP, then #DF), which is a triple fault (shutdown/reset). */
#include <stdint.h>
#include "exit.h"
#include "guest.h"
#include "printf.h"
#include "serial.h"

struct idt_pointer {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

static const struct idt_pointer empty_idt = { .limit = 0, .base = 0 };

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    serial_init();
    printf("about to triple fault\n");
    /* int $3 spelled as bytes CD 03: gas would shorten it to int3 (CC), the opcode a
       debugger uses for its own breakpoints. */
    __asm__ volatile("lidt %0\n\t.byte 0xcd, 0x03" : : "m"(empty_idt) : "memory");
    printf("still alive after int $3?\n");   /* not reached */
    guest_halt();
}
