/* Kernel entry at 0x10000: the boot sector jumps here in 32-bit protected mode with flat segments.
   Sets a stack, zeroes .bss, calls kmain; guest_halt stops the CPU for good. */
    .section .text.entry, "ax"
    .globl _start, guest_halt
_start:
    mov $0x90000, %esp
    cld
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    call kmain
guest_halt:
    cli
1:  hlt
    jmp 1b
    .section .note.GNU-stack, "", @progbits
