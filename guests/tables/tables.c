/* Firmware-tables guest: finds the MP floating pointer ("_MP_") and the ACPI RSDP ("RSD PTR ") where
   a BIOS leaves them, checks every checksum, walks the MP configuration table and the MADT, and
   prints the CPU and IO-APIC counts, the multiboot memory map and the boot modules (each module's
   string, size and first bytes). Only generic checks are made, so it passes under QEMU (SeaBIOS
   builds different tables) as well as hvdbg. With "cpus=N" on the command line it also checks that
   the MP table and the MADT both list N enabled CPUs. Prints "TABLES OK" and qemu_exit(0x10) (status 33), or
   "TABLES FAILED: ..." and qemu_exit(0x11). */
#include <stdint.h>
#include "exit.h"
#include "guest.h"
#include "printf.h"
#include "serial.h"
#include "string.h"

static void __attribute__((noreturn)) fail(const char *what)
{
    printf("TABLES FAILED: %s\n", what);
    qemu_exit(0x11);
}

static uint8_t sum8(const void *p, uint32_t n)
{
    const uint8_t *b = p;
    uint8_t s = 0;
    while (n--) s += *b++;
    return s;
}

/* First 16-byte-aligned occurrence of sig (len bytes) in [from, from + size), or 0. */
static uint32_t scan(uint32_t from, uint32_t size, const char *sig, uint32_t len)
{
    for (uint32_t a = from; a + len <= from + size; a += 16)
        if (memcmp((const void *)a, sig, len) == 0) return a;
    return 0;
}

/* Physical-address reads; the empty asm hides the address from gcc, which otherwise warns about
   dereferencing small constants such as 0x40E. */
static uint32_t opaque(uint32_t a) { __asm__("" : "+r"(a)); return a; }
static uint16_t rd16(uint32_t a) { return *(volatile uint16_t *)opaque(a); }
static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)opaque(a); }
static uint8_t rd8(uint32_t a) { return *(volatile uint8_t *)opaque(a); }

/* Where a BIOS may put the tables: the EBDA's first KiB, the last KiB of base memory, the BIOS area. */
static uint32_t find(const char *sig, uint32_t len, uint32_t bios_from)
{
    uint32_t ebda = (uint32_t)rd16(0x40E) << 4, base_kib = rd16(0x413), a;
    if (ebda >= 0x80000 && ebda < 0xA0000 && (a = scan(ebda, 1024, sig, len))) return a;
    if (base_kib >= 512 && base_kib <= 640 && (a = scan(base_kib * 1024 - 1024, 1024, sig, len))) return a;
    return scan(bios_from, 0x100000 - bios_from, sig, len);
}

static unsigned mp_cpus, mp_ioapics, acpi_cpus, acpi_ioapics, acpi_overrides;

static void check_mp(void)
{
    uint32_t fp = find("_MP_", 4, 0xF0000);
    if (!fp) fail("no _MP_ floating pointer");
    if (sum8((const void *)fp, rd8(fp + 8) * 16u)) fail("_MP_ checksum");
    uint32_t cfg = rd32(fp + 4);
    printf("MP floating pointer at 0x%x, spec 1.%u, config table at 0x%x\n", fp, rd8(fp + 9), cfg);
    if (rd8(fp + 11) != 0) { printf("MP default configuration %u\n", rd8(fp + 11)); fail("MP default configurations are not checked"); }
    if (memcmp((const void *)cfg, "PCMP", 4) != 0) fail("no PCMP signature");
    uint16_t len = rd16(cfg + 4), count = rd16(cfg + 34);
    if (sum8((const void *)cfg, len)) fail("PCMP checksum");
    uint32_t e = cfg + 44;
    for (unsigned k = 0; k < count; k++) {
        uint8_t type = rd8(e);
        if (type == 0) { if (rd8(e + 3) & 1) mp_cpus++; e += 20; continue; }
        if (type > 4) fail("unknown MP entry type");
        if (type == 2 && (rd8(e + 3) & 1)) { mp_ioapics++; printf("MP IO-APIC id %u at 0x%x\n", rd8(e + 1), rd32(e + 4)); }
        e += 8;
    }
    if (e > cfg + len) fail("MP entries overrun the table");
    printf("MP: %u CPUs, %u IO-APICs, %u entries\n", mp_cpus, mp_ioapics, count);
}

static void check_sdt(uint32_t t, const char *what)
{
    uint32_t len = rd32(t + 4);
    if (len < 36 || sum8((const void *)t, len)) { printf("bad table %s at 0x%x\n", what, t); fail("ACPI table checksum"); }
}

