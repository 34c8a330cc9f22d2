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
	int slot;		/* in the list of named temporaries, or -1 */
	bool unnamed;		/* O_TMPFILE: no name until commit */
	bool direct;		/* a device or FIFO, opened as is */
};

/* Open path for writing as above; -1 with the reason (naming path) in e. */
int outfile_open(struct outfile *o, const char *path, struct errbuf *e);
/* Flush, close and rename over the target; -1 with the reason, and nothing left behind. */
int outfile_commit(struct outfile *o, struct errbuf *e);
/* Discard what was written; the target is untouched. */
void outfile_abort(struct outfile *o);

/*
 * Remove every named temporary this process has open, from a signal
 * handler (async-signal-safe: unlink() of names in fixed slots).  Unnamed
 * (O_TMPFILE) outputs need no help: they vanish with the process.
 */
void outfile_remove_pending(void);

/*
 * Do a and b name the same regular file, under any name (./a, a symlink,
 * a hard link)?  By device and inode; "-" and names that do not exist
 * are never the same.  Commands use it to refuse an output that would
 * replace one of their inputs.
 */
bool outfile_same_file(const char *a, const char *b);

#endif
