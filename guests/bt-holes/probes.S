/* run_probes(struct probe_results *r, const struct probe_selectors *s): executes each sensitive but
   unprivileged instruction once, in a fixed order, at the caller's ring, and stores what it saw.
   Written in assembly so that the order (and so the callout sequence under bt) is exact. */

#define R_FLAGS_PUSHED        0
#define R_FLAGS_POPF_IF       4
#define R_FLAGS_POPF_IOPL     8
#define R_GDTR_LIMIT         12
#define R_GDTR_BASE          16
#define R_IDTR_LIMIT         20
#define R_IDTR_BASE          24
#define R_LDTR               28
#define R_TR                 32
#define R_MSW                36
#define R_LAR_KCODE          40
#define R_LAR_KCODE_ZF       44
#define R_LAR_UCODE          48
#define R_LAR_UCODE_ZF       52
#define R_LSL_KDATA          56
#define R_LSL_KDATA_ZF       60
#define R_VERR_KCODE_ZF      64
#define R_VERW_KCODE_ZF      68
#define R_VERW_DATA_ZF       72
#define R_CS_PUSHED          76
#define R_CS_MOVED           80
#define R_SS_PUSHED          84
#define R_SS_MOVED           88
#define R_DS_POP             92
#define R_ES_POP             96
#define R_FS_POP            100
#define R_GS_POP            104
#define R_DS_MOV            108
#define R_SS_MOV            112
#define R_LDS               116
#define R_LES               120
#define R_LFS               124
#define R_LGS               128
#define R_LSS               132
#define R_ARPL              136
#define R_ARPL_ZF           140
#define R_FARCALL_CS        144
#define R_FARJMP            148
#define R_IRET_FLAGS        152
#define R_CPUID_EBX         156
#define R_CPUID_EDX         160
#define R_CPUID_ECX         164
#define R_TSC_DELTA         168

#define S_CODE 0
#define S_DATA 4

#define FLAG_IF   0x200
#define FLAG_IOPL 0x3000

    .text
    .global run_probes
    .type run_probes, @function
