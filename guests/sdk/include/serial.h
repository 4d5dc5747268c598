/* 16550 UART driver for COM1 (port 0x3F8): polled output, bytes written as-is. */
#ifndef HVDBG_SERIAL_H
#define HVDBG_SERIAL_H

#include <stddef.h>

#define SERIAL_COM1 0x3F8

void serial_init(void);
void serial_putc(char c);
void serial_puts(const char *s);
void serial_write(const char *buf, size_t len);

#endif
