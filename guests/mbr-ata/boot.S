/* mbr-ata: a boot sector that drives the hardware itself. Prints a banner with INT 10h teletype, then
   without any BIOS disk service reads the kernel (KERNEL_SECTORS sectors from LBA 1 to 1000:0000) from
   the primary IDE master by ATA PIO (LBA28 READ SECTORS, polling BSY/DRQ, REP INSW), opens A20 through
   port 0x92, enters 32-bit protected mode with its own GDT and jumps to the kernel at 0x10000. On a
   disk error it prints why and exits through isa-debug-exit. */
#define ATA_DATA    0x1F0
#define ATA_COUNT   0x1F2
#define ATA_LBA0    0x1F3
#define ATA_LBA1    0x1F4
#define ATA_LBA2    0x1F5
#define ATA_DRIVE   0x1F6
#define ATA_STATUS  0x1F7           /* read: status; write: command */
#define ATA_CONTROL 0x3F6           /* read: alternate status; write: device control */
#define ST_BSY 0x80
#define ST_DRQ 0x08
#define ST_ERR 0x01
#define CMD_READ_SECTORS 0x20

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
    ljmp $0, $1f
1:  sti

    mov $msg_banner, %si
    call puts

    cli
    mov $ATA_CONTROL, %dx       /* nIEN: no IRQ14, the loader polls */
    mov $0x02, %al
    out %al, %dx
    call ata_wait_idle
    mov $ATA_DRIVE, %dx         /* master, LBA mode, LBA bits 24–27 = 0 */
    mov $0xE0, %al
    out %al, %dx
    call ata_wait_idle
    mov $ATA_COUNT, %dx
    mov $KERNEL_SECTORS, %al
    out %al, %dx
    mov $ATA_LBA0, %dx          /* LBA 1 */
    mov $1, %al
    out %al, %dx
    xor %al, %al
    mov $ATA_LBA1, %dx
    out %al, %dx
    mov $ATA_LBA2, %dx
    out %al, %dx
    mov $ATA_STATUS, %dx
    mov $CMD_READ_SECTORS, %al
    out %al, %dx

    mov $0x1000, %ax            /* ES:DI = 1000:0000 */
    mov %ax, %es
    xor %di, %di
    cld
    mov $KERNEL_SECTORS, %bx
next_sector:
    call ata_delay
    mov $ATA_STATUS, %dx
4:  in %dx, %al
    test $ST_BSY, %al
    jnz 4b
    test $ST_ERR, %al
    jnz disk_error
    test $ST_DRQ, %al
    jz 4b
    mov $ATA_DATA, %dx
    mov $256, %cx
    rep insw
    dec %bx
    jnz next_sector

    in $0x92, %al               /* fast A20 on (bit 1), never the reset bit */
    or $0x02, %al
    and $0xFE, %al
    out %al, $0x92

    xor %ax, %ax
    mov %ax, %es
    mov $msg_loaded, %si
    call puts

    cli
    lgdt gdt_descriptor
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmp $0x08, $protected_mode

disk_error:
    xor %ax, %ax
    mov %ax, %es
    mov $msg_error, %si
    call puts
    mov $1, %al                 /* isa-debug-exit: status 3 */
    out %al, $0xF4
    cli
2:  hlt
    jmp 2b

/* ata_wait_idle: waits until BSY is clear. */
ata_wait_idle:
    mov $ATA_STATUS, %dx
5:  in %dx, %al
    test $ST_BSY, %al
    jnz 5b
    ret

/* ata_delay: four alternate-status reads (400 ns) before the status is valid. */
ata_delay:
    mov $ATA_CONTROL, %dx
    in %dx, %al
    in %dx, %al
    in %dx, %al
    in %dx, %al
    ret

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

msg_banner:  .asciz "hvdbg mbr-ata: loading the kernel by ATA PIO\r\n"
msg_loaded:  .asciz "kernel loaded, A20 on, entering protected mode\r\n"
msg_error:   .asciz "ATA read failed\r\n"

    .org 510
    .byte 0x55, 0xAA
