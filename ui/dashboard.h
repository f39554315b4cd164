/* The live dashboard: the top table of the engine's latest snapshot, redrawn when a new
 * snapshot arrives or a key is pressed. Main thread only (curses). */
#ifndef FB_UI_DASHBOARD_H
#define FB_UI_DASHBOARD_H

#include <stdio.h>

#include "cli/cli.h"

/* Any thread: an alert for the toasts (and the bell, when its rule asks). */
void dashboard_alert(void *arg, const AlertRecord *a, int bell);
/* Runs until q or F10, SIGINT/SIGTERM, or the terminal going away (SIGHUP, or stdin hung up
 * or at end of file). Returns 0 after q, 128 + the signal (129 for a hangup), or -1 when the
 * terminal cannot be used (TERM=dumb, say; the reason is on stderr). */
int dashboard_run(const CliDashboard *d);

/* For bench/: builds `frames` table frames of the snapshot into curses' buffers on a
 * terminal of cols x rows written to out (wnoutrefresh; with flush also doupdate, which sends
 * the changes to out). Returns the mean ms per frame, or -1 when no terminal could be made. */
double dashboard_bench_frames(const QuantSnapshot *s, int cols, int rows, int frames, int flush,
                              FILE *out);

#endif
