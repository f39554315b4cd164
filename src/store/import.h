/* CSV import of candles and funding rates into the store. Main thread of the import command;
 * it writes through the Store it is given.
 *
 * Klines: the 12-column data.binance.vision layout (open_time, open, high, low, close,
 * volume, close_time, quote_volume, count, taker_buy_volume, taker_buy_quote_volume,
 * ignore), with or without its header, and the 6-column open_time,open,high,low,close,volume
 * layout. Funding: calc_time/fundingTime, funding_interval_hours, last_funding_rate/
 * fundingRate[, markPrice] with a header. Mark: Binance's markPriceKlines in the klines
 * layouts, into mark_candles (a file named SYMBOL-markPriceKlines-1h is one). Files may be
 * gzip-compressed. Times in
 * microseconds (newer Binance files) are turned into milliseconds.
 * Every line is validated; a bad line is reported with its number and reason and skipped.
 * Rows are committed every IMPORT_BATCH rows, so an interrupted import keeps what it
 * committed and running it again finishes the job (imports are idempotent). */
#ifndef FB_STORE_IMPORT_H
#define FB_STORE_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store/records.h"
#include "store/store.h"

#define IMPORT_BATCH 100000

typedef enum { IMPORT_AUTO = 0, IMPORT_KLINES, IMPORT_FUNDING, IMPORT_MARK } ImportKind;

typedef struct {
	const char *exchange; /* NULL: "binance" */
	const char *symbol;   /* NULL: from the file name */
	const char *interval; /* NULL: from the file name */
	ImportKind kind;      /* AUTO: from the file name, then the header */
	FILE *reject_out;     /* rejected lines are reported here (NULL: not at all) */
	long max_reported;    /* report at most this many rejected lines per file (0: all) */
	int64_t now_ms;       /* a candle whose close time is after this is stored as open */
} ImportOptions;

typedef struct {
	ImportKind kind;
	char symbol[FB_SYMBOL_LEN];
	char interval[FB_INTERVAL_LEN];
	long lines, read, inserted, updated, unchanged, rejected;
	/* klines: the exchange, the newest open time read, and whether rows of another symbol
	 * or exchange were in the file */
	char exchange[FB_EXCHANGE_LEN];
	int64_t last_open;
	int mixed;
} ImportStats;

/* Imports one file ("-" for standard input). Returns 0 when the file was read to its end
 * (rejected lines included: see stats), or -1 with err when it could not be imported at all
 * (unreadable, no symbol or interval, database error; a database error rolls back the batch
 * in progress). */
int import_file(Store *st, const char *path, const ImportOptions *opt, ImportStats *stats,
                char *err, size_t errlen);

/* Files of one symbol at several intervals imported together come from one download, whose
 * last candles may still have been open: the data ends where the finest file's does (its
 * newest open time + interval), and a candle of a coarser file closing after that was still
 * open when downloaded: it is stored as not closed. Returns how many were marked, or -1 with
 * err. */
long import_mark_open_tails(Store *st, const ImportStats *files, int n, char *err, size_t errlen);

/* Reads symbol, interval and kind from a file name such as BTCUSDT-5m-2025-01.csv.gz,
 * BTCUSDT-klines-5m.csv or BTCUSDT-fundingRate.csv. Fields it cannot tell are left empty
 * (kind IMPORT_AUTO). Returns 0, or -1 for a name of a kind import refuses (err says why). */
int import_parse_name(const char *path, char *symbol, size_t symlen, char *interval, size_t intlen,
                      ImportKind *kind, char *err, size_t errlen);

const char *import_kind_name(ImportKind kind);

#endif
