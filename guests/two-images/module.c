/* two-images guest, second image: a position-independent module (no globals, no strings: only
   relative calls and stack data) linked at 0x00200000, which the kernel copies to 0x00600000. */
#include <stdint.h>
#include "io.h"

/* The sum of the squares 1² … n², one call per term so the stack has module frames. */
static int square(int k)
{
    int result = k * k;
    return result;
}

int module_sum(int n)
{
    int total = 0;
    for (int k = 1; k <= n; k++)
        total += square(k);
    return total;
}

/* The module's entry (first in the image): announces itself on COM1 and returns the sum for n. */
__attribute__((section(".text.entry"))) int module_entry(int n)
{
    outb(0x3F8, 'M');
    outb(0x3F8, '\n');
    return module_sum(n);
}
