-- futuresboard cluster schema for ClickHouse (18.16 and later), applied by
-- `futuresboard db init --clickhouse` and checked on start. {db} is [clickhouse] database.
--
-- Kept to what the ClickHouse of Debian 12 (18.16) can do:
--   * no column named `interval` (an 18.16 server then refuses to restart): `tf`;
--   * times are epoch ms as UInt64, plus a DateTime `t` (seconds) to partition by;
--   * no LowCardinality, DateTime64, TTL or codecs; no Nullable in a sort key.
-- Every table is a ReplacingMergeTree(version) keyed like its SQLite table, so a row shipped
-- twice (a retry, a restart from the high-water mark) counts once in `SELECT ... FINAL`, and a
-- candle shipped open and again closed collapses to the closed one (closed rows carry a
-- version 2^62 higher). NULL in SQLite is NULL here.
--
-- Statements are separated by a line holding only ";".

CREATE DATABASE IF NOT EXISTS {db}
;
CREATE TABLE IF NOT EXISTS {db}.candles (
    exchange               String,
    symbol                 String,
    tf                     String,
    open_time              UInt64,
    close_time             UInt64,
    t                      DateTime,
    open                   Float64,
    high                   Float64,
    low                    Float64,
    close                  Float64,
    volume                 Float64,
    quote_volume           Nullable(Float64),
    trades                 Nullable(Int64),
    taker_buy_volume       Nullable(Float64),
    taker_buy_quote_volume Nullable(Float64),
    closed                 UInt8,
    derived_from           String,
    version                UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(t)
ORDER BY (exchange, symbol, tf, open_time)
;
CREATE TABLE IF NOT EXISTS {db}.mark_candles (
    exchange  String,
    symbol    String,
    tf        String,
    open_time UInt64,
    t         DateTime,
    open      Float64,
    high      Float64,
    low       Float64,
    close     Float64,
    closed    UInt8,
    version   UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(t)
ORDER BY (exchange, symbol, tf, open_time)
;
CREATE TABLE IF NOT EXISTS {db}.funding (
    exchange     String,
    symbol       String,
    funding_time UInt64,
    t            DateTime,
    funding_rate Float64,
    mark_price   Nullable(Float64),
    version      UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(t)
ORDER BY (exchange, symbol, funding_time)
;
CREATE TABLE IF NOT EXISTS {db}.market_metrics (
    exchange String,
    symbol   String,
    metric   String,
    ts       UInt64,
    t        DateTime,
    value    Float64,
    version  UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(t)
ORDER BY (exchange, symbol, metric, ts)
;
CREATE TABLE IF NOT EXISTS {db}.liquidations (
    exchange String,
    symbol   String,
    ts       UInt64,
    t        DateTime,
    side     String,
    price    Float64,
    qty      Float64,
    version  UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(t)
ORDER BY (exchange, symbol, ts, side, price, qty)
;
