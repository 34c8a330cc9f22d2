/* openin: open an input file, naming what is wrong with it. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "openin.h"

FILE *
openin(const char *path, const char *what, struct errbuf *e)
{
	struct stat st;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL) {
		errbuf_set(e, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errbuf_set(e, "%s: is a directory, expected %s", path, what);
		return NULL;
	}
	return f;
}
