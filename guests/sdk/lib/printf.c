/* printf subset: one formatter (vformat) feeding either COM1 or a bounded buffer.
   64-bit numbers divide through the libgcc64.c helpers; 32-bit ones use plain div. */
#include <stdint.h>
#include "printf.h"
#include "serial.h"

struct sink {
    void (*put)(struct sink *s, char c);
    char *buf;          /* snprintf only */
    size_t size;
    size_t pos;
    int count;          /* characters produced, truncated or not */
};

static void emit(struct sink *s, char c)
{
    s->put(s, c);
    s->count++;
}

static void emit_repeat(struct sink *s, char c, int n)
{
    while (n-- > 0)
        emit(s, c);
}

/* Writes the digits of v right-aligned ending at end; returns the first digit. */
static char *format_unsigned(char *end, uint64_t v, unsigned base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;

    while (v >> 32) {
        *--p = digits[v % base];
        v /= base;
    }
    uint32_t w = (uint32_t)v;
    do {
        *--p = digits[w % base];
        w /= base;
    } while (w);
    return p;
}

/* Emits prefix (sign or "0x") and body padded to width. */
static void emit_field(struct sink *s, const char *prefix, const char *body, int len,
                       int width, int left, int zero)
{
    int plen = 0;
    while (prefix[plen])
        plen++;
    int pad = width - plen - len;

    if (!left && !zero)
        emit_repeat(s, ' ', pad);
    for (int i = 0; i < plen; i++)
        emit(s, prefix[i]);
    if (!left && zero)
        emit_repeat(s, '0', pad);
    for (int i = 0; i < len; i++)
        emit(s, body[i]);
    if (left)
        emit_repeat(s, ' ', pad);
}

static void vformat(struct sink *s, const char *fmt, va_list ap)
{
    char digits[24];
    char *end = digits + sizeof(digits);

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(s, *fmt);
            continue;
        }
        fmt++;

        int left = 0, zero = 0, width = 0, size = 0;   /* size: 0 int, 1 long, 2 long long */
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                zero = 1;
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        for (;; fmt++) {
            if (*fmt == 'l')
                size++;
            else if (*fmt != 'h' && *fmt != 'z')
                break;
        }

        const char *prefix = "";
        uint64_t u;
        unsigned base = 10;
        int upper = 0;

        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = size >= 2 ? va_arg(ap, long long)
                      : size == 1 ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                prefix = "-";
                u = -(uint64_t)v;
            } else {
                u = (uint64_t)v;
            }
            break;
        }
        case 'u':
        case 'x':
        case 'X':
            u = size >= 2 ? va_arg(ap, unsigned long long)
              : size == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            base = *fmt == 'u' ? 10 : 16;
            upper = *fmt == 'X';
            break;
        case 'p': {
            uintptr_t p = (uintptr_t)va_arg(ap, void *);
            char *b = format_unsigned(end, p, 16, 0);
            while (end - b < 8)
                *--b = '0';
            emit_field(s, "0x", b, end - b, width, left, 0);
            continue;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            int len = 0;
            while (str[len])
                len++;
            emit_field(s, "", str, len, width, left, 0);
            continue;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            emit_field(s, "", &c, 1, width, left, 0);
            continue;
        }
        case '%':
            emit(s, '%');
            continue;
        case '\0':
            return;
        default:            /* unknown conversion: print it verbatim */
            emit(s, '%');
            emit(s, *fmt);
            continue;
        }

        char *b = format_unsigned(end, u, base, upper);
        emit_field(s, prefix, b, end - b, width, left, zero);
    }
}

static void put_serial(struct sink *s, char c)
{
    (void)s;
    serial_putc(c);
}

static void put_buffer(struct sink *s, char c)
{
    if (s->pos + 1 < s->size)
        s->buf[s->pos++] = c;
}

int vprintf(const char *fmt, va_list ap)
{
    struct sink s = { .put = put_serial };
    vformat(&s, fmt, ap);
    return s.count;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = { .put = put_buffer, .buf = buf, .size = size };
    vformat(&s, fmt, ap);
    if (size)
        buf[s.pos] = '\0';
    return s.count;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
