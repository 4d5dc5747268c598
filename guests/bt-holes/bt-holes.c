/* bt-holes: runs each sensitive-but-unprivileged instruction (probes.S) at ring 0 and at ring 3 and
   checks that it sees what bare hardware gives; prints one PASS/FAIL line per check on COM1. */
#include "guest.h"
#include "io.h"
#include "printf.h"
#include "serial.h"
#include "string.h"
#include "probes.h"

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_CS   0x1B
#define USER_DS   0x23
#define TSS_SEL   0x28
#define LDT_SEL   0x30
#define FLAG_IF   0x200u
#define FLAG_IOPL 0x3000u

void enter_user(void (*fn)(void), uint32_t stack_top);   /* user-mode.S */
void user_return(void);
void ud_stub(void), ts_stub(void), np_stub(void), ss_stub(void), gp_stub(void);

static uint64_t gdt[7] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint8_t kernel_trap_stack[4096] __attribute__((aligned(16)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
static struct probe_results ring0, ring3;
static const struct probe_selectors kernel_selectors = { KERNEL_CS, KERNEL_DS };
static const struct probe_selectors user_selectors = { USER_CS, USER_DS };
static int passed, failed;

struct pseudo_descriptor { uint16_t limit; uint32_t base; } __attribute__((packed));

static uint64_t segment_descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) | ((uint64_t)access << 40)
         | ((uint64_t)((limit >> 16) & 0xF) << 48) | ((uint64_t)(flags & 0xF) << 52) | ((uint64_t)(base >> 24) << 56);
}

static uint64_t interrupt_gate(void (*handler)(void), uint8_t dpl)
{
    uint32_t offset = (uint32_t)handler;
    uint32_t low = (offset & 0xFFFF) | ((uint32_t)KERNEL_CS << 16);
    uint32_t high = (offset & 0xFFFF0000u) | ((uint32_t)(0x8E | (dpl << 5)) << 8);
    return (uint64_t)low | ((uint64_t)high << 32);
}

/* GDT (kernel and user code/data with the accessed bit preset, a TSS, an LDT), IDT, TR and LDTR. */
static void install_tables(void)
{
    gdt[1] = segment_descriptor(0, 0xFFFFF, 0x9B, 0xC);
    gdt[2] = segment_descriptor(0, 0xFFFFF, 0x93, 0xC);
    gdt[3] = segment_descriptor(0, 0xFFFFF, 0xFB, 0xC);
    gdt[4] = segment_descriptor(0, 0xFFFFF, 0xF3, 0xC);
    gdt[5] = segment_descriptor((uint32_t)tss, sizeof tss - 1, 0x89, 0);
    gdt[6] = segment_descriptor((uint32_t)ldt, sizeof ldt - 1, 0x82, 0);
    ldt[1] = segment_descriptor(0, 0xFFFFF, 0x93, 0xC);
    tss[1] = (uint32_t)(kernel_trap_stack + sizeof kernel_trap_stack);   /* ESP0 */
    tss[2] = KERNEL_DS;                                                 /* SS0 */
    tss[25] = (uint32_t)sizeof tss << 16;                               /* no I/O bitmap */
    idt[6] = interrupt_gate(ud_stub, 0);
    idt[10] = interrupt_gate(ts_stub, 0);
    idt[11] = interrupt_gate(np_stub, 0);
    idt[12] = interrupt_gate(ss_stub, 0);
    idt[13] = interrupt_gate(gp_stub, 0);
    idt[0x80] = interrupt_gate(user_return, 3);
    struct pseudo_descriptor gdtr = { sizeof gdt - 1, (uint32_t)gdt }, idtr = { sizeof idt - 1, (uint32_t)idt };
    __asm__ volatile("lgdt %0\n\tljmp $0x08, $1f\n1:\n\t"
                     "movw $0x10, %%ax\n\tmovw %%ax, %%ds\n\tmovw %%ax, %%es\n\tmovw %%ax, %%fs\n\t"
                     "movw %%ax, %%gs\n\tmovw %%ax, %%ss" : : "m"(gdtr) : "eax", "memory");
    __asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
    __asm__ volatile("ltr %w0" : : "r"(TSS_SEL));
    __asm__ volatile("lldt %w0" : : "r"(LDT_SEL));
}

void unexpected_exception(uint32_t vector, uint32_t error_code, uint32_t eip)
{
    printf("FAIL unexpected exception %u (error code 0x%x) at eip 0x%x\n", vector, error_code, eip);
    printf("bt-holes: %d passed, %d failed\n", passed, failed + 1);
    for (;;) __asm__ volatile("cli; hlt");
}

static void check(const char *ring, const char *what, uint32_t got, uint32_t expected)
{
    if (got == expected) { passed++; printf("PASS %s %s = 0x%x\n", ring, what, got); }
    else { failed++; printf("FAIL %s %s = 0x%x, bare hardware gives 0x%x\n", ring, what, got, expected); }
}

