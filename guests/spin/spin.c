/* Example guest: prints one line, then counts forever with interrupts off; a target
   for pause, inspect-memory (spin_counter) and timeout tests. */
#include <stdint.h>
#include "io.h"
#include "guest.h"
#include "printf.h"
#include "serial.h"

volatile uint32_t spin_counter;

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    serial_init();
    printf("spinning\n");
    cli();
    for (;;)
        spin_counter++;
}
