/* Frame build time of the dashboard's table: a real engine snapshot of N symbols (fed 300
 * candles each through quant_apply), drawn into curses' buffers on a terminal written to
 * /dev/null. Reports ms per frame for the build alone and with the update sent to the
 * terminal.
 * Usage: build/bench/bench_ui_frame [FRAMES] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/timeutil.h"
#include "dashboard.h"
#include "quant/engine.h"

static QuantEngine *market(int nsym)
{
	QuantOptions o;
	quant_default_options(&o);
	o.top_n = nsym;
	o.nintervals = 1;
	snprintf(o.intervals[0], sizeof o.intervals[0], "1m");
	QuantEngine *q = quant_new(&o);
	Rng r;
	rng_seed(&r, 42);
	for (int k = 0; k < nsym; k++) {
		char sym[32];
		snprintf(sym, sizeof sym, "S%03dUSDT", k);
		double px = 10 + k;
		for (int m = 0; m < 300; m++) {
			Event ev = {.type = EV_CANDLE};
			Candle *c = &ev.u.candle;
			snprintf(ev.symbol, sizeof ev.symbol, "%s", sym);
			snprintf(c->symbol, sizeof c->symbol, "%s", sym);
			snprintf(c->exchange, sizeof c->exchange, "binance");
			snprintf(c->interval, sizeof c->interval, "1m");
			c->open_time = INT64_C(1735689600000) + m * 60000;
			c->close_time = c->open_time + 59999;
			ev.ts = c->close_time;
			c->open = px;
			px *= exp(rng_normal(&r) / 200);
			c->close = px;
			c->high = fmax(c->open, px) * 1.001;
			c->low = fmin(c->open, px) * 0.999;
			c->quote_volume = 1e6 * (1 + rng_uniform(&r)) * (nsym - k);
			c->volume = c->quote_volume / px;
			c->taker_buy_quote_volume = c->quote_volume * rng_uniform(&r);
			c->taker_buy_volume = c->taker_buy_quote_volume / px;
			c->trades = 100;
			c->closed = 1;
			quant_apply(q, &ev);
		}
	}
	quant_publish(q);
	return q;
}

int main(int argc, char **argv)
{
	int frames = argc > 1 ? atoi(argv[1]) : 2000;
	FILE *null = fopen("/dev/null", "w");
	printf("dashboard table frames (%d each), 160 columns, UTF-8 sparklines, 256 colours\n",
	       frames);
	printf("%6s %18s %22s\n", "rows", "build ms/frame", "build+send ms/frame");
	int sizes[] = {20, 200};
	for (int i = 0; i < 2; i++) {
		QuantEngine *q = market(sizes[i]);
		QuantSnapshot *s = quant_snapshot_acquire(q);
		double build = dashboard_bench_frames(s, 160, sizes[i] + 6, frames, 0, null);
		double sent = dashboard_bench_frames(s, 160, sizes[i] + 6, frames, 1, null);
		if (build < 0 || sent < 0) {
			fprintf(stderr, "bench_ui_frame: no terminal (is ncurses' xterm-256color "
			                "entry installed?)\n");
			return 1;
		}
		printf("%6d %18.4f %22.4f\n", s->nrows, build, sent);
		quant_snapshot_release(q, s);
		quant_free(q);
	}
	fclose(null);
	return 0;
}
