/* openin: open an input file, naming what is wrong with it. */
#ifndef MASTRACE_OPENIN_H
#define MASTRACE_OPENIN_H

#include <stdio.h>

#include "errbuf.h"

/*
 * fopen(path, "rb"), refusing a directory: glibc opens one for reading and
 * fails only at the first read, which readers would report as an empty or
 * unreadable file.  "what" is what was expected ("a trace", "an NPU
 * file").  Returns NULL with the message in e.
 */
FILE *openin(const char *path, const char *what, struct errbuf *e);

#endif
