/* libFuzzer: the alert expression language. Any text compiles or is refused with a column
 * inside the text and a printable message; a compiled expression evaluates to 0 or 1 over any
 * metric values (NaN, infinities, zero) and names only metrics that exist. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quant/alerts.h"

/* Unlike assert(), never compiled out. */
#define CHECK(x) ((x) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static double value(int id, void *arg)
{
	static const double v[] = {NAN, 0, -1, 1e308, INFINITY, 50, -INFINITY, 2.5};
	return v[((unsigned)id + *(unsigned *)arg) % (sizeof v / sizeof *v)];
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	char msg[256];
	int col = 0;
	AlertExpr *e = alert_expr_compile(text, &col, msg, sizeof msg);
	if (!e) {
		CHECK(col >= 1 && (size_t)col <= strlen(text) + 1);
		for (const char *p = msg; *p; p++)
			CHECK((unsigned char)*p >= 0x20 || *p == '\t');
	} else {
		int ids[64];
		int n = alert_expr_metrics(e, ids, 64);
		CHECK(n >= 0 && n <= 64);
		for (int i = 0; i < n; i++)
			CHECK(alert_metric_name(ids[i]) != NULL);
		for (unsigned k = 0; k < 8; k++) {
			int r = alert_expr_eval(e, value, &k);
			CHECK(r == 0 || r == 1);
		}
		alert_expr_free(e);
	}
	free(text);
	return 0;
}
