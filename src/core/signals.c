/* Signal handling by flags and a self-pipe: the handler is async-signal-safe (an atomic store
 * and a write), and event loops can wait for it with poll(). Main thread. */
#include "core/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag, reload_flag, stop_sig, hangup_stops;
static int pipe_fd[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGUSR1 || (sig == SIGHUP && !hangup_stops))
		reload_flag = 1;
	else {
		if (!stop_flag)
			stop_sig = sig;
		stop_flag = 1;
	}
	if (pipe_fd[1] >= 0) {
		char c = (char)sig;
		ssize_t n = write(pipe_fd[1], &c, 1);
		(void)n; /* a full pipe already wakes the reader */
	}
	errno = saved;
}

int signals_install(void)
{
	if (pipe_fd[0] < 0) {
		if (pipe(pipe_fd) != 0)
			return -1;
		for (int i = 0; i < 2; i++) {
			fcntl(pipe_fd[i], F_SETFL, fcntl(pipe_fd[i], F_GETFL) | O_NONBLOCK);
			fcntl(pipe_fd[i], F_SETFD, FD_CLOEXEC);
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL) || sigaction(SIGUSR1, &sa, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int signals_stop_requested(void)
{
	return stop_flag != 0;
}

int signals_stop_signal(void)
{
	return stop_flag ? (int)stop_sig : 0;
}

int signals_exit_status(int rc)
{
	return stop_flag && stop_sig ? 128 + (int)stop_sig : rc;
}

void signals_hangup_stops(int on)
{
	hangup_stops = on != 0;
}

int signals_take_reload(void)
{
	if (!reload_flag)
		return 0;
	reload_flag = 0;
	return 1;
}

int signals_fd(void)
{
	return pipe_fd[0];
}

void signals_drain(void)
{
	char buf[64];
	while (pipe_fd[0] >= 0 && read(pipe_fd[0], buf, sizeof buf) > 0)
		;
}
