/* Strict JSON tokenizer. A recursive-descent scanner over the bytes with an explicit depth
 * limit; tokens are appended in pre-order and a container's next is set when it closes. */
#include "core/jsontok.h"

#include <stdlib.h>
#include <string.h>

/* Keys on the hot path are a byte or a few (Binance's "e", "k", "o", ...): compared inline,
 * not through a memcmp call per key. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	if (n && a[0] != b[0])
		return 0;
	if (n <= 8) {
		for (size_t i = 1; i < n; i++)
			if (a[i] != b[i])
				return 0;
		return 1;
	}
	return memcmp(a, b, n) == 0;
}

#include "core/numparse.h"

typedef struct {
	const char *s;
	size_t len, pos;
	JsonTok *t;
	int max, n, depth, full;
} P;

static void ws(P *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
	                           p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int add(P *p, JtType type, int start)
{
	if (p->n == p->max) {
		p->full = 1;
		return -1;
	}
	JsonTok *t = &p->t[p->n];
	t->type = type;
	t->start = start;
	t->end = start;
	t->next = p->n + 1;
	t->escaped = 0;
	return p->n++;
}

static int hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int string(P *p)
{
	p->pos++; /* the opening quote */
	int i = add(p, JT_STRING, (int)p->pos);
	if (i < 0)
		return -1;
	const unsigned char *s = (const unsigned char *)p->s;
	size_t pos = p->pos, len = p->len;
	for (;;) {
		/* the plain run, in locals (the token writes would otherwise reload p) */
		while (pos < len && s[pos] != '"' && s[pos] != '\\' && s[pos] >= 0x20)
			pos++;
		if (pos >= len || s[pos] < 0x20)
			return -1; /* unterminated, or a raw control character */
		if (s[pos] == '"') {
			p->t[i].end = (int)pos;
			p->pos = pos + 1;
			return 0;
		}
		p->t[i].escaped = 1; /* a backslash */
		if (++pos >= len)
			return -1;
		char e = (char)s[pos];
		if (e == 'u') {
			if (pos + 4 >= len || !hex((char)s[pos + 1]) || !hex((char)s[pos + 2]) ||
			    !hex((char)s[pos + 3]) || !hex((char)s[pos + 4]))
				return -1;
			pos += 4;
		} else if (!strchr("\"\\/bfnrt", e) || e == '\0')
			return -1;
		pos++;
	}
}

static int number(P *p)
{
	size_t st = p->pos;
	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len)
		return -1;
	if (p->s[p->pos] == '0')
		p->pos++;
	else if (p->s[p->pos] >= '1' && p->s[p->pos] <= '9')
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	else
		return -1;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		size_t d = ++p->pos;
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
		if (p->pos == d)
			return -1;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		size_t d = p->pos;
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
		if (p->pos == d)
			return -1;
	}
	int i = add(p, JT_NUMBER, (int)st);
	if (i < 0)
		return -1;
	p->t[i].end = (int)p->pos;
	return 0;
}

static int literal(P *p, const char *word, JtType type)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return -1;
	int i = add(p, type, (int)p->pos);
	if (i < 0)
		return -1;
	p->pos += n;
	p->t[i].end = (int)p->pos;
	return 0;
}

static int value(P *p);

/* The longer keys of one object, for the duplicate check: scanned while there are few, in a
 * hash set once there are many (allocated then, and only then), so that a message of a
 * million keys is checked in linear time, not quadratic. */
#define KEYS_SCANNED 16
typedef struct {
	int n;
	int keys[KEYS_SCANNED]; /* token indices, while n <= KEYS_SCANNED */
	int *slot;              /* then: open addressing, -1 empty */
	size_t cap;
} KeySet;

static uint64_t key_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static int same_key(const P *p, int a, int b)
{
	size_t la = (size_t)(p->t[a].end - p->t[a].start),
	       lb = (size_t)(p->t[b].end - p->t[b].start);
	return la == lb && same_bytes(p->s + p->t[a].start, p->s + p->t[b].start, la);
}

/* 0 when key (a token index) was not in the set (it is now), 1 when it was, -1 out of memory */
static int keyset_add(const P *p, KeySet *ks, int key)
{
	if (!ks->slot && ks->n < KEYS_SCANNED) {
		for (int i = 0; i < ks->n; i++)
			if (same_key(p, ks->keys[i], key))
				return 1;
		ks->keys[ks->n++] = key;
		return 0;
	}
	if (!ks->slot || (size_t)(ks->n + 1) * 2 > ks->cap) { /* (re)build, twice the size */
		size_t cap = ks->cap ? ks->cap * 2 : 64;
		int *slot = malloc(cap * sizeof *slot);
		if (!slot)
			return -1;
		for (size_t i = 0; i < cap; i++)
			slot[i] = -1;
		int *old = ks->slot;
		size_t oldcap = ks->cap;
		ks->slot = slot;
		ks->cap = cap;
		int n = ks->n;
		ks->n = 0;
		if (old) {
			for (size_t i = 0; i < oldcap; i++)
				if (old[i] >= 0)
					keyset_add(p, ks, old[i]);
			free(old);
		} else
			for (int i = 0; i < n; i++)
				keyset_add(p, ks, ks->keys[i]);
	}
	size_t kl = (size_t)(p->t[key].end - p->t[key].start);
	size_t m = ks->cap - 1, h = (size_t)key_hash(p->s + p->t[key].start, kl) & m;
	for (; ks->slot[h] >= 0; h = (h + 1) & m)
		if (same_key(p, ks->slot[h], key))
			return 1;
	ks->slot[h] = key;
	ks->n++;
	return 0;
}

