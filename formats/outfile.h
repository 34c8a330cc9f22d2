/* outfile: output files that appear under their name only when complete. */
#ifndef MASTRACE_OUTFILE_H
#define MASTRACE_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "errbuf.h"

/*
 * The data goes to a file in the destination's directory with no name
 * (O_TMPFILE; where unsupported, a temporary name), which
 * outfile_commit() names and renames over the final name, keeping the
 * mode of a file it replaces; a symlink's target is written the same way.
 * outfile_abort() discards it, and so does the process ending any other
 * way.  "-" writes to standard output, and a device or FIFO is written
 * directly.  Nothing here is shared between outputs: threads may write
 * any number at once.
 */
struct outfile {
	FILE *f;
	int fd;
	char *path;		/* the final name; NULL for standard output, a device or a FIFO */
	char *tmp;		/* the temporary name, once it has one */
	size_t tmp_len;
	bool unnamed;		/* O_TMPFILE: no name until commit */
	bool direct;		/* a device or FIFO, opened as is */
};

int outfile_open(struct outfile *o, const char *path, struct errbuf *e);
int outfile_commit(struct outfile *o, struct errbuf *e);
void outfile_abort(struct outfile *o);

#endif
