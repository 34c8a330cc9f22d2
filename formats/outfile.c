/* outfile: write to a temporary file, rename on success. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

/*
 * Temporary files to remove if a signal ends the process.  The handler
 * only calls unlink(), which is async-signal-safe; entries are written
 * before the file exists and cleared before the name is freed.
 */
#define MAX_PENDING 8
static char *volatile pending[MAX_PENDING];
static bool handlers_installed;

static void
on_signal(int sig)
{
	size_t i;

	for (i = 0; i < MAX_PENDING; i++)
		if (pending[i] != NULL)
			unlink(pending[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
install_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	if (handlers_installed)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	handlers_installed = true;
}

static void
pending_set(char *from, char *to)
{
	size_t i;

	for (i = 0; i < MAX_PENDING; i++)
		if (pending[i] == from) {
			pending[i] = to;
			return;
		}
}

int
outfile_open(struct outfile *o, const char *path, struct errbuf *e)
{
	const char *slash;
	size_t dirlen;
	int fd;

	memset(o, 0, sizeof *o);
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	o->path = strdup(path);
	o->tmp = malloc(strlen(path) + 16);
	if (o->path == NULL || o->tmp == NULL) {
		free(o->path);
		free(o->tmp);
		return errbuf_set(e, "%s: out of memory", path);
	}
	/* ".NAME.XXXXXX" beside the target, so rename() stays on one file system */
	slash = strrchr(path, '/');
	dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	memcpy(o->tmp, path, dirlen);
	sprintf(o->tmp + dirlen, ".%s.XXXXXX", path + dirlen);
	install_handlers();
	pending_set(NULL, o->tmp);
	fd = mkstemp(o->tmp);
	if (fd >= 0) {
		/* mkstemp() makes 0600; a finished file gets the usual umask'd mode */
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (fd < 0 || (o->f = fdopen(fd, "wb")) == NULL) {
		int err = errno;
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		pending_set(o->tmp, NULL);
		free(o->path);
		free(o->tmp);
		o->path = o->tmp = NULL;
		return errbuf_set(e, "%s: cannot create: %s", path, strerror(err));
	}
	return 0;
}

static void
release(struct outfile *o)
{
	pending_set(o->tmp, NULL);
	free(o->path);
	free(o->tmp);
	o->path = o->tmp = NULL;
	o->f = NULL;
}

int
outfile_commit(struct outfile *o, struct errbuf *e)
{
	int err = 0;

	if (o->tmp == NULL) {
		if (fflush(o->f) != 0 || ferror(o->f))
			return errbuf_set(e, "standard output: write error: %s", strerror(errno));
		o->f = NULL;
		return 0;
	}
	if (fflush(o->f) != 0 || ferror(o->f))
		err = errno ? errno : EIO;
	if (fclose(o->f) != 0 && err == 0)
		err = errno;
	o->f = NULL;
	if (err == 0 && rename(o->tmp, o->path) != 0)
		err = errno;
	if (err != 0) {
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
	if (o->tmp == NULL) {
		o->f = NULL;
		return;
	}
	if (o->f != NULL)
		fclose(o->f);
	unlink(o->tmp);
	release(o);
}
