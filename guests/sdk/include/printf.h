/* printf subset for guests: %d %i %u %x %X %p %s %c %% with '-', '0', width and h/l/ll/z sizes.
   printf writes to COM1 (call serial_init first); snprintf formats into a buffer. */
#ifndef HVDBG_PRINTF_H
#define HVDBG_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
