/* The terminal check before curses starts (term.h stays out of the other files: its macros
 * take common names). Main thread. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <term.h> /* last: it defines macros such as bell and columns */

/* Refuses a terminal that cannot address the cursor (TERM=dumb, unknown TERM): the screen
 * would be garbled. Returns 0, or -1 after saying why. */
int ui_terminal_usable(void)
{
	const char *term = getenv("TERM");
	int err = 0;
	if (!term || !*term || setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		fprintf(stderr,
		        "futuresboard: the dashboard needs a terminal type (TERM=%s is %s); set "
		        "TERM (xterm-256color, screen, tmux) or use 'futuresboard demo --plain' "
		        "or 'futuresboard export'\n",
		        term && *term ? term : "", term && *term ? "unknown" : "not set");
		return -1;
	}
	char *cup = tigetstr("cup"), *clear = tigetstr("clear");
	int ok = cup && cup != (char *)-1 && clear && clear != (char *)-1;
	del_curterm(cur_term);
	if (!ok)
		fprintf(stderr,
		        "futuresboard: the terminal TERM=%s cannot move the cursor, so the "
		        "dashboard "
		        "cannot draw on it; use a full terminal (xterm-256color, screen, tmux) or "
		        "'futuresboard demo --plain'\n",
		        term);
	return ok ? 0 : -1;
}
