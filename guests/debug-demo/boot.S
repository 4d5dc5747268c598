/* debug-demo boot: multiboot entry in protected mode, a trip to real mode (the 16-bit C stage at
   0x7C00), back to protected mode, paging with the kernel mapped at 0xC0000000 (4 MiB pages), then
   kmain in the higher half. The 16-bit parts live below 64 KiB, where real mode can reach them. */

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000002
#define KERNEL_BASE 0xC0000000
#define PDE_4M_KERNEL 0x83          /* present, writable, 4 MiB page */
#define CR4_PSE 0x10
#define CR0_PG 0x80000000

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

/* ---- below 64 KiB: the GDT and the mode-switch trampolines ---- */
    .section .realmode.data, "aw"
    .balign 8
gdt:
    .quad 0x0000000000000000        /* null */
    .quad 0x00CF9A000000FFFF        /* 0x08: 32-bit code, flat */
    .quad 0x00CF92000000FFFF        /* 0x10: 32-bit data, flat */
    .quad 0x00009A000000FFFF        /* 0x18: 16-bit code, base 0, limit 64 KiB */
    .quad 0x000092000000FFFF        /* 0x20: 16-bit data, base 0, limit 64 KiB */
gdt_end:
    .balign 4
gdt_descriptor:
    .word gdt_end - gdt - 1
    .long gdt
    .global realmode_result
realmode_result:
    .long 0

    .section .realmode.text, "ax"
    .code16
pm16:                               /* 16-bit protected mode: load 64 KiB segments, leave PE */
    movw $0x20, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl %cr0, %eax
    andl $0xFFFFFFFE, %eax
    movl %eax, %cr0
    ljmp $0, $real_entry
real_entry:                         /* real mode, CS = DS = SS = 0 */
    xorw %ax, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl $0x7000, %esp
    calll real_main                 /* the 16-bit C stage (realmode.c); result in EAX */
    movl %eax, realmode_result
    cli
    lgdtl gdt_descriptor
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x08, $protected_again

/* ---- at 1 MiB: the 32-bit entry and the switch to the higher half ---- */
    .section .boot.text, "ax"
    .code32
    .global _start
    .type _start, @function
_start:
    cli
    lgdt gdt_descriptor
    ljmp $0x18, $pm16

protected_again:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movw %ax, %ss
    /* Page directory: 0–4 MiB identity (this code) and 0xC0000000–0xC03FFFFF onto 0–4 MiB. */
    movl $(boot_page_directory - KERNEL_BASE), %edi
    movl $PDE_4M_KERNEL, 0(%edi)
    movl $PDE_4M_KERNEL, (KERNEL_BASE >> 22) * 4(%edi)
    movl %cr4, %eax
    orl $CR4_PSE, %eax
    movl %eax, %cr4
    movl %edi, %cr3
    movl %cr0, %eax
    orl $CR0_PG, %eax
    movl %eax, %cr0
    movl $boot_stack_top, %esp
    xorl %ebp, %ebp
    movl $higher_half, %eax
    jmp *%eax

    .section .text
higher_half:
    call kmain
    .global guest_halt
guest_halt:
    cli
    hlt
    jmp guest_halt

    .global page_fault_entry
page_fault_entry:                   /* #PF: handled in C (it maps the page), then retried */
    pushal
    movl %cr2, %eax
    pushl %eax
    call page_fault
    addl $4, %esp
    popal
    addl $4, %esp                   /* the error code */
    iret

    .section .bss
    .balign 4096
    .global boot_page_directory
boot_page_directory:
    .skip 4096
    .balign 16
boot_stack:
    .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
