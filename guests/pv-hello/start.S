/* pv-hello entry, ELF notes and trap/event entry points. The hypervisor starts us at ring 1 with
   paging on, ESP = its boot stack, ESI = start_info; handlers return through the iret hypercall. */

#include "hvpv.h"

#define ELFNOTE(type, directive, value)                   \
    .pushsection .note.Xen, "a", @note;                   \
    .p2align 2;                                           \
    .long 2f - 1f;                                        \
    .long 4f - 3f;                                        \
    .long type;                                           \
1:  .asciz "Xen";                                         \
2:  .p2align 2;                                           \
3:  directive value;                                      \
4:  .p2align 2;                                           \
    .popsection

ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "hvdbg-pv-hello")
ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .long, 0xc0000000)
ELFNOTE(XEN_ELFNOTE_ENTRY, .long, _start)
ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .long, hypercall_page)

    .text
    .globl _start
_start:
    mov $kernel_stack_top, %esp
    push %esi                       /* struct start_info * */
    call start_kernel
1:  jmp 1b                          /* start_kernel shuts the domain down */

/* Event upcall: CPU pushed EFLAGS, CS, EIP on our ring-1 stack; events are masked. */
    .globl hypervisor_callback
hypervisor_callback:
    pusha
    call evtchn_do_upcall
    popa
    jmp hypercall_page + __HYPERVISOR_iret * 32   /* pushes EAX, iret hypercall: unmasks from EFLAGS.IF */

    .globl failsafe_callback
failsafe_callback:
    jmp hypervisor_callback

/* #GP: error code, EIP, CS, EFLAGS on the stack. */
    .globl gp_entry
gp_entry:
    pusha
    lea 32(%esp), %eax              /* -> error code, then the iret frame */
    push %eax
    call gp_handler
    add $4, %esp
    popa
    add $4, %esp                    /* drop the error code */
    jmp hypercall_page + __HYPERVISOR_iret * 32

    .section .hypercall, "ax"
    .p2align 12
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xcc             /* filled by the hypervisor at load */

    .bss
    .p2align 12
kernel_stack:
    .fill 8192, 1, 0
    .globl kernel_stack_top
kernel_stack_top:
    .section .note.GNU-stack, "", @progbits
