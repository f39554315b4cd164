/* Number parsing for exchange and CSV text. Pure functions, any thread. */
#ifndef FB_CORE_NUMPARSE_H
#define FB_CORE_NUMPARSE_H

/* Parses the whole of s as a finite decimal number ("123", "-0.00012", "1.5e-7"), correctly
 * rounded exactly as strtod would. Plain decimals of up to 19 significant digits whose value
 * is exact in a double after one multiplication or division by a power of ten take a fast
 * path (Clinger's); everything else goes through strtod. Returns 0, or -1 for anything that
 * is not such a number (empty, trailing text, inf, nan, overflow). */
int fb_parse_double(const char *s, double *out);

#endif
