/* Interrupt entry stubs for vectors 0..STUB_COUNT-1 (define STUB_COUNT before including this file):
   each pushes its vector number and joins a common path that saves the general registers and calls
   interrupt_dispatch(struct frame *); the guest's IDT points at vector_stubs + vector * STUB_SIZE. */

#ifndef STUB_COUNT
#error "define STUB_COUNT (the number of vectors) before including interrupt-stubs.S"
#endif
#define STUB_SIZE 16

    .section .text
    .global vector_stubs
    .balign STUB_SIZE
vector_stubs:
    .set vector, 0
    .rept STUB_COUNT
    .balign STUB_SIZE
    pushl $vector
    jmp common_entry
    .set vector, vector + 1
    .endr

common_entry:
    pushal                  /* edi esi ebp esp ebx edx ecx eax: the frame's first eight words */
    cld
    pushl %esp              /* struct frame * */
    call interrupt_dispatch
    addl $4, %esp
    popal
    addl $4, %esp           /* drop the vector number */
    iret

    .global vector_stub_size
    .section .rodata
vector_stub_size:
    .long STUB_SIZE

    .section .note.GNU-stack, "", @progbits
