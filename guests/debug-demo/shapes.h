/* debug-demo's data: shapes with corner points in a linked list, and counters a watchpoint can watch. */
#ifndef DEBUG_DEMO_SHAPES_H
#define DEBUG_DEMO_SHAPES_H

#include <stdint.h>

struct point {
    int x;
    int y;
};

enum shape_kind { SHAPE_TRIANGLE = 3, SHAPE_QUAD = 4 };

struct shape {
    const char *name;
    enum shape_kind kind;
    struct point corners[4];
    struct shape *next;
};

struct counters {
    uint32_t shapes_built;
    uint32_t page_faults;
    uint32_t writes;
};

extern struct counters stats;

int shape_area2(const struct shape *s);
int shapes_total_area2(const struct shape *first);

#endif
