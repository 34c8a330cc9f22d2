/* libFuzzer target: the NPU INI reader must refuse garbage without crashing. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "npu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf e;
	struct npu n;
	FILE *f;

	if (size == 0)
		return 0;	/* fmemopen() refuses empty buffers */
	f = fmemopen((void *)data, size, "r");
	if (f == NULL)
		return 0;
	e.msg[0] = '\0';
	if (npu_load_stream(f, "fuzz.ini", &n, &e) == 0) {
		/* whatever loads must validate and write back */
		if (npu_validate(&n, &e) != 0)
			__builtin_trap();
	} else if (strncmp(e.msg, "fuzz.ini", 8) != 0) {
		__builtin_trap();	/* every message names the file */
	}
	fclose(f);
	return 0;
}
