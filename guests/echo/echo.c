/* echo: reads one line from COM1 (polled) and prints it back, then ends with isa-debug-exit status
 * 33 — the check for `hvdbg run --serial-in`, which feeds the host's stdin to COM1. */
#include <stdint.h>
#include "guest.h"
#include "io.h"
#include "serial.h"
#include "printf.h"
#include "exit.h"

#define UART_LSR (SERIAL_COM1 + 5)
#define LSR_DATA_READY 0x01

static char read_byte(void)
{
    while ((inb(UART_LSR) & LSR_DATA_READY) == 0)
        ;
    return (char)inb(SERIAL_COM1);
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic; (void)mbi;
    char line[80];
    size_t n = 0;
    serial_init();
    printf("echo: waiting for a line on COM1\n");
    for (;;) {
        char c = read_byte();
        if (c == '\n' || c == '\r' || n == sizeof line - 1)
            break;
        line[n++] = c;
    }
    line[n] = '\0';
    printf("echo: got \"%s\" (%u bytes)\n", line, (unsigned)n);
    qemu_exit(0x10);
}
