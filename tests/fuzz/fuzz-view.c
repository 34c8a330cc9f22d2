/*
 * libFuzzer target for the viewer's summary and plain-text timeline: every
 * text trace the reader accepts is summarised (or refused with a message)
 * and printed over the whole trace and over a window the first byte picks,
 * and each lane's busy share stays within 0 and 1.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vsum.h"
#include "vtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The one process's scratch folder (a fuzz target is a program, not the library). */
static char dir[64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[96];
	struct vsum s;
	struct errbuf e;
	enum vsum_class top;
	FILE *f, *null;
	uint64_t t0, t1;
	unsigned l;

	if (size < 1)
		return 0;
	if (dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/fuzz-view.XXXXXX", tmp != NULL ? tmp : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(in, sizeof in, "%s/in.mtt", dir);
	if ((f = fopen(in, "wb")) == NULL)
		abort();
	if (fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
		abort();
	e.msg[0] = '\0';
	if (vsum_build(&s, in, NULL, &e) != 0) {
		vsum_free(&s);
		if (e.msg[0] == '\0')
			__builtin_trap();	/* every refusal says why */
		return 0;
	}
	if ((null = fopen("/dev/null", "w")) == NULL)
		abort();
	vtext_print(&s, in, 10 + data[0] % 64, 0, s.span ? s.span : 1, null);
	t0 = s.span * (data[0] & 7) / 8;
	t1 = t0 + 1 + s.span / (1 + (data[0] >> 3));
	vtext_print(&s, in, 10 + data[0] % 64, t0, t1, null);
	fclose(null);
	for (l = 0; l < s.nlanes; l++) {
		double x = vsum_lane_busy(&s, l, t0, t1, &top);
		if (!(x >= 0 && x <= 1))
			__builtin_trap();
	}
	vsum_free(&s);
	return 0;
}
