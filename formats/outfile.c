/* outfile: write beside the target, with no name until complete, and rename. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
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

/*
 * The named temporaries of this process, for outfile_remove_pending() to
 * remove from a signal handler.  This is the library's one piece of state
 * shared by the whole process, and only where O_TMPFILE is missing: a
 * handler must find the names without locks or allocation, so they live
 * in fixed slots, each claimed with an atomic exchange.
 */
#define PENDING_MAX 64
enum { SLOT_FREE, SLOT_FILLING, SLOT_NAMED };
static struct pending {
	atomic_int state;
	char name[PATH_MAX];
} pending[PENDING_MAX];

static int
pending_add(const char *name)
{
	int i, expected;

	for (i = 0; i < PENDING_MAX; i++) {
		expected = SLOT_FREE;
		if (atomic_compare_exchange_strong(&pending[i].state, &expected, SLOT_FILLING)) {
			snprintf(pending[i].name, sizeof pending[i].name, "%s", name);
			atomic_store(&pending[i].state, SLOT_NAMED);
			return i;
		}
	}
	return -1;	/* more at once than slots: removed on error, not on a signal */
}

static void
pending_drop(int slot)
{
	if (slot >= 0)
		atomic_store(&pending[slot].state, SLOT_FREE);
}

void
outfile_remove_pending(void)
{
	int i;

	for (i = 0; i < PENDING_MAX; i++)
		if (atomic_load(&pending[i].state) == SLOT_NAMED)
			unlink(pending[i].name);
}

/* The tests' way to a file system without O_TMPFILE (documented in mastrace(1)). */
static bool
tmpfile_disabled(void)
{
	const char *v = getenv("MASTRACE_NO_TMPFILE");

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

#define MAX_LINKS 40	/* as the kernel's limit on symlinks in one lookup */

/*
 * Where a dangling symlink points: the name to create, so that the link
 * stays and its target appears (a relative target is relative to the
 * link's directory).  NULL when path is no symlink or the chain loops.
 */
static char *
dangling_target(const char *path)
{
	char *cur = strdup(path), *next, target[PATH_MAX];
	struct stat st;
	const char *slash;
	ssize_t n;
	int hops;

	for (hops = 0; cur != NULL && hops < MAX_LINKS; hops++) {
		if (lstat(cur, &st) != 0)
			return hops > 0 ? cur : (free(cur), NULL);
		if (!S_ISLNK(st.st_mode) || (n = readlink(cur, target, sizeof target - 1)) < 0)
			break;
		target[n] = '\0';
		slash = strrchr(cur, '/');
		if (target[0] == '/' || slash == NULL) {
			next = strdup(target);
		} else if ((next = malloc((size_t)(slash - cur) + 2 + (size_t)n)) != NULL) {
			sprintf(next, "%.*s/%s", (int)(slash - cur), cur, target);
		}
		free(cur);
		cur = next;
	}
	free(cur);
	return NULL;
}

/* The file a path finally names: a symlink's target is written, not replaced. */
static char *
final_path(const char *path)
{
	char *real;

	real = realpath(path, NULL);
	if (real != NULL)
		return real;
	/* a dangling link is followed to the name it points at */
	if ((real = dangling_target(path)) != NULL)
		return real;
	return strdup(path);	/* it does not exist yet */
}

bool
outfile_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, "-") == 0 || strcmp(b, "-") == 0 || stat(a, &sa) != 0 ||
	    stat(b, &sb) != 0 || !S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode))
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
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
		if (fd >= 0)
			o->slot = pending_add(o->tmp);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static void
release(struct outfile *o)
{
	pending_drop(o->slot);
	o->slot = -1;
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
	o->slot = -1;
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
	fd = tmpfile_disabled() ? -1 : open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
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
		if (linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW) == 0) {
			o->slot = pending_add(o->tmp);
			return 0;
		}
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
