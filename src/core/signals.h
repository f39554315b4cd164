/* Process signals as flags. SIGINT/SIGTERM ask the program to stop; SIGUSR1 and, in a
 * program without a terminal, SIGHUP ask it to reload its configuration. A dashboard makes
 * SIGHUP (its terminal went away) a stop too. Handlers only set atomic flags and wake a registered pipe; the main thread
 * polls the flags and does the work. */
#ifndef FB_CORE_SIGNALS_H
#define FB_CORE_SIGNALS_H

/* Installs the handlers (main thread, before starting other threads). Returns 0 or -1. */
int signals_install(void);
/* Main thread: 1 once a stop was asked for (stays set). */
int signals_stop_requested(void);
/* The signal that asked for the stop, or 0. */
int signals_stop_signal(void);
/* rc, or 128 + the signal after a stop by signal (130 for SIGINT, 143 for SIGTERM, 129 for
 * SIGHUP), as shells expect. */
int signals_exit_status(int rc);
/* on: SIGHUP stops the program (the terminal is gone) instead of asking for a reload. */
void signals_hangup_stops(int on);
/* Main thread: 1 if a reload was asked for since the last call (clears it). */
int signals_take_reload(void);
/* A file descriptor that becomes readable when a signal arrives, for poll() loops; drain it
 * with signals_drain(). -1 before signals_install(). */
int signals_fd(void);
void signals_drain(void);

#endif
