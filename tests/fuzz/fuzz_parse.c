/* libFuzzer: number, time and CSV-field parsing. fb_parse_double must agree with strtod on
 * every decimal it accepts; a parsed time must format and parse back to itself; csv_split
 * must stay inside its buffer. */
#include <stdlib.h>

/* Unlike assert(), never compiled out. */
#define CHECK(x) ((x) ? (void)0 : abort())
#include <stdlib.h>
#include <string.h>

#include "core/jsontok.h"
#include "core/numparse.h"
#include "core/timeutil.h"
#include "store/csv.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char s[256];
	if (size >= sizeof s)
		size = sizeof s - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	double v;
	if (fb_parse_double(s, &v) == 0) {
		double w = strtod(s, NULL);
		CHECK(memcmp(&v, &w, sizeof v) == 0);
	}
	int64_t ms, back;
	if (fb_time_parse(s, &ms) == 0 && ms > -62135596800000LL && ms < 253402300800000LL) {
		char buf[64];
		fb_time_format(ms, buf, sizeof buf);
		CHECK(fb_time_parse(buf, &back) == 0 && back == ms);
	}
	/* the tokenizer: every token inside the text, subtrees nested properly */
	JsonTok tok[256];
	int nt = jt_parse((const char *)data, size, tok, 256);
	for (int i = 0; i < nt; i++) {
		CHECK(tok[i].start >= 0 && tok[i].end <= (int)size && tok[i].start <= tok[i].end);
		CHECK(tok[i].next > i && tok[i].next <= nt);
	}
	char *fields[CSV_MAX_FIELDS];
	int n = csv_split(s, fields, CSV_MAX_FIELDS);
	for (int i = 0; i < n; i++)
		CHECK(fields[i] >= s && fields[i] <= s + size);
	return 0;
}
