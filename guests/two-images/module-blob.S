/* The module's raw image (built by build.sh from module.elf), as data of the kernel. */
    .section .rodata
    .balign 16
    .globl module_blob_start, module_blob_end
module_blob_start:
    .incbin "guests/two-images/obj/module.bin"
module_blob_end:
    .section .note.GNU-stack,"",@progbits
