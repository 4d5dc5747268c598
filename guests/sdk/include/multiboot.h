/* Multiboot v1 boot information handed to kmain in EBX (magic 0x2BADB002 in EAX). */
#ifndef HVDBG_MULTIBOOT_H
#define HVDBG_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

/* Bits of multiboot_info.flags saying which fields are valid. */
#define MULTIBOOT_INFO_MEMORY      (1u << 0)   /* mem_lower, mem_upper */
#define MULTIBOOT_INFO_BOOTDEV     (1u << 1)   /* boot_device */
#define MULTIBOOT_INFO_CMDLINE     (1u << 2)   /* cmdline */
#define MULTIBOOT_INFO_MODS        (1u << 3)   /* mods_count, mods_addr */
#define MULTIBOOT_INFO_AOUT_SYMS   (1u << 4)
#define MULTIBOOT_INFO_ELF_SHDR    (1u << 5)   /* syms as ELF section headers */
#define MULTIBOOT_INFO_MEM_MAP     (1u << 6)   /* mmap_length, mmap_addr */
#define MULTIBOOT_INFO_DRIVES      (1u << 7)
#define MULTIBOOT_INFO_CONFIG      (1u << 8)
#define MULTIBOOT_INFO_LOADER_NAME (1u << 9)   /* boot_loader_name */
#define MULTIBOOT_INFO_APM         (1u << 10)
#define MULTIBOOT_INFO_VBE         (1u << 11)

/* multiboot_mmap_entry.type values. */
#define MULTIBOOT_MEMORY_AVAILABLE        1
#define MULTIBOOT_MEMORY_RESERVED         2
#define MULTIBOOT_MEMORY_ACPI_RECLAIMABLE 3
#define MULTIBOOT_MEMORY_NVS              4
#define MULTIBOOT_MEMORY_BADRAM           5

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower;         /* KiB below 1 MiB */
    uint32_t mem_upper;         /* KiB above 1 MiB, up to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;           /* physical address of a NUL-terminated string */
    uint32_t mods_count;
    uint32_t mods_addr;         /* physical address of struct multiboot_module[] */
    uint32_t syms[4];
    uint32_t mmap_length;       /* bytes of memory-map entries */
    uint32_t mmap_addr;         /* physical address of the first entry */
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;  /* physical address of a NUL-terminated string */
    uint32_t apm_table;
    uint32_t vbe_control_info;
    uint32_t vbe_mode_info;
    uint16_t vbe_mode;
    uint16_t vbe_interface_seg;
    uint16_t vbe_interface_off;
    uint16_t vbe_interface_len;
} __attribute__((packed));

/* One memory-map entry; size counts the bytes after the size field itself. */
struct multiboot_mmap_entry {
    uint32_t size;
    uint64_t addr;
    uint64_t len;
    uint32_t type;
} __attribute__((packed));

struct multiboot_module {
    uint32_t mod_start;
    uint32_t mod_end;
    uint32_t string;
    uint32_t reserved;
} __attribute__((packed));

/* Next entry of the memory map: entries are size + 4 bytes apart. */
static inline struct multiboot_mmap_entry *
multiboot_mmap_next(const struct multiboot_mmap_entry *e)
{
    return (struct multiboot_mmap_entry *)((uintptr_t)e + e->size + sizeof(e->size));
}

#endif