static uint32_t vendor_word(const char *four) { uint32_t w; memcpy(&w, four, 4); return w; }

/* What bare hardware gives at cpl (0 or 3), given the tables install_tables loaded and CR0. */
static void check_ring(const char *ring, int cpl, const struct probe_results *r, uint32_t cr0)
{
    const struct probe_selectors *s = cpl == 0 ? &kernel_selectors : &user_selectors;
    check(ring, "pushfd IF|IOPL", r->flags_pushed & (FLAG_IF | FLAG_IOPL), 0);
    check(ring, "popfd sets IF", r->flags_popf_if & FLAG_IF, cpl == 0 ? FLAG_IF : 0);
    check(ring, "popfd sets IOPL", r->flags_popf_iopl & FLAG_IOPL, cpl == 0 ? FLAG_IOPL : 0);
    check(ring, "sgdt limit", r->gdtr_limit, sizeof gdt - 1);
    check(ring, "sgdt base", r->gdtr_base, (uint32_t)gdt);
    check(ring, "sidt limit", r->idtr_limit, sizeof idt - 1);
    check(ring, "sidt base", r->idtr_base, (uint32_t)idt);
    check(ring, "sldt", r->ldtr, LDT_SEL);
    check(ring, "str", r->tr, TSS_SEL);
    check(ring, "smsw", r->msw & 0xFFFF, cr0 & 0xFFFF);
    check(ring, "lar 0x08 ZF", r->lar_kernel_code_zf, cpl == 0);
    if (cpl == 0) check(ring, "lar 0x08", r->lar_kernel_code, 0x00C09B00);
    check(ring, "lar 0x1b ZF", r->lar_user_code_zf, 1);
    check(ring, "lar 0x1b", r->lar_user_code, 0x00C0FB00);
    check(ring, "lsl 0x10 ZF", r->lsl_kernel_data_zf, cpl == 0);
    if (cpl == 0) check(ring, "lsl 0x10", r->lsl_kernel_data, 0xFFFFFFFF);
    check(ring, "verr 0x08 ZF", r->verr_kernel_code_zf, cpl == 0);
    check(ring, "verw 0x08 ZF", r->verw_kernel_code_zf, 0);
    check(ring, "verw own data ZF", r->verw_own_data_zf, 1);
    check(ring, "push cs", r->cs_pushed, s->code);
    check(ring, "mov from cs", r->cs_moved, s->code);
    check(ring, "push ss", r->ss_pushed, s->data);
    check(ring, "mov from ss", r->ss_moved, s->data);
    check(ring, "pop ds", r->ds_after_pop, s->data);
    check(ring, "pop es", r->es_after_pop, s->data);
    check(ring, "pop fs", r->fs_after_pop, s->data);
    check(ring, "pop gs", r->gs_after_pop, s->data);
    check(ring, "mov to ds", r->ds_after_mov, s->data);
    check(ring, "mov to ss", r->ss_after_mov, s->data);
    check(ring, "lds", r->lds_ds, s->data);
    check(ring, "les", r->les_es, s->data);
    check(ring, "lfs", r->lfs_fs, s->data);
    check(ring, "lgs", r->lgs_gs, s->data);
    check(ring, "lss", r->lss_ss, s->data);
    check(ring, "arpl", r->arpl_result & 0xFFFF, 0x13);
    check(ring, "arpl ZF", r->arpl_zf, 1);
    check(ring, "call far pushes cs", r->farcall_cs_pushed, s->code);
    check(ring, "jmp far arrives", r->farjmp_arrived, 1);
    check(ring, "iretd sets IF", r->flags_after_iret & FLAG_IF, cpl == 0 ? FLAG_IF : 0);
    check(ring, "cpuid vendor ebx", r->cpuid_ebx, vendor_word("Genu"));
    check(ring, "cpuid vendor edx", r->cpuid_edx, vendor_word("ineI"));
    check(ring, "cpuid vendor ecx", r->cpuid_ecx, vendor_word("ntel"));
    check(ring, "rdtsc advances", r->tsc_delta > 0 && r->tsc_delta < 1000, 1);
}

static void user_main(void)
{
    run_probes(&ring3, &user_selectors);
    __asm__ volatile("int $0x80");
    for (;;) { }
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    outb(0x21, 0xFF);   /* mask both PICs: the probes set IF for a moment */
    outb(0xA1, 0xFF);
    printf("bt-holes: sensitive unprivileged instructions at ring 0 and ring 3\n");
    install_tables();
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    run_probes(&ring0, &kernel_selectors);
    enter_user(user_main, (uint32_t)(user_stack + sizeof user_stack));
    check_ring("ring0", 0, &ring0, cr0);
    check_ring("ring3", 3, &ring3, cr0);
    printf("bt-holes: %d passed, %d failed\n", passed, failed);
}
