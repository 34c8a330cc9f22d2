/* tui-term: the terminal put back whatever happens: signals, the saved modes, the escape sequences. */
#include "config.h"

#include <curses.h>
#include <signal.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "array.h"
#include "tui-int.h"

/*
 * A signal handler can reach nothing but globals: this is the one place
 * of the viewer with process-wide state, and one terminal per process is
 * what it describes.
 */
static volatile sig_atomic_t stop_signal;
static struct termios saved_tio;
static volatile sig_atomic_t saved_tio_ok;
static const char *leave_seq;		/* rmcup and cnorm, found once curses starts */
static size_t leave_len;
static char leave_buf[128];
static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static struct sigaction old_stop[ARRAY_LEN(stop_sigs)], old_fatal[ARRAY_LEN(fatal_sigs)];

static void
on_stop(int sig)
{
	stop_signal = sig;
}

/* A fatal signal: put the terminal back with async-signal-safe calls, then die of it. */
static void
on_fatal(int sig)
{
	if (saved_tio_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	if (leave_len > 0 && write(STDOUT_FILENO, leave_seq, leave_len) < 0)
		leave_len = 0;	/* nothing more to do: the process is dying */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The sequences that leave the alternate screen and show the cursor, for on_fatal(). */
static void
remember_leave(void)
{
	const char *caps[] = { "rmcup", "cnorm", "sgr0" };
	size_t n = 0, k;
	unsigned i;

	for (i = 0; i < ARRAY_LEN(caps); i++) {
		char *v = tigetstr((char *)caps[i]);
		if (v == NULL || v == (char *)-1)
			continue;
		k = strlen(v);
		if (n + k >= sizeof leave_buf)
			break;
		memcpy(leave_buf + n, v, k);
		n += k;
	}
	leave_seq = leave_buf;
	leave_len = n;
}

void
tui_term_save(void)
{
	stop_signal = 0;
	saved_tio_ok = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
}

void
tui_term_catch(void)
{
	struct sigaction sa;
	unsigned i;

	remember_leave();
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	for (i = 0; i < ARRAY_LEN(stop_sigs); i++)
		sigaction(stop_sigs[i], &sa, &old_stop[i]);
	sa.sa_handler = on_fatal;
	for (i = 0; i < ARRAY_LEN(fatal_sigs); i++)
		sigaction(fatal_sigs[i], &sa, &old_fatal[i]);
}

void
tui_term_release(void)
{
	unsigned i;

	for (i = 0; i < ARRAY_LEN(stop_sigs); i++)
		sigaction(stop_sigs[i], &old_stop[i], NULL);
	for (i = 0; i < ARRAY_LEN(fatal_sigs); i++)
		sigaction(fatal_sigs[i], &old_fatal[i], NULL);
	saved_tio_ok = 0;
}

int
tui_term_signal(void)
{
	return (int)stop_signal;
}
