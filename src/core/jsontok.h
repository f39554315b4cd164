/* A strict JSON tokenizer for the hot path (the feed's WebSocket messages). It validates the
 * whole text (RFC 8259 grammar: strings with their escapes and no raw control characters,
 * numbers, literals, nesting; no key twice in an object, checked in linear time) and lists
 * tokens in document order, each with the index just past its subtree, so lookups skip whole
 * values. Pure functions; it allocates only for an object of more than 16 keys longer than
 * one byte (a hash set of them, freed before it returns). */
#ifndef FB_CORE_JSONTOK_H
#define FB_CORE_JSONTOK_H

#include <stddef.h>
#include <stdint.h>

typedef enum { JT_OBJECT = 1, JT_ARRAY, JT_STRING, JT_NUMBER, JT_TRUE, JT_FALSE, JT_NULL } JtType;

typedef struct {
	JtType type;
	int start, end; /* bytes [start, end): a string's content without its quotes */
	int next;       /* index of the token after this one's subtree */
	int escaped;    /* string: contains backslash escapes */
} JsonTok;

/* Tokenizes s. Returns the number of tokens, -1 for text that is not JSON, -2 when max is
 * too small. Depth is limited to 64. */
int jt_parse(const char *s, size_t len, JsonTok *t, int max);

/* Value token of key in the object token obj, or -1. Keys with escapes never match. */
int jt_get(const char *s, const JsonTok *t, int obj, const char *key);
/* The i-th element of the array token arr, or -1. */
int jt_index(const JsonTok *t, int arr, int i);
/* Number of elements of an array (or members of an object). */
int jt_count(const JsonTok *t, int tok);

/* A number given as a JSON number or as a string holding one (the exchange's way); 0 or -1. */
int jt_double(const char *s, const JsonTok *t, int tok, double *out);
/* An integer (or a string of digits); 0 or -1. */
int jt_int(const char *s, const JsonTok *t, int tok, int64_t *out);
/* A string without escapes copied into out (NUL-terminated); 0, or -1 when absent, escaped
 * or too long. */
int jt_str(const char *s, const JsonTok *t, int tok, char *out, size_t outlen);
/* 1 true, 0 false, -1 not a boolean. */
int jt_bool(const JsonTok *t, int tok);

#endif
