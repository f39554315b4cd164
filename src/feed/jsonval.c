/* Checked JSON getters. */
#include "feed/jsonval.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"
#include "core/timeutil.h"
#include "store/records.h"

int jv_price_ok(double p)
{
	return p > 0 && p <= JV_PRICE_MAX;
}

int jv_qty_ok(double q)
{
	return q >= 0 && q <= JV_QTY_MAX;
}

int jv_quote_ok(double q)
{
	return q >= 0 && q <= JV_QUOTE_MAX;
}

int jv_rate_ok(double r)
{
	return r >= -1 && r <= 1;
}

int jv_time_ok(int64_t t, int64_t now)
{
	return t >= 1483228800000LL && t <= now + FB_DAY_MS;
}

int jv_num(const json_t *v, double *out)
{
	if (json_is_string(v))
		return fb_parse_double(json_string_value(v), out);
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return isfinite(*out) ? 0 : -1;
	}
	return -1;
}

int jv_get_num(const json_t *o, const char *key, double *out)
{
	return jv_num(json_object_get(o, key), out);
}

int jv_int(const json_t *v, int64_t *out)
{
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		if (!isdigit((unsigned char)*s) || strlen(s) > 19)
			return -1;
		errno = 0;
		long long x = strtoll(s, &end, 10);
		if (*end || errno)
			return -1;
		*out = x;
		return 0;
	}
	return -1;
}

int jv_get_int(const json_t *o, const char *key, int64_t *out)
{
	return jv_int(json_object_get(o, key), out);
}

const char *jv_get_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int jv_get_symbol(const json_t *o, const char *key, char *out)
{
	const char *s = jv_get_str(o, key);
	if (!s || !records_symbol_valid(s))
		return -1;
	records_copy_field(out, FB_SYMBOL_LEN, s);
	return 0;
}
