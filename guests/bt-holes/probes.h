/* The bt-holes probe: what each sensitive-but-unprivileged instruction returned when run_probes
   (probes.S) executed them at the caller's ring. Offsets are shared with probes.S. */
#ifndef BT_HOLES_PROBES_H
#define BT_HOLES_PROBES_H

#include <stdint.h>

struct probe_selectors {
    uint32_t code;      /* the ring's own code selector (0x08 or 0x1B) */
    uint32_t data;      /* the ring's own data and stack selector (0x10 or 0x23) */
};

struct probe_results {
    uint32_t flags_pushed;        /*   0 PUSHFD                                  */
    uint32_t flags_popf_if;       /*   4 EFLAGS after POPFD with IF set          */
    uint32_t flags_popf_iopl;     /*   8 EFLAGS after POPFD with IOPL 3          */
    uint32_t gdtr_limit;          /*  12 SGDT                                    */
    uint32_t gdtr_base;           /*  16                                         */
    uint32_t idtr_limit;          /*  20 SIDT                                    */
    uint32_t idtr_base;           /*  24                                         */
    uint32_t ldtr;                /*  28 SLDT                                    */
    uint32_t tr;                  /*  32 STR                                     */
    uint32_t msw;                 /*  36 SMSW                                    */
    uint32_t lar_kernel_code;     /*  40 LAR 0x08                                */
    uint32_t lar_kernel_code_zf;  /*  44                                         */
    uint32_t lar_user_code;       /*  48 LAR 0x1B                                */
    uint32_t lar_user_code_zf;    /*  52                                         */
    uint32_t lsl_kernel_data;     /*  56 LSL 0x10                                */
    uint32_t lsl_kernel_data_zf;  /*  60                                         */
    uint32_t verr_kernel_code_zf; /*  64 VERR 0x08                               */
    uint32_t verw_kernel_code_zf; /*  68 VERW 0x08                               */
    uint32_t verw_own_data_zf;    /*  72 VERW own data selector                  */
    uint32_t cs_pushed;           /*  76 PUSH CS                                 */
    uint32_t cs_moved;            /*  80 MOV r32, CS                             */
    uint32_t ss_pushed;           /*  84 PUSH SS                                 */
    uint32_t ss_moved;            /*  88 MOV r32, SS                             */
    uint32_t ds_after_pop;        /*  92 PUSH DS; POP DS                         */
    uint32_t es_after_pop;        /*  96 PUSH ES; POP ES                         */
    uint32_t fs_after_pop;        /* 100 PUSH FS; POP FS                         */
    uint32_t gs_after_pop;        /* 104 PUSH GS; POP GS                         */
    uint32_t ds_after_mov;        /* 108 MOV DS, r32                             */
    uint32_t ss_after_mov;        /* 112 MOV SS, r32                             */
    uint32_t lds_ds;              /* 116 LDS                                     */
    uint32_t les_es;              /* 120 LES                                     */
    uint32_t lfs_fs;              /* 124 LFS                                     */
    uint32_t lgs_gs;              /* 128 LGS                                     */
    uint32_t lss_ss;              /* 132 LSS                                     */
    uint32_t arpl_result;         /* 136 ARPL 0x13 into 0x10                     */
    uint32_t arpl_zf;             /* 140                                         */
    uint32_t farcall_cs_pushed;   /* 144 CALL FAR (indirect): CS on the stack    */
    uint32_t farjmp_arrived;      /* 148 JMP FAR (indirect) reached its target   */
    uint32_t flags_after_iret;    /* 152 EFLAGS after IRETD to a frame with IF   */
    uint32_t cpuid_ebx;           /* 156 CPUID leaf 0                            */
    uint32_t cpuid_edx;           /* 160                                         */
    uint32_t cpuid_ecx;           /* 164                                         */
    uint32_t tsc_delta;           /* 168 RDTSC twice: the difference             */
};

/* Runs every probe at the current ring and fills r (probes.S). */
void run_probes(struct probe_results *r, const struct probe_selectors *s);

#endif
