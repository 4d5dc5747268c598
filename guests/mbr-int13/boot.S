/* mbr-int13: a boot sector that uses the BIOS. Prints a banner with INT 10h teletype, checks for the
   INT 13h extensions (41h), loads the kernel (KERNEL_SECTORS sectors from LBA 1 to 1000:0000) with an
   extended read (42h), opens A20 with INT 15h AX=2401h, enters 32-bit protected mode with its own GDT
   and jumps to the kernel at 0x10000. On failure it prints why and exits through isa-debug-exit. */
    .code16
    .text
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7C00, %sp
    ljmp $0, $1f                /* CS:IP = 0000:7Cxx whatever the BIOS used */
1:  sti
    mov %dl, boot_drive

    mov $msg_banner, %si
    call puts

    mov $0x41, %ah              /* extensions present? */
    mov $0x55AA, %bx
    mov boot_drive, %dl
    int $0x13
    jc no_edd
    cmp $0xAA55, %bx
    jne no_edd

    mov $dap, %si               /* extended read: DS:SI → disk address packet */
    mov $0x42, %ah
    mov boot_drive, %dl
    int $0x13
    jc read_error

    mov $0x2401, %ax            /* A20 on */
    int $0x15
    jc a20_error

    mov $msg_loaded, %si
    call puts

    cli
    lgdt gdt_descriptor
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmp $0x08, $protected_mode

no_edd:
    mov $msg_no_edd, %si
    jmp fail
read_error:
    mov $msg_read, %si
    jmp fail
a20_error:
    mov $msg_a20, %si
fail:
    call puts
    mov $1, %al                 /* isa-debug-exit: status 3 */
    out %al, $0xF4
    cli
2:  hlt
    jmp 2b

/* puts: prints the NUL-terminated string at DS:SI with INT 10h AH=0Eh. */
puts:
    lodsb
    test %al, %al
    jz 3f
    mov $0x0E, %ah
    mov $0x0007, %bx
    int $0x10
    jmp puts
3:  ret

    .code32
protected_mode:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $0x90000, %esp
    mov $0x10000, %eax
    jmp *%eax

    .p2align 3
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF    /* 0x08: flat 32-bit code */
    .quad 0x00CF92000000FFFF    /* 0x10: flat 32-bit data */
gdt_descriptor:
    .word gdt_descriptor - gdt - 1
    .long gdt

    .p2align 2
dap:
    .byte 0x10, 0               /* packet size, reserved */
    .word KERNEL_SECTORS        /* sectors */
    .word 0x0000, 0x1000        /* buffer offset, segment */
    .quad 1                     /* first LBA */

boot_drive:  .byte 0x80
msg_banner:  .asciz "hvdbg mbr-int13: loading the kernel with INT 13h\r\n"
msg_loaded:  .asciz "kernel loaded, A20 on, entering protected mode\r\n"
msg_no_edd:  .asciz "no INT 13h extensions\r\n"
msg_read:    .asciz "INT 13h read failed\r\n"
msg_a20:     .asciz "A20 failed\r\n"

    .org 510
    .byte 0x55, 0xAA