static void walk_madt(uint32_t madt)
{
    uint32_t end = madt + rd32(madt + 4);
    printf("MADT at 0x%x: local APIC address 0x%x, flags 0x%x\n", madt, rd32(madt + 36), rd32(madt + 40));
    for (uint32_t e = madt + 44; e < end; e += rd8(e + 1)) {
        if (rd8(e + 1) < 2) fail("MADT entry length");
        switch (rd8(e)) {
        case 0: if (rd32(e + 4) & 1) acpi_cpus++; break;
        case 1: acpi_ioapics++; printf("MADT IO-APIC id %u at 0x%x, GSI base %u\n", rd8(e + 2), rd32(e + 4), rd32(e + 8)); break;
        case 2: acpi_overrides++; printf("MADT override: IRQ %u -> GSI %u, flags 0x%x\n", rd8(e + 3), rd32(e + 4), rd16(e + 8)); break;
        }
    }
    printf("ACPI: %u CPUs, %u IO-APICs, %u overrides\n", acpi_cpus, acpi_ioapics, acpi_overrides);
}

static void check_acpi(void)
{
    uint32_t rsdp = find("RSD PTR ", 8, 0xE0000);
    if (!rsdp) fail("no RSDP");
    if (sum8((const void *)rsdp, 20)) fail("RSDP checksum");
    uint8_t rev = rd8(rsdp + 15);
    if (rev >= 2 && sum8((const void *)rsdp, rd32(rsdp + 20))) fail("RSDP extended checksum");
    uint32_t rsdt = rd32(rsdp + 16);
    printf("RSDP at 0x%x, revision %u, RSDT at 0x%x\n", rsdp, rev, rsdt);
    if (memcmp((const void *)rsdt, "RSDT", 4) != 0) fail("no RSDT signature");
    check_sdt(rsdt, "RSDT");
    uint32_t n = (rd32(rsdt + 4) - 36) / 4, madt = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t t = rd32(rsdt + 36 + 4 * k);
        char sig[5] = { (char)rd8(t), (char)rd8(t + 1), (char)rd8(t + 2), (char)rd8(t + 3), 0 };
        check_sdt(t, sig);
        printf("ACPI %s at 0x%x, %u bytes\n", sig, t, rd32(t + 4));
        if (memcmp(sig, "APIC", 4) == 0) madt = t;
        if (memcmp(sig, "FACP", 4) == 0) {
            uint32_t dsdt = rd32(t + 40);
            if (memcmp((const void *)dsdt, "DSDT", 4) != 0) fail("FADT's DSDT has no signature");
            check_sdt(dsdt, "DSDT");
        }
    }
    if (!madt) fail("no MADT");
    walk_madt(madt);
}

static void print_map(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_MEM_MAP)) fail("no multiboot memory map");
    const struct multiboot_mmap_entry *e = (const void *)mbi->mmap_addr;
    uint32_t end = mbi->mmap_addr + mbi->mmap_length;
    uint64_t last_end = 0;
    printf("memory map:\n");
    for (; (uint32_t)e < end; e = multiboot_mmap_next(e)) {
        printf("  0x%08x%08x-0x%08x%08x type %u\n", (uint32_t)(e->addr >> 32), (uint32_t)e->addr,
               (uint32_t)((e->addr + e->len - 1) >> 32), (uint32_t)(e->addr + e->len - 1), e->type);
        if (e->addr < last_end) fail("memory map entries overlap or are out of order");
        last_end = e->addr + e->len;
    }
}

static void print_modules(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_MODS) || mbi->mods_count == 0) { printf("modules: none\n"); return; }
    const struct multiboot_module *m = (const void *)mbi->mods_addr;
    printf("modules: %u\n", mbi->mods_count);
    for (uint32_t k = 0; k < mbi->mods_count; k++) {
        uint32_t size = m[k].mod_end - m[k].mod_start;
        printf("  module %u at 0x%x, %u bytes, '%s':", k, m[k].mod_start, size, (const char *)m[k].string);
        for (uint32_t b = 0; b < size && b < 8; b++) printf(" %02x", rd8(m[k].mod_start + b));
        printf("\n");
    }
}

static int expected_cpus(const char *cmdline)
{
    for (const char *p = cmdline; p && *p; p++) {
        if (strncmp(p, "cpus=", 5) == 0) {
            int n = 0;
            for (p += 5; *p >= '0' && *p <= '9'; p++) n = n * 10 + (*p - '0');
            return n;
        }
    }
    return 0;
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    serial_init();
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) fail("not booted by a multiboot loader");
    const char *cmdline = (mbi->flags & MULTIBOOT_INFO_CMDLINE) ? (const char *)mbi->cmdline : "";
    printf("tables: command line '%s'\n", cmdline);
    check_mp();
    check_acpi();
    if (mp_cpus < 1 || acpi_cpus < 1) fail("no CPUs listed");
    if (mp_ioapics < 1 || acpi_ioapics < 1) fail("no IO-APIC listed");
    /* SeaBIOS's MP table may list fewer enabled CPUs than its MADT, so they are compared only with cpus=N. */
    int want = expected_cpus(cmdline);
    if (want && ((unsigned)want != mp_cpus || (unsigned)want != acpi_cpus)) fail("CPU count differs from cpus= on the command line");
    printf("CPUs: %u, IO-APICs: %u\n", mp_cpus, mp_ioapics);
    print_map(mbi);
    print_modules(mbi);
    printf("TABLES OK\n");
    qemu_exit(0x10);
}
