/* Polled 16550 UART driver for COM1: 115200 baud, 8N1, FIFOs on, no interrupts. */
#include "serial.h"
#include "io.h"

#define UART_DATA 0     /* THR on write, RBR on read; divisor low when DLAB=1 */
#define UART_IER  1     /* interrupt enable; divisor high when DLAB=1 */
#define UART_FCR  2     /* FIFO control */
#define UART_LCR  3     /* line control */
#define UART_MCR  4     /* modem control */
#define UART_LSR  5     /* line status */

#define LCR_DLAB      0x80
#define LCR_8N1       0x03
#define FCR_ENABLE    0xC7  /* enable, clear RX/TX, 14-byte trigger */
#define MCR_DTR_RTS   0x03
#define LSR_THR_EMPTY 0x20

void serial_init(void)
{
    outb(SERIAL_COM1 + UART_IER, 0x00);
    outb(SERIAL_COM1 + UART_LCR, LCR_DLAB);
    outb(SERIAL_COM1 + UART_DATA, 0x01);    /* divisor 1: 115200 baud */
    outb(SERIAL_COM1 + UART_IER, 0x00);
    outb(SERIAL_COM1 + UART_LCR, LCR_8N1);
    outb(SERIAL_COM1 + UART_FCR, FCR_ENABLE);
    outb(SERIAL_COM1 + UART_MCR, MCR_DTR_RTS);
}

void serial_putc(char c)
{
    while ((inb(SERIAL_COM1 + UART_LSR) & LSR_THR_EMPTY) == 0)
        ;
    outb(SERIAL_COM1 + UART_DATA, (uint8_t)c);
}

void serial_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        serial_putc(buf[i]);
}

void serial_puts(const char *s)
{
    while (*s)
        serial_putc(*s++);
}
