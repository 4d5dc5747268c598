/* Example guest: prints one line, then writes 0x21 to isa-debug-exit (port 0xF4),
   so QEMU exits with status (0x21 << 1) | 1 = 67. */
#include <stdint.h>
#include "exit.h"
#include "guest.h"
#include "printf.h"
#include "serial.h"

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    serial_init();
    printf("exit-code guest\n");
    qemu_exit(0x21);
}
