/* two-images guest, first image: a multiboot kernel that copies the module image (module.bin, the
   raw bytes of module.elf, included by module-blob.S) to its load address and calls its entry. */
#include <stdint.h>
#include "exit.h"
#include "guest.h"
#include "printf.h"
#include "serial.h"
#include "string.h"

#define MODULE_LOAD_ADDRESS 0x00600000u /* module.elf is linked at 0x00200000: a bias of 0x400000 */

extern const uint8_t module_blob_start[], module_blob_end[];

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    serial_init();
    memcpy((void *)(uintptr_t)MODULE_LOAD_ADDRESS, module_blob_start, (size_t)(module_blob_end - module_blob_start));
    int (*module_entry)(int) = (int (*)(int))(uintptr_t)MODULE_LOAD_ADDRESS;
    int sum = module_entry(4);
    printf("module returned %d\n", sum);
    guest_halt();
}
