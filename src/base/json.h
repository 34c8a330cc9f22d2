/* json: the little JSON writing the text-mode reports share. */
#ifndef MASTRACE_JSON_H
#define MASTRACE_JSON_H

#include <stdio.h>

/* s as a JSON string, quoted, with '"', '\\' and control characters escaped. */
void json_string(FILE *f, const char *s);

#endif
