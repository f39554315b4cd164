/* What the exchanges' parsers share: the bounds a value from an exchange must keep, checked
 * getters for their JSON answers (jansson, the REST parsers), and key lookups on tokenized
 * messages (core/jsontok, the WebSocket parsers).
 *
 * Getters: each Each returns 0 with the value, or -1 when it is absent, of the wrong type or
 * not whole: numbers may come as strings (the exchanges' way) or as JSON numbers, and must
 * parse completely and be finite; integers (times, ids) as integers or strings of digits;
 * symbols must be upper-case letters and digits. Pure functions, any thread. */
#ifndef FB_FEED_JSONVAL_H
#define FB_FEED_JSONVAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/jsontok.h"

/* What a value from the exchange may be; a row with anything else is rejected (counted and
 * logged by the caller), never stored: a price of 1e308 or a negative liquidation is not a
 * market, and a quote volume of 1e308 would rank a junk symbol first. The bounds are far
 * outside any real market (BTC trades near 1e5, a whole day of USDⓈ-M futures near 1e11 USDT)
 * and NaN fails every one. */
#define JV_PRICE_MAX 1e9  /* quote per base unit */
#define JV_QTY_MAX   1e15 /* base units: a candle's or a day's volume of a 1000x meme coin */
#define JV_QUOTE_MAX 1e14 /* quote (USDT) volume */
int jv_price_ok(double p);
int jv_qty_ok(double q);
int jv_quote_ok(double q);
int jv_rate_ok(double r); /* a funding rate per period, as a fraction */
/* A time from the exchange: from 2017 (before any USDⓈ-M market) to a day past now. */
int jv_time_ok(int64_t t, int64_t now);

/* A tokenized message, and its object obj's value of key (0, or -1 when absent or not of
 * the type). Inline: the WebSocket parsers call them for every field of every message. */
typedef struct {
	const char *s;
	const JsonTok *t;
} J;
static inline int jv_tnum(const J *j, int obj, const char *key, double *out)
{
	return jt_double(j->s, j->t, jt_get(j->s, j->t, obj, key), out);
}
static inline int jv_tint(const J *j, int obj, const char *key, int64_t *out)
{
	return jt_int(j->s, j->t, jt_get(j->s, j->t, obj, key), out);
}
static inline int jv_tstr(const J *j, int obj, const char *key, char *out, size_t outlen)
{
	return jt_str(j->s, j->t, jt_get(j->s, j->t, obj, key), out, outlen);
}

int jv_num(const json_t *v, double *out);
int jv_get_num(const json_t *o, const char *key, double *out);
int jv_int(const json_t *v, int64_t *out);
int jv_get_int(const json_t *o, const char *key, int64_t *out);
/* The string value of key, or NULL. */
const char *jv_get_str(const json_t *o, const char *key);
/* The symbol of key into out (FB_SYMBOL_LEN bytes). */
int jv_get_symbol(const json_t *o, const char *key, char *out);

#endif
