/* Process signals as flags. SIGINT/SIGTERM ask the program to stop, SIGHUP to reload its
 * configuration. Handlers only set atomic flags and wake a registered pipe; the main thread
 * polls the flags and does the work. */
#ifndef FB_CORE_SIGNALS_H
#define FB_CORE_SIGNALS_H

/* Installs the handlers (main thread, before starting other threads). Returns 0 or -1. */
int signals_install(void);
/* Main thread: 1 once a stop was asked for (stays set). */
int signals_stop_requested(void);
/* Main thread: 1 if a reload was asked for since the last call (clears it). */
int signals_take_reload(void);
/* A file descriptor that becomes readable when a signal arrives, for poll() loops; drain it
 * with signals_drain(). -1 before signals_install(). */
int signals_fd(void);
void signals_drain(void);

#endif
