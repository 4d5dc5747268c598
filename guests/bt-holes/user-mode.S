/* Ring 3 for bt-holes: enter_user(fn, stack_top) IRETs to fn at CPL 3 (code 0x1B, data and stack 0x23,
   EFLAGS as the caller had them); fn comes back with INT 0x80, whose gate lands in user_return at
   CPL 0 and returns from enter_user. Also the stubs of the unexpected-exception gates. */

#define KERNEL_DS 0x10
#define USER_CS   0x1B
#define USER_DS   0x23

    .bss
    .balign 4
kernel_saved_esp:
    .skip 4

    .text
    .global enter_user
    .type enter_user, @function
enter_user:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, kernel_saved_esp
    movl 20(%esp), %ecx             /* fn */
    movl 24(%esp), %edx             /* user stack top */
    movw $USER_DS, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    pushl $USER_DS                  /* SS */
    pushl %edx                      /* ESP */
    pushfl                          /* EFLAGS */
    pushl $USER_CS                  /* CS */
    pushl %ecx                      /* EIP */
    iret
    .size enter_user, . - enter_user

    .global user_return
    .type user_return, @function
user_return:                        /* INT 0x80 gate (DPL 3): back at CPL 0 on the TSS's ESP0 */
    movw $KERNEL_DS, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movl kernel_saved_esp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
    .size user_return, . - user_return

/* Unexpected exceptions: unexpected_exception(vector, error code or 0, faulting EIP) never returns. */
#define FAULT_STUB(name, vector, has_error) \
    .global name; \
    .type name, @function; \
name: \
    .if has_error; popl %ecx; .else; xorl %ecx, %ecx; .endif; \
    movw $KERNEL_DS, %ax; movw %ax, %ds; movw %ax, %es; \
    pushl (%esp); pushl %ecx; pushl $vector; \
    call unexpected_exception; \
    .size name, . - name

FAULT_STUB(ud_stub, 6, 0)
FAULT_STUB(ts_stub, 10, 1)
FAULT_STUB(np_stub, 11, 1)
FAULT_STUB(ss_stub, 12, 1)
FAULT_STUB(gp_stub, 13, 1)

    .section .note.GNU-stack, "", @progbits
