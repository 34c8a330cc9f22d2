/* vtext: the plain-text timeline, for pipes, logs and CI. */
#ifndef MASTRACE_VTEXT_H
#define MASTRACE_VTEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vsum.h"

/*
 * A row per lane (a character per column of `width` over cycles [t0, t1):
 * the letter of the class that ran most there, capital when the lane was
 * busy at least half the column), the L1 and DRAM rows as tenths of their
 * capacity, the utilisation of each lane and MAC and VEC overlap over the
 * window, a ruler and a legend.
 */
void vtext_print(const struct vsum *s, const char *name, unsigned width, uint64_t t0, uint64_t t1,
    FILE *f);

/*
 * A level as a character: ' ' for none, '0'-'9' for its tenths of `whole`,
 * '*' above the whole when `over` (the text rows and the ASCII viewer).
 */
char vtext_tenths(double v, double whole, bool over);

#endif
