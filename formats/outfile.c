/* outfile: write beside the target, with no name until complete, and rename. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"

/*
 * A regular file is written to an unnamed file in the target's directory
 * (O_TMPFILE): if the process dies, by a signal or anything else, the
 * kernel removes it, so no handler and no process-wide list of pending
 * files is needed and any number of threads can write outputs at once.
 * Only at commit does it get a temporary name, at once renamed over the
 * target.  Where the file system has no O_TMPFILE it is created under a
 * random temporary name instead, removed on abort.
 */

/* The file a path finally names: a symlink's target is written, not replaced. */
static char *
final_path(const char *path)
{
	char *real;

	real = realpath(path, NULL);
	if (real != NULL)
		return real;
	return strdup(path);	/* it does not exist yet (or a dangling link: replace it) */
}

/* ".NAME.XXXXXXXXXXXX" beside the target, made unique by attempt, time and address. */
static void
temp_name(char *buf, size_t len, const char *path, const void *self, unsigned attempt)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	struct timespec ts;
	uint64_t x;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)self ^
	    ((uint64_t)getpid() << 32) ^ (uint64_t)attempt * 0xBF58476D1CE4E5B9ull;
	snprintf(buf, len, "%.*s.%s.%012llx", (int)dirlen, path, path + dirlen,
	    (unsigned long long)(x & 0xffffffffffffull));
}

static int
open_named_temp(struct outfile *o, mode_t mode)
{
	unsigned attempt;
	int fd;

	for (attempt = 0; attempt < 100; attempt++) {
		temp_name(o->tmp, o->tmp_len, o->path, o, attempt);
		fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static void
release(struct outfile *o)
{
	free(o->path);
	free(o->tmp);
	o->path = o->tmp = NULL;
	o->f = NULL;
	o->fd = -1;
}

int
outfile_open(struct outfile *o, const char *path, struct errbuf *e)
{
	char dir[PATH_MAX];
	const char *slash;
	struct stat st;
	mode_t mode = 0666;	/* the umask applies, as for any new file */
	bool exists;
	int fd, err;

	memset(o, 0, sizeof *o);
	o->fd = -1;
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		/* a device or a FIFO is written as it is: there is nothing to rename */
		if ((o->f = fopen(path, "wb")) == NULL)
			return errbuf_set(e, "%s: cannot open: %s", path, strerror(errno));
		o->direct = true;
		return 0;
	}
	o->path = final_path(path);
	o->tmp_len = o->path ? strlen(o->path) + 32 : 0;
	o->tmp = o->path ? malloc(o->tmp_len) : NULL;
	if (o->path == NULL || o->tmp == NULL) {
		release(o);
		return errbuf_set(e, "%s: out of memory", path);
	}
	if (exists)
		mode = st.st_mode & 07777;	/* a file written again keeps its mode */
	slash = strrchr(o->path, '/');
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - o->path) + (slash == o->path) : 1,
	    slash ? o->path : ".");
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	if (fd >= 0) {
		o->unnamed = true;
	} else if ((fd = open_named_temp(o, mode)) < 0) {
		err = errno;
		release(o);
		return errbuf_set(e, "%s: cannot create: %s", path, strerror(err));
	}
	if (exists)
		fchmod(fd, mode);	/* beyond the umask, as the file had it */
	if ((o->f = fdopen(fd, "wb")) == NULL) {
		err = errno;
		close(fd);
		if (!o->unnamed)
			unlink(o->tmp);
		release(o);
		return errbuf_set(e, "%s: cannot create: %s", path, strerror(err));
	}
	o->fd = fd;
	return 0;
}

/* Give the unnamed file a temporary name beside the target. */
static int
link_unnamed(struct outfile *o)
{
	char proc[64];
	unsigned attempt;

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
	for (attempt = 0; attempt < 100; attempt++) {
		temp_name(o->tmp, o->tmp_len, o->path, o, attempt);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int
outfile_commit(struct outfile *o, struct errbuf *e)
{
	bool named = !o->unnamed;
	int err = 0;

	if (o->path == NULL) {	/* standard output, a device or a FIFO */
		if (fflush(o->f) != 0 || ferror(o->f))
			err = errno ? errno : EIO;
		if (o->direct && fclose(o->f) != 0 && err == 0)
			err = errno;
		o->f = NULL;
		if (err != 0)
			return errbuf_set(e, "%s: write error: %s", o->direct ? "output" :
			    "standard output", strerror(err));
		return 0;
	}
	if (fflush(o->f) != 0 || ferror(o->f))
		err = errno ? errno : EIO;
	if (err == 0 && o->unnamed) {
		if (link_unnamed(o) == 0)
			named = true;
		else
			err = errno;
	}
	if (fclose(o->f) != 0 && err == 0)
		err = errno;
	o->f = NULL;
	if (err == 0 && rename(o->tmp, o->path) != 0)
		err = errno;
	if (err != 0) {
		if (named)
			unlink(o->tmp);
		errbuf_set(e, "%s: write error: %s", o->path, strerror(err));
		release(o);
		return -1;
	}
	release(o);
	return 0;
}

void
outfile_abort(struct outfile *o)
{
	if (o->path == NULL) {
		if (o->direct && o->f != NULL)
			fclose(o->f);
		o->f = NULL;
		return;
	}
	if (o->f != NULL)
		fclose(o->f);	/* an unnamed file goes with its last descriptor */
	if (!o->unnamed)
		unlink(o->tmp);
	release(o);
}