static int members(P *p, int object, char close, KeySet *ks)
{
	uint64_t seen1[4] = {0, 0, 0, 0}; /* one-byte keys of this object (most of Binance's) */
	for (;;) {
		if (object) {
			ws(p);
			int key = p->n;
			if (p->pos >= p->len || p->s[p->pos] != '"' || string(p))
				return -1;
			/* a key twice makes the message ambiguous: malformed */
			size_t kl = (size_t)(p->t[key].end - p->t[key].start);
			if (kl == 1) {
				unsigned char c = (unsigned char)p->s[p->t[key].start];
				uint64_t bit = (uint64_t)1 << (c & 63);
				if (seen1[c >> 6] & bit)
					return -1;
				seen1[c >> 6] |= bit;
			} else if (keyset_add(p, ks, key))
				return -1;
			ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return -1;
			p->pos++;
		}
		if (value(p))
			return -1;
		ws(p);
		if (p->pos >= p->len)
			return -1;
		if (p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->s[p->pos] != close)
			return -1;
		p->pos++;
		return 0;
	}
}

static int container(P *p, int object)
{
	if (++p->depth > 64)
		return -1;
	int i = add(p, object ? JT_OBJECT : JT_ARRAY, (int)p->pos);
	if (i < 0)
		return -1;
	p->pos++;
	ws(p);
	char close = object ? '}' : ']';
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
	} else {
		KeySet ks;
		ks.n = 0;
		ks.slot = NULL;
		ks.cap = 0;
		int rc = members(p, object, close, &ks);
		free(ks.slot);
		if (rc)
			return -1;
	}
	p->t[i].end = (int)p->pos;
	p->t[i].next = p->n;
	p->depth--;
	return 0;
}

static int value(P *p)
{
	ws(p);
	if (p->pos >= p->len)
		return -1;
	switch (p->s[p->pos]) {
	case '{': return container(p, 1);
	case '[': return container(p, 0);
	case '"': return string(p);
	case 't': return literal(p, "true", JT_TRUE);
	case 'f': return literal(p, "false", JT_FALSE);
	case 'n': return literal(p, "null", JT_NULL);
	default: return number(p);
	}
}

int jt_parse(const char *s, size_t len, JsonTok *t, int max)
{
	P p = {s, len, 0, t, max, 0, 0, 0};
	if (value(&p))
		return p.full ? -2 : -1;
	ws(&p);
	return p.pos == len ? p.n : -1;
}

int jt_get(const char *s, const JsonTok *t, int obj, const char *key)
{
	if (obj < 0 || t[obj].type != JT_OBJECT)
		return -1;
	size_t kl = strlen(key);
	for (int k = obj + 1; k < t[obj].next; k = t[k + 1].next) {
		/* k: a key (string token), k + 1: its value */
		if (!t[k].escaped && (size_t)(t[k].end - t[k].start) == kl &&
		    same_bytes(s + t[k].start, key, kl))
			return k + 1;
	}
	return -1;
}

int jt_index(const JsonTok *t, int arr, int i)
{
	if (arr < 0 || t[arr].type != JT_ARRAY)
		return -1;
	int k = arr + 1;
	for (int j = 0; k < t[arr].next; j++, k = t[k].next)
		if (j == i)
			return k;
	return -1;
}

int jt_count(const JsonTok *t, int tok)
{
	if (tok < 0 || (t[tok].type != JT_ARRAY && t[tok].type != JT_OBJECT))
		return 0;
	int n = 0, obj = t[tok].type == JT_OBJECT;
	for (int k = tok + 1; k < t[tok].next; k = obj ? t[k + 1].next : t[k].next)
		n++;
	return n;
}

int jt_str(const char *s, const JsonTok *t, int tok, char *out, size_t outlen)
{
	if (tok < 0 || t[tok].type != JT_STRING || t[tok].escaped)
		return -1;
	size_t n = (size_t)(t[tok].end - t[tok].start);
	if (n >= outlen)
		return -1;
	memcpy(out, s + t[tok].start, n);
	out[n] = '\0';
	return 0;
}

int jt_double(const char *s, const JsonTok *t, int tok, double *out)
{
	char buf[64];
	if (tok < 0 || (t[tok].type != JT_STRING && t[tok].type != JT_NUMBER))
		return -1;
	size_t n = (size_t)(t[tok].end - t[tok].start);
	if (n == 0 || n >= sizeof buf || t[tok].escaped)
		return -1;
	memcpy(buf, s + t[tok].start, n);
	buf[n] = '\0';
	return fb_parse_double(buf, out);
}

int jt_int(const char *s, const JsonTok *t, int tok, int64_t *out)
{
	if (tok < 0 || (t[tok].type != JT_STRING && t[tok].type != JT_NUMBER))
		return -1;
	const char *p = s + t[tok].start, *e = s + t[tok].end;
	if (p == e || e - p > 18)
		return -1;
	int64_t v = 0;
	for (; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return 0;
}

int jt_bool(const JsonTok *t, int tok)
{
	return tok < 0 ? -1 : t[tok].type == JT_TRUE ? 1 : t[tok].type == JT_FALSE ? 0 : -1;
}
