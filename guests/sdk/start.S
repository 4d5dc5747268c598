/* Guest entry point: multiboot v1 header, own flat GDT, 64 KiB stack, .bss clear,
   then kmain(magic, mbi); if kmain returns, halt forever with interrupts off. */

#define MB_HEADER_MAGIC 0x1BADB002
#define MB_FLAG_PAGE_ALIGN 0x00000001   /* load modules on 4 KiB boundaries */
#define MB_FLAG_MEMINFO    0x00000002   /* ask for mem_lower/upper and the memory map */
#define MB_HEADER_FLAGS (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO)

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define STACK_SIZE 0x10000

    .section .multiboot, "a"
    .balign 4
multiboot_header:
    .long MB_HEADER_MAGIC
    .long MB_HEADER_FLAGS
    .long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

    .section .rodata
    .balign 8
gdt:
    .quad 0x0000000000000000        /* null descriptor */
    .quad 0x00CF9A000000FFFF        /* 0x08: code, base 0, limit 4 GiB, 32-bit, ring 0 */
    .quad 0x00CF92000000FFFF        /* 0x10: data, base 0, limit 4 GiB, writable */
gdt_end:
    .balign 2
gdt_descriptor:
    .word gdt_end - gdt - 1
    .long gdt

    .section .bss
    .balign 16
stack_bottom:
    .skip STACK_SIZE
stack_top:

    .section .text
    .global _start
    .type _start, @function
_start:
    cli
    cld
    movl %eax, %esi                 /* keep the bootloader magic; EBX holds the info pointer */
    lgdt gdt_descriptor
    ljmp $KERNEL_CS, $1f
1:
    movw $KERNEL_DS, %cx
    movw %cx, %ds
    movw %cx, %es
    movw %cx, %fs
    movw %cx, %gs
    movw %cx, %ss
    movl $stack_top, %esp
    xorl %ebp, %ebp                 /* terminates frame-pointer walks */

    movl $__bss_start, %edi         /* zero .bss (the stack included: nothing is on it yet) */
    movl $__bss_end, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl

    subl $8, %esp                   /* keep ESP 16-byte aligned at the call */
    pushl %ebx                      /* struct multiboot_info * */
    pushl %esi                      /* magic */
    call kmain
    .size _start, . - _start

    .global guest_halt
    .type guest_halt, @function
guest_halt:
    cli
    hlt
    jmp guest_halt
    .size guest_halt, . - guest_halt

    .section .note.GNU-stack, "", @progbits
