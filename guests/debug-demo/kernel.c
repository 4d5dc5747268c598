/* debug-demo kernel, in the higher half (0xC0200000): builds a list of shapes, sums their areas,
   bumps counters (a watchpoint target), takes a page fault that its handler resolves by mapping the
   page and reloading CR3, prints what it found and exits through isa-debug-exit. */
#include <stdint.h>
#include "exit.h"
#include "interrupts.h"
#include "printf.h"
#include "serial.h"
#include "shapes.h"

#define KERNEL_BASE 0xC0000000u
#define DEMAND_PAGED 0x40000000u       /* not mapped until the first access faults */
#define DEMAND_FRAME 0x00800000u       /* the 4 MiB of RAM that then backs it */

extern uint32_t boot_page_directory[1024];
extern uint32_t realmode_result;
extern const char page_fault_entry[];

struct counters stats;
static struct shape shapes[3];
static struct idt_gate idt[32];

static void build_shapes(void)
{
    static const struct point triangle[3] = { { 0, 0 }, { 4, 0 }, { 0, 3 } };
    static const struct point square[4] = { { 1, 1 }, { 3, 1 }, { 3, 3 }, { 1, 3 } };
    static const struct point kite[4] = { { 0, 2 }, { 2, 0 }, { 4, 2 }, { 2, 5 } };

    shapes[0].name = "triangle";
    shapes[0].kind = SHAPE_TRIANGLE;
    for (int i = 0; i < 3; i++)
        shapes[0].corners[i] = triangle[i];
    shapes[1].name = "square";
    shapes[1].kind = SHAPE_QUAD;
    shapes[2].name = "kite";
    shapes[2].kind = SHAPE_QUAD;
    for (int i = 0; i < 4; i++) {
        shapes[1].corners[i] = square[i];
        shapes[2].corners[i] = kite[i];
    }
    shapes[0].next = &shapes[1];
    shapes[1].next = &shapes[2];
    shapes[2].next = 0;
    stats.shapes_built = 3;
}

/* Called by page_fault_entry with CR2: maps the 4 MiB page and reloads CR3 (flushing the TLB). */
void page_fault(uint32_t address)
{
    uint32_t *directory = boot_page_directory;
    stats.page_faults++;
    directory[address >> 22] = DEMAND_FRAME | 0x83;
    uint32_t physical_directory = (uint32_t)directory - KERNEL_BASE;
    __asm__ volatile("movl %0, %%cr3" : : "r"(physical_directory) : "memory");
}

static void install_page_fault_handler(void)
{
    uint32_t entry = (uint32_t)page_fault_entry;
    idt[14].offset_low = entry & 0xFFFF;
    idt[14].selector = 0x08;
    idt[14].zero = 0;
    idt[14].type_attr = 0x8E;
    idt[14].offset_high = entry >> 16;
    struct idt_pointer idtr = { sizeof idt - 1, (uint32_t)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

static void count_write(void)
{
    stats.writes = stats.writes + 1;
}

void kmain(void)
{
    serial_init();
    printf("debug-demo: real-mode checksum 0x%08x\n", realmode_result);
    build_shapes();
    int total = shapes_total_area2(&shapes[0]);
    printf("debug-demo: twice the total area = %d\n", total);
    count_write();

    install_page_fault_handler();
    volatile uint32_t *demand = (volatile uint32_t *)DEMAND_PAGED;
    *demand = 0x1234;
    count_write();
    printf("debug-demo: demand page reads 0x%x after %u page fault(s)\n", *demand, stats.page_faults);
    printf("debug-demo: done\n");
    guest_halt();
}