run_probes:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %ebx             /* r */
    movl 24(%esp), %esi             /* s */

    /* PUSHFD, then POPFD trying to set IF, then POPFD trying to set IOPL 3; restore after each. */
    pushfl
    popl R_FLAGS_PUSHED(%ebx)
    movl R_FLAGS_PUSHED(%ebx), %eax
    orl $FLAG_IF, %eax
    pushl %eax
    popfl
    pushfl
    popl R_FLAGS_POPF_IF(%ebx)
    pushl R_FLAGS_PUSHED(%ebx)
    popfl
    movl R_FLAGS_PUSHED(%ebx), %eax
    orl $FLAG_IOPL, %eax
    pushl %eax
    popfl
    pushfl
    popl R_FLAGS_POPF_IOPL(%ebx)
    pushl R_FLAGS_PUSHED(%ebx)
    popfl

    /* SGDT, SIDT, SLDT, STR, SMSW. */
    subl $8, %esp
    sgdt (%esp)
    movzwl (%esp), %eax
    movl %eax, R_GDTR_LIMIT(%ebx)
    movl 2(%esp), %eax
    movl %eax, R_GDTR_BASE(%ebx)
    sidt (%esp)
    movzwl (%esp), %eax
    movl %eax, R_IDTR_LIMIT(%ebx)
    movl 2(%esp), %eax
    movl %eax, R_IDTR_BASE(%ebx)
    addl $8, %esp
    xorl %eax, %eax
    sldt %eax
    movl %eax, R_LDTR(%ebx)
    xorl %eax, %eax
    str %eax
    movl %eax, R_TR(%ebx)
    xorl %eax, %eax
    smsw %eax
    movl %eax, R_MSW(%ebx)

    /* LAR, LSL, VERR, VERW. */
    movl $0x08, %ecx
    xorl %eax, %eax
    lar %cx, %eax
    setz %dl
    movl %eax, R_LAR_KCODE(%ebx)
    movzbl %dl, %edx
    movl %edx, R_LAR_KCODE_ZF(%ebx)
    movl $0x1B, %ecx
    xorl %eax, %eax
    lar %cx, %eax
    setz %dl
    movl %eax, R_LAR_UCODE(%ebx)
    movzbl %dl, %edx
    movl %edx, R_LAR_UCODE_ZF(%ebx)
    movl $0x10, %ecx
    xorl %eax, %eax
    lsl %cx, %eax
    setz %dl
    movl %eax, R_LSL_KDATA(%ebx)
    movzbl %dl, %edx
    movl %edx, R_LSL_KDATA_ZF(%ebx)
    movl $0x08, %ecx
    verr %cx
    setz %dl
    movzbl %dl, %edx
    movl %edx, R_VERR_KCODE_ZF(%ebx)
    verw %cx
    setz %dl
    movzbl %dl, %edx
    movl %edx, R_VERW_KCODE_ZF(%ebx)
    movl S_DATA(%esi), %ecx
    verw %cx
    setz %dl
    movzbl %dl, %edx
    movl %edx, R_VERW_DATA_ZF(%ebx)

    /* Reading CS and SS: PUSH and MOV. */
    pushl %cs
    popl %eax
    movzwl %ax, %eax
    movl %eax, R_CS_PUSHED(%ebx)
    movl %cs, %eax
    movl %eax, R_CS_MOVED(%ebx)
    pushl %ss
    popl %eax
    movzwl %ax, %eax
    movl %eax, R_SS_PUSHED(%ebx)
    movl %ss, %eax
    movl %eax, R_SS_MOVED(%ebx)

    /* PUSH/POP of DS, ES, FS, GS; MOV to DS and SS. */
    pushl %ds
    popl %ds
    movl %ds, %eax
    movl %eax, R_DS_POP(%ebx)
    pushl %es
    popl %es
    movl %es, %eax
    movl %eax, R_ES_POP(%ebx)
    pushl %fs
    popl %fs
    movl %fs, %eax
    movl %eax, R_FS_POP(%ebx)
    pushl %gs
    popl %gs
    movl %gs, %eax
    movl %eax, R_GS_POP(%ebx)
    movl S_DATA(%esi), %eax
    movl %eax, %ds
    movl %ds, %eax
    movl %eax, R_DS_MOV(%ebx)
    movl S_DATA(%esi), %eax
    movl %eax, %ss
    movl %ss, %eax
    movl %eax, R_SS_MOV(%ebx)

    /* LDS, LES, LFS, LGS with a far pointer {0x1234, own data}; LSS with {ESP, own data}. */
    pushl S_DATA(%esi)
    pushl $0x1234
    lds (%esp), %eax
    movl %ds, %eax
    movl %eax, R_LDS(%ebx)
    les (%esp), %eax
    movl %es, %eax
    movl %eax, R_LES(%ebx)
    lfs (%esp), %eax
    movl %fs, %eax
    movl %eax, R_LFS(%ebx)
    lgs (%esp), %eax
    movl %gs, %eax
    movl %eax, R_LGS(%ebx)
    addl $8, %esp
    movl %esp, %ecx
    pushl S_DATA(%esi)
    pushl %ecx
    lss (%esp), %esp
    movl %ss, %eax
    movl %eax, R_LSS(%ebx)

    /* ARPL: RPL 3 of DX raises RPL 0 of AX. */
    movl $0x10, %eax
    movl $0x13, %edx
    arpl %dx, %ax
    setz %dl
    movl %eax, R_ARPL(%ebx)
    movzbl %dl, %edx
    movl %edx, R_ARPL_ZF(%ebx)

    /* Far CALL and far JMP through memory pointers {target, own code}. */
    pushl S_CODE(%esi)
    pushl $far_call_target
    lcall *(%esp)
    movl %eax, R_FARCALL_CS(%ebx)
    movl $far_jmp_target, (%esp)
    ljmp *(%esp)
far_jmp_back:
    addl $8, %esp

    /* IRETD to the next instruction with IF set in the frame; then restore EFLAGS. */
    movl R_FLAGS_PUSHED(%ebx), %eax
    orl $FLAG_IF, %eax
    pushl %eax
    pushl S_CODE(%esi)
    pushl $after_iret
    iret
after_iret:
    pushfl
    popl R_IRET_FLAGS(%ebx)
    pushl R_FLAGS_PUSHED(%ebx)
    popfl

    /* CPUID leaf 0 (vendor) and two RDTSCs. */
    movl %ebx, %edi
    xorl %eax, %eax
    xorl %ecx, %ecx
    cpuid
    movl %ebx, R_CPUID_EBX(%edi)
    movl %edx, R_CPUID_EDX(%edi)
    movl %ecx, R_CPUID_ECX(%edi)
    movl %edi, %ebx
    rdtsc
    movl %eax, %ecx
    rdtsc
    subl %ecx, %eax
    movl %eax, R_TSC_DELTA(%ebx)

    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
    .size run_probes, . - run_probes

/* Far-call target: returns the CS selector the far CALL pushed, in EAX. */
    .type far_call_target, @function
far_call_target:
    movzwl 4(%esp), %eax
    lret
    .size far_call_target, . - far_call_target

/* Far-jump target: notes the arrival and jumps back (near) into run_probes. */
    .type far_jmp_target, @function
far_jmp_target:
    movl $1, R_FARJMP(%ebx)
    jmp far_jmp_back
    .size far_jmp_target, . - far_jmp_target

    .global probes_end              /* end of the probe code (tests take callouts in [run_probes, probes_end)) */
probes_end:

    .section .note.GNU-stack, "", @progbits
