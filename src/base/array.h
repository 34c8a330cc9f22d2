/* array: the length of a fixed-size array. */
#ifndef MASTRACE_ARRAY_H
#define MASTRACE_ARRAY_H

/* Elements of an array whose size the compiler knows (never a pointer). */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
