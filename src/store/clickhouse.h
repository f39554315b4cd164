/* ClickHouse, the cluster store: a client of its HTTP interface (libcurl, one reused
 * connection, HTTP basic auth), the reader interface over it (reader.h: SELECT ... FINAL in
 * RowBinary, streamed), the schema (schema-clickhouse.sql) and the shipping of SQLite rows
 * into it (RowBinary INSERTs). A client belongs to one thread.
 *
 * The password never comes from a config file: FUTURESBOARD_CLICKHOUSE_PASSWORD, or the file
 * [clickhouse] password_file names, which must be readable by its owner alone. It is never
 * printed; errors name the URL and the database. */
#ifndef FB_STORE_CLICKHOUSE_H
#define FB_STORE_CLICKHOUSE_H

#include <stddef.h>
#include <stdint.h>

#include "store/reader.h"
#include "store/store.h"

typedef struct {
	const char *url;           /* http://host:8123 */
	const char *database;      /* futuresboard */
	const char *user;          /* default */
	const char *password_file; /* "" or NULL: FUTURESBOARD_CLICKHOUSE_PASSWORD, or none */
	int timeout_ms;
	/* "" or NULL: one server. Else the <remote_servers> cluster of the server's config: the
	 * tables are NAME_local on every shard and NAME a Distributed table over them, sharded
	 * by cityHash64(symbol); INSERTs go through it synchronously, SELECTs read the union. */
	const char *cluster;
	int gzip; /* send INSERT bodies gzip-compressed (Content-Encoding: gzip) */
} ChOptions;

typedef struct ChClient ChClient;

/* A client (no request is made). NULL with err when the password file is unsafe or
 * unreadable. */
ChClient *ch_open(const ChOptions *o, char *err, size_t errlen);
void ch_close(ChClient *c);
/* "url (database db)", for messages. */
const char *ch_name(const ChClient *c);

/* Runs one statement with an optional body (rows of an INSERT). The answer's body is put in
 * *out (NUL-terminated, caller frees) when out is not NULL. 0, or -1 with err: the server's
 * own message for a refused statement, curl's for a failed connection. */
int ch_exec(ChClient *c, const char *sql, const void *body, size_t len, char **out, char *err,
            size_t errlen);
/* GET /ping. 0, or -1 with err. */
int ch_ping(ChClient *c, char *err, size_t errlen);

/* Applies schema-clickhouse.sql (idempotent); with a cluster, on this server (run it against
 * every shard: distributed DDL needs ZooKeeper on 18.16). 0, or -1 with err. */
int ch_init_schema(ChClient *c, char *err, size_t errlen);
/* Checks that every table of the schema exists. 0, or -1 with err naming what is missing. */
int ch_check_schema(ChClient *c, char *err, size_t errlen);

/* The reader interface over the cluster; the reader borrows c. Free with store_reader_free. */
StoreReader *ch_reader(ChClient *c);

/* Ships the SQLite store's rows of every table, each in time order from its high-water mark
 * (kept in st, per target) or from from_ms, in INSERTs of batch_rows; the mark advances
 * after each answered batch. progress() (may be NULL) is called after each batch with the
 * table, rows shipped so far and the fraction of its time span done. Returns the rows
 * shipped, or -1 with err (the marks keep what was shipped). */
typedef void (*ChProgress)(void *arg, const char *table, long rows, double done);
long ch_push(ChClient *c, Store *st, int64_t from_ms, int batch_rows, ChProgress progress,
             void *arg, char *err, size_t errlen);

/* Ships up to max outbox entries of table t after seq after (store.h, store_outbox_read): the
 * rows they name in one INSERT. The count (0: none waiting), with *upto the last entry's seq
 * (to remove once this returned), or -1 with err (nothing is removed: they go again). */
long ch_ship_outbox(ChClient *c, Store *st, StoreTable t, int64_t after, int max, int64_t *upto,
                    char *err, size_t errlen);

/* The schema's text, embedded ({db} where the database goes). */
extern const char store_clickhouse_schema_sql[];

#endif
