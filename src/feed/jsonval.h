/* Checked getters for the values of the exchanges' JSON answers (jansson), shared by their
 * REST parsers. Each returns 0 with the value, or -1 when it is absent, of the wrong type or
 * not whole: numbers may come as strings (the exchanges' way) or as JSON numbers, and must
 * parse completely and be finite; integers (times, ids) as integers or strings of digits;
 * symbols must be upper-case letters and digits. Pure functions, any thread. */
#ifndef FB_FEED_JSONVAL_H
#define FB_FEED_JSONVAL_H

#include <jansson.h>
#include <stdint.h>

int jv_num(const json_t *v, double *out);
int jv_get_num(const json_t *o, const char *key, double *out);
int jv_int(const json_t *v, int64_t *out);
int jv_get_int(const json_t *o, const char *key, int64_t *out);
/* The string value of key, or NULL. */
const char *jv_get_str(const json_t *o, const char *key);
/* The symbol of key into out (FB_SYMBOL_LEN bytes). */
int jv_get_symbol(const json_t *o, const char *key, char *out);

#endif
