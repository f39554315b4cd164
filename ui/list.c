/* What every list of the dashboard shares: moving a cursor (arrows, vim keys, PgUp/PgDn,
 * Home/End, Ctrl-F/Ctrl-B, the mouse wheel as KEY_SR/KEY_SF), scrolling so that the cursor stays on screen, and
 * the bottom line with the screen's keys, the position mark (12/20) and "? help  q quit",
 * which are always visible. Main thread only (curses). */
#include <curses.h>
#include <string.h>

#include "ui.h"

int ui_list_key(int ch, int *cur, int n, int page)
{
	int c = *cur;
	if (page < 1)
		page = 1;
	switch (ch) {
	case KEY_DOWN:
	case 'j': c++; break;
	case KEY_UP:
	case 'k': c--; break;
	case KEY_NPAGE:
	case 6: /* Ctrl-F */ c += page; break;
	case KEY_PPAGE:
	case 2: /* Ctrl-B */ c -= page; break;
	case KEY_HOME:
	case 'g': c = 0; break;
	case KEY_END:
	case 'G': c = n - 1; break;
	case KEY_SR: /* the wheel, as the dashboard passes it */ c -= 3; break;
	case KEY_SF: c += 3; break;
	default: return 0;
	}
	*cur = c >= n ? n - 1 : c;
	if (*cur < 0)
		*cur = 0;
	return 1;
}

int ui_list_scroll(int top, int *cur, int n, int rows)
{
	if (*cur >= n)
		*cur = n - 1;
	if (*cur < 0)
		*cur = 0;
	if (rows < 1)
		rows = 1;
	if (*cur < top)
		top = *cur;
	if (*cur >= top + rows)
		top = *cur - rows + 1;
	if (top > n - rows)
		top = n - rows;
	return top < 0 ? 0 : top;
}

void ui_hint(Ui *u, int H, int W, const char *keys, int pos, int n)
{
	char tail[64];
	int t = 0;
	if (n > 0)
		t = snprintf(tail, sizeof tail, " %d/%d ", pos, n);
	t += snprintf(tail + t, sizeof tail - (size_t)t, " ? help  q quit ");
	move(H - 1, 0);
	clrtoeol();
	if (u->prompt) {
		ui_prompt_line(u, H, W);
		return;
	}
	int room = W - t;
	if (room > 0) {
		/* the screen's keys, cut at a word (two spaces) so no key is half shown */
		char line[512];
		snprintf(line, sizeof line, "%s", keys);
		if ((int)strlen(line) > room) {
			int cut = room;
			while (cut > 1 && !(line[cut - 1] == ' ' && line[cut - 2] == ' '))
				cut--;
			line[cut > 1 ? cut - 2 : 0] = '\0';
		}
		mvaddnstr(H - 1, 0, line, room);
	}
	attron(A_BOLD);
	mvaddnstr(H - 1, W - t > 0 ? W - t : 0, tail, W);
	attroff(A_BOLD);
}
