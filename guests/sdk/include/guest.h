/* The entry contract: start.S calls kmain(magic, mbi) once set up; every guest defines it.
   Returning from kmain halts the CPU (cli; hlt). */
#ifndef HVDBG_GUEST_H
#define HVDBG_GUEST_H

#include <stdint.h>
#include "multiboot.h"

void kmain(uint32_t magic, const struct multiboot_info *mbi);

#endif
