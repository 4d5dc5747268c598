/* Example guest: greets on COM1, dumps the multiboot info, exercises 64-bit division,
   then halts with interrupts off (cli; hlt). Output is deterministic for a given loader. */
#include <stdint.h>
#include "exit.h"
#include "guest.h"
#include "multiboot.h"
#include "printf.h"
#include "serial.h"

static void print_memory_map(const struct multiboot_info *mbi)
{
    const struct multiboot_mmap_entry *e = (const void *)(uintptr_t)mbi->mmap_addr;
    uintptr_t end = mbi->mmap_addr + mbi->mmap_length;

    printf("memory map:\n");
    while ((uintptr_t)e < end) {
        printf("  base=0x%016llx length=0x%016llx type=%u\n",
               (unsigned long long)e->addr, (unsigned long long)e->len, e->type);
        e = multiboot_mmap_next(e);
    }
}

static void print_division(void)
{
    /* volatile so gcc cannot fold the divisions at compile time */
    volatile uint64_t n = 1234567890123ULL, d = 1000;
    volatile int64_t sn = -1234567890123LL, sd = 1000;

    printf("64-bit: %llu / %llu = %llu\n", n, d, n / d);
    printf("64-bit: %llu %% %llu = %llu\n", n, d, n % d);
    printf("64-bit signed: %lld / %lld = %lld\n", sn, sd, sn / sd);
    printf("64-bit signed: %lld %% %lld = %lld\n", sn, sd, sn % sd);
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    serial_init();
    printf("Hello from hvdbg guest!\n");

    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        printf("bad multiboot magic: 0x%08x\n", magic);
        guest_halt();
    }

    if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
        printf("cmdline: %s\n", (const char *)(uintptr_t)mbi->cmdline);
    else
        printf("cmdline: (none)\n");

    if (mbi->flags & MULTIBOOT_INFO_MEMORY)
        printf("memory: lower=%u KiB upper=%u KiB\n", mbi->mem_lower, mbi->mem_upper);

    if (mbi->flags & MULTIBOOT_INFO_MEM_MAP)
        print_memory_map(mbi);

    print_division();
    printf("Goodbye.\n");
    guest_halt();
}
