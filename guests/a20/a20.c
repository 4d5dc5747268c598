/* A20 gate guest: closes and reopens the A20 gate three ways — 8042 commands 0xDD/0xDF, the 8042
   output port (0xD0/0xD1, bit 1), and port 0x92 bit 1 — and checks that with the gate closed
   0x100000 names the same dword as 0x000000, and with it open they are distinct again. Prints a
   line per method on COM1, then "A20 OK" and qemu_exit(0x10) (exit status 33), or "A20 FAILED"
   and qemu_exit(0x11). */
#include <stdint.h>
#include "exit.h"
#include "guest.h"
#include "io.h"
#include "printf.h"
#include "serial.h"
#include "string.h"

#define LOW_ADDR   0x000000u
#define HIGH_ADDR  0x100000u      /* LOW_ADDR with address bit 20 set */
#define PROBE_CODE 0x7000u        /* where the probe runs: bit 20 clear, so it stays reachable */
#define RESULTS    0x6F00u        /* the probe's results, also below 1 MiB */

#define LOW_VALUE   0x11111111u
#define HIGH_VALUE  0x22222222u
#define ALIAS_VALUE 0x33333333u   /* written to HIGH_ADDR while the gate is closed */

/* With the gate closed every address with bit 20 set names the byte 1 MiB lower. This kernel (code,
   data and stack) lives at 1 MiB, so the probe is copied to conventional memory and touches neither
   the stack nor any global until the gate is open again. In: ECX = method. Clobbers EAX, EDX.
   Results (dwords at RESULTS): [HIGH] with the gate closed, [LOW] after writing ALIAS_VALUE to HIGH
   with the gate closed, [HIGH] and [LOW] with the gate open again. */
__asm__(
    "    .text\n"
    "    .globl a20_probe_start, a20_probe_end\n"
    /* A20_SET on: method 0 = 8042 command 0xDD/0xDF, 1 = 8042 output port, 2 = port 0x92 */
    "    .macro A20_SET on\n"
    "    cmpl $0, %ecx\n"
    "    jne 71f\n"
    "70: inb $0x64, %al\n"
    "    testb $2, %al\n"
    "    jnz 70b\n"
    "    movb $(0xDD + 2 * \\on), %al\n"
    "    outb %al, $0x64\n"
    "    jmp 78f\n"
    "71: cmpl $1, %ecx\n"
    "    jne 77f\n"
    "72: inb $0x64, %al\n"              /* read the output port: 0xD0, then wait for the byte */
    "    testb $2, %al\n"
    "    jnz 72b\n"
    "    movb $0xD0, %al\n"
    "    outb %al, $0x64\n"
    "73: inb $0x64, %al\n"
    "    testb $1, %al\n"
    "    jz 73b\n"
    "    inb $0x60, %al\n"
    "    .if \\on\n"
    "    orb $0x02, %al\n"
    "    .else\n"
    "    andb $0xFD, %al\n"
    "    .endif\n"
    "    orb $0x01, %al\n"                  /* bit 0 low would reset the CPU */
    "    movb %al, %dl\n"
    "74: inb $0x64, %al\n"              /* write it back: 0xD1, then the value */
    "    testb $2, %al\n"
    "    jnz 74b\n"
    "    movb $0xD1, %al\n"
    "    outb %al, $0x64\n"
    "75: inb $0x64, %al\n"
    "    testb $2, %al\n"
    "    jnz 75b\n"
    "    movb %dl, %al\n"
    "    outb %al, $0x60\n"
    "    jmp 78f\n"
    "77: inb $0x92, %al\n"              /* fast A20 */
    "    andb $0xFE, %al\n"                 /* bit 0 would reset the CPU */
    "    .if \\on\n"
    "    orb $0x02, %al\n"
    "    .else\n"
    "    andb $0xFD, %al\n"
    "    .endif\n"
    "    outb %al, $0x92\n"
    "78: inb $0x64, %al\n"              /* let the controller finish (input buffer empty) */
    "    testb $2, %al\n"
    "    jnz 78b\n"
    "    .endm\n"
    "a20_probe_start:\n"
    "    A20_SET 0\n"
    "    movl 0x100000, %eax\n"
    "    movl %eax, 0x6F00\n"
    "    movl $0x33333333, 0x100000\n"
    "    movl 0x000000, %eax\n"
    "    movl %eax, 0x6F04\n"
    "    A20_SET 1\n"
    "    movl 0x100000, %eax\n"
    "    movl %eax, 0x6F08\n"
    "    movl 0x000000, %eax\n"
    "    movl %eax, 0x6F0C\n"
    "    ret\n"
    "a20_probe_end:\n"
    "    .purgem A20_SET\n");

extern const uint8_t a20_probe_start[], a20_probe_end[];

/* Accesses by address in asm: a C dereference of address 0 is undefined and gcc may drop it. */
static inline uint32_t peek(uint32_t addr)
{
    uint32_t v;
    __asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline void poke(uint32_t addr, uint32_t v)
{
    __asm__ volatile("movl %1, (%0)" : : "r"(addr), "r"(v) : "memory");
}

static void run_probe(uint32_t method)
{
    __asm__ volatile("call *%1" : "+c"(method) : "r"(PROBE_CODE) : "eax", "edx", "memory", "cc");
}

static const char *const method_names[] = {
    "8042 commands 0xDD/0xDF",
    "8042 output port 0xD0/0xD1",
    "port 0x92 bit 1",
};

/* Empties the 8042 output buffer (a key or reply left by the firmware). */
static void kbc_flush(void)
{
    for (int i = 0; i < 64 && (inb(0x64) & 1); i++) (void)inb(0x60);
}

static int probe(uint32_t method)
{
    poke(LOW_ADDR, LOW_VALUE);
    poke(HIGH_ADDR, HIGH_VALUE);
    run_probe(method);
    uint32_t off_high = peek(RESULTS), off_low_after_write = peek(RESULTS + 4);
    uint32_t on_high = peek(RESULTS + 8), on_low = peek(RESULTS + 12);
    int ok = off_high == LOW_VALUE && off_low_after_write == ALIAS_VALUE
          && on_high == HIGH_VALUE && on_low == ALIAS_VALUE;
    printf("%s: off [0x100000]=%08x [0]=%08x after write, on [0x100000]=%08x [0]=%08x: %s\n",
           method_names[method], off_high, off_low_after_write, on_high, on_low, ok ? "ok" : "WRONG");
    return ok;
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    serial_init();
    printf("a20 guest\n");
    kbc_flush();
    memcpy((void *)PROBE_CODE, a20_probe_start, (size_t)(a20_probe_end - a20_probe_start));

    uint32_t saved_low = peek(LOW_ADDR), saved_high = peek(HIGH_ADDR);
    poke(LOW_ADDR, LOW_VALUE);
    poke(HIGH_ADDR, HIGH_VALUE);
    int ok = peek(LOW_ADDR) == LOW_VALUE;
    printf("A20 open at entry: %s\n", ok ? "yes" : "NO (0x100000 wraps to 0)");

    for (uint32_t method = 0; method < 3; method++) ok &= probe(method);

    poke(LOW_ADDR, saved_low);
    poke(HIGH_ADDR, saved_high);
    if (ok) {
        printf("A20 OK\n");
        qemu_exit(0x10);
    }
    printf("A20 FAILED\n");
    qemu_exit(0x11);
}
