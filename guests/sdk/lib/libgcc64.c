/* 64-bit division helpers gcc calls on i386 (__udivdi3 and friends), done with
   shift-subtract so guests need no 32-bit libgcc. Division by zero traps (#DE). */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t a, int64_t b);
int64_t __moddi3(int64_t a, int64_t b);

/* Leading zero bits of a non-zero 64-bit value. */
static int clz64(uint64_t v)
{
    uint32_t hi = (uint32_t)(v >> 32);
    return hi ? __builtin_clz(hi) : 32 + __builtin_clz((uint32_t)v);
}

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0;

    if ((n >> 32) == 0 && (d >> 32) == 0) {
        /* Both fit in 32 bits: one hardware divide (d == 0 raises #DE here). */
        uint32_t n32 = (uint32_t)n, d32 = (uint32_t)d;
        if (rem)
            *rem = n32 % d32;
        return n32 / d32;
    }
    if (d > n) {
        if (rem)
            *rem = n;
        return 0;
    }
    /* d <= n and d != 0: line d's top bit up with n's, then one bit per step. */
    int shift = clz64(d) - clz64(n);
    d <<= shift;
    for (int i = 0; i <= shift; i++) {
        q <<= 1;
        if (n >= d) {
            n -= d;
            q |= 1;
        }
        d >>= 1;
    }
    if (rem)
        *rem = n;
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    return __udivmoddi4(n, d, 0);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    __udivmoddi4(n, d, &r);
    return r;
}

/* Signed: quotient truncates toward zero, remainder takes the dividend's sign. */
int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem)
{
    uint64_t ua = a < 0 ? -(uint64_t)a : (uint64_t)a;
    uint64_t ub = b < 0 ? -(uint64_t)b : (uint64_t)b;
    uint64_t ur;
    uint64_t uq = __udivmoddi4(ua, ub, &ur);
    if (rem)
        *rem = (int64_t)(a < 0 ? -ur : ur);
    return (int64_t)((a < 0) != (b < 0) ? -uq : uq);
}

int64_t __divdi3(int64_t a, int64_t b)
{
    return __divmoddi4(a, b, 0);
}

int64_t __moddi3(int64_t a, int64_t b)
{
    int64_t r;
    __divmoddi4(a, b, &r);
    return r;
}
