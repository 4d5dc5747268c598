/* SMP guest: the application processors' start-up code. smp.c copies the bytes between
   smp_trampoline_start and smp_trampoline_end to physical 0x8000 and sends START-UP vector 0x08, so an
   AP begins here in real mode at 0800:0000. It loads its own flat GDT, enters protected mode, takes a
   4 KiB stack chosen by its local APIC ID (ap_stacks) and calls ap_main(). Every address the real-mode
   part uses is computed relative to 0x8000, where the code runs, not where it was linked. */

#define TRAMPOLINE_BASE 0x8000
#define AT(label) ((label) - smp_trampoline_start + TRAMPOLINE_BASE)
#define LAPIC_ID_REG 0xFEE00020
#define AP_STACK_SIZE 4096

    .section .text
    .code16
    .global smp_trampoline_start
smp_trampoline_start:
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ds
    lgdtl AT(tramp_gdtr)
    movl %cr0, %eax
    orl $1, %eax                    /* CR0.PE */
    movl %eax, %cr0
    ljmpl $0x08, $AT(tramp_protected)

    .code32
tramp_protected:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movw %ax, %ss
    movl LAPIC_ID_REG, %eax         /* APIC ID in bits 31:24 */
    shrl $24, %eax
    incl %eax                       /* stack top of AP n = ap_stacks + (n + 1) * 4 KiB */
    shll $12, %eax
    addl $ap_stacks, %eax
    movl %eax, %esp
    xorl %ebp, %ebp
    movl $ap_main, %eax             /* absolute: ap_main lies at its link address (1 MiB +) */
    call *%eax
1:  cli
    hlt
    jmp 1b

    .balign 8
tramp_gdt:
    .quad 0x0000000000000000        /* null */
    .quad 0x00CF9A000000FFFF        /* 0x08: code, base 0, limit 4 GiB, 32-bit */
    .quad 0x00CF92000000FFFF        /* 0x10: data, base 0, limit 4 GiB, writable */
tramp_gdtr:
    .word 3 * 8 - 1
    .long AT(tramp_gdt)

    .global smp_trampoline_end
smp_trampoline_end:

    .section .note.GNU-stack, "", @progbits
