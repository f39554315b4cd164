/* libFuzzer: exchange payloads. Any bytes through every Binance parser (streams, klines,
 * exchange info, tickers, funding, errors, server time, open interest, ratios): never a crash,
 * and every event or record that comes out has a valid symbol and sane numbers; the WebSocket
 * frame and upgrade readers stay inside the bytes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feed/binance.h"
#include "feed/wsframe.h"

/* Unlike assert(), never compiled out. */
#define CHECK(x) ((x) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *text = (const char *)data;
	char why[256];
	Event ev[32];
	int n = binance_parse_ws(text, size, "binance", 1700000000000LL, ev, 32, why, sizeof why);
	CHECK(n >= -1 && n <= 32);
	for (int i = 0; i < n; i++) {
		CHECK(records_symbol_valid(ev[i].symbol));
		if (ev[i].type == EV_CANDLE)
			CHECK(ev[i].u.candle.high >= ev[i].u.candle.low && ev[i].u.candle.low > 0);
	}
	long bad, k;
	Candle *c;
	k = binance_parse_klines(text, size, "binance", "BTCUSDT", "1m", 1700000000000LL, &c, &bad,
	                         why, sizeof why);
	for (long i = 0; i < k; i++)
		CHECK(c[i].high >= c[i].low && c[i].close_time == c[i].open_time + 59999 &&
		      isfinite(c[i].volume));
	free(c);
	BinanceSymbol *s;
	k = binance_parse_exchange_info(text, size, &s, &bad, why, sizeof why);
	for (long i = 0; i < k; i++)
		CHECK(records_symbol_valid(s[i].symbol));
	free(s);
	BinanceTicker *t;
	k = binance_parse_tickers(text, size, &t, &bad, why, sizeof why);
	free(t);
	FundingRate *f;
	k = binance_parse_funding(text, size, "binance", &f, &bad, why, sizeof why);
	free(f);
	/* the small REST answers: server time, open interest, ratios; any time that comes out is
	 * plausible (from 2017 to a day past now), any value in its range */
	int64_t now = 1700000000000LL, ts;
	int64_t st = binance_parse_server_time(text, size, now, why, sizeof why);
	CHECK(st == -1 || (st >= 1483228800000LL && st <= now + 86400000LL));
	double v;
	if (binance_parse_open_interest(text, size, now, &v, &ts) == 0)
		CHECK(v >= 0 && v <= 1e15 && ts >= 1483228800000LL && ts <= now + 86400000LL);
	double vs[8];
	int64_t tss[8];
	long nr = binance_parse_ratios(text, size, "longShortRatio", 1e6, now, vs, tss, 8, &bad);
	CHECK(nr >= -1 && nr <= 8);
	for (long i = 0; i < nr; i++)
		CHECK(vs[i] >= 0 && vs[i] <= 1e6 && tss[i] >= 1483228800000LL &&
		      tss[i] <= now + 86400000LL);
	char msg[128];
	binance_parse_error(text, size, msg, sizeof msg);
	for (char *p = msg; *p; p++)
		CHECK((unsigned char)*p >= 0x20);
	/* the WebSocket layer: a frame header never claims bytes that are not there, and an
	 * upgrade answer is never longer than what was given */
	WsFrame wf;
	char ferr[96];
	int r = wsframe_parse(data, size, &wf, ferr, sizeof ferr);
	CHECK(r >= -1 && r <= 1);
	if (r == 1)
		CHECK(wf.header + wf.len <= size && wf.payload == data + wf.header);
	if (r == 0 && wf.header)
		CHECK(wf.header <= size && wf.header + wf.len > size);
	int h = wsframe_response(text, size, "dGhlIHNhbXBsZSBub25jZQ==", ferr, sizeof ferr);
	CHECK(h >= -1 && h <= (int)size);
	return 0;
}
