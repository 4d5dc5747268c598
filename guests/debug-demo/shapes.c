/* debug-demo: twice the area of polygons by the shoelace formula, over a linked list (nested calls
   for step in / step out). */
#include "shapes.h"

static int cross(const struct point *a, const struct point *b)
{
    int product = a->x * b->y - a->y * b->x;
    return product;
}

int shape_area2(const struct shape *s)
{
    int sum = 0;
    for (int i = 0; i < (int)s->kind; i++) {
        const struct point *here = &s->corners[i];
        const struct point *next = &s->corners[(i + 1) % (int)s->kind];
        sum += cross(here, next);
    }
    return sum < 0 ? -sum : sum;
}

int shapes_total_area2(const struct shape *first)
{
    int total = 0;
    for (const struct shape *s = first; s != 0; s = s->next)
        total += shape_area2(s);
    return total;
}
