/* debug-demo's real-mode stage (built with -m16, runs at 0x7C00 with CS = DS = SS = 0): greets on
   COM1 by port I/O and returns a checksum of its message, which kmain prints. */
#include <stdint.h>

static inline void port_out(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t port_in(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static void real_putc(char c)
{
    while (!(port_in(0x3FD) & 0x20))   /* wait for an empty transmit register */
        ;
    port_out(0x3F8, (uint8_t)c);
}

uint32_t real_main(void)
{
    static const char message[] = "real mode stage\n";
    uint32_t checksum = 0;
    for (unsigned i = 0; message[i] != 0; i++) {
        real_putc(message[i]);
        checksum = checksum * 31 + (uint8_t)message[i];
    }
    return checksum;
}
