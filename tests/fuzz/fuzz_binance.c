/* libFuzzer: exchange payloads. Any bytes through every Binance parser: never a crash, and
 * every event or record that comes out has a valid symbol and sane numbers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feed/binance.h"

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
	char msg[128];
	binance_parse_error(text, size, msg, sizeof msg);
	for (char *p = msg; *p; p++)
		CHECK((unsigned char)*p >= 0x20);
	return 0;
}
