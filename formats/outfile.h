/* outfile: output files that appear under their name only when complete. */
#ifndef MASTRACE_OUTFILE_H
#define MASTRACE_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "errbuf.h"

/*
 * The data goes to a temporary file in the destination's directory, which
 * outfile_commit() renames over the final name; outfile_abort() and a
 * SIGINT, SIGTERM or SIGHUP remove it.  "-" writes to standard output.
 */
struct outfile {
	FILE *f;
	char *path;
	char *tmp;		/* NULL for standard output */
};

int outfile_open(struct outfile *o, const char *path, struct errbuf *e);
int outfile_commit(struct outfile *o, struct errbuf *e);
void outfile_abort(struct outfile *o);

#endif
