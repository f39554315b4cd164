-- futuresboard store schema: the single source of truth, compiled into the binary.
--
-- Opening a database runs, in one transaction: the "before" step of each forward migration its
-- PRAGMA user_version needs (src/store/store.c: they alter or rename existing tables), this
-- whole file (which creates whatever is missing), the migrations' "after" steps (which move
-- data into the new tables), and sets user_version to the number below. Every statement here
-- must therefore be idempotent (IF NOT EXISTS); a migration that changes a view drops it in
-- its "before" step.
--
-- History:
--   1  candles with open/high/low/close/volume only, funding.
--   2  candles keyed by (series_id, open_time) with a series table and the v_candles view,
--      source_gaps;
--      candles gain quote_volume, trades, taker-buy volumes, closed; market_metrics,
--      liquidations, alerts, backtest runs and trades, quant_summary.
--   3  quant_summary holds every feature column.
--   4  backtest_trades gain liquidated; backtest_equity holds each run's equity curve.
--   5  mark_candles: the exchange's mark-price candles (what liquidations trigger on);
--      series gain derived_from (built from a lower interval by db aggregate).
--   6  rest_limits: each exchange's REST limiter as the last collector left it.
--   7  index_candles.
--   8  ship_marks: how far each table was shipped to a cluster store (ClickHouse); the
--      ship_* outbox tables of a collector that ships.
--   9  quant_summary gains the columns across exchanges (oi_all, oi_all_z, oi_share,
--      funding_all, funding_spread, price_spread, liq_all_1h).
--
-- Conventions:
--   * times are INTEGER epoch milliseconds UTC;
--   * symbols as the exchange writes them (BTCUSDT), exchange beside them (binance, simex);
--   * intervals as Binance names them (1m 5m 15m 1h 4h 1d ...);
--   * "volume" is always the BASE asset quantity (BTC for BTCUSDT) and "quote_volume" the
--     QUOTE asset amount (USDT). Both are stored; quote_volume is NULL when the source did not
--     carry it (e.g. the 6-column CSV layout) rather than estimated;
--   * NULL means "the source did not say", never zero.

PRAGMA user_version = 9;

-- One row per candle series: an exchange's symbol at one interval. Candles refer to it by id,
-- so each candle row carries one small integer instead of three strings: rows are about half
-- the size and every lookup compares integers. Series rows are never deleted.
-- derived_from: NULL for the exchange's own candles; the lower interval ('5m') a series was
-- built from by db aggregate (exact decimal sums; only complete buckets). The exchange's own
-- candles, when they arrive, replace the built ones and clear it.
CREATE TABLE IF NOT EXISTS series (
    id           INTEGER PRIMARY KEY,
    exchange     TEXT    NOT NULL,
    symbol       TEXT    NOT NULL,
    interval     TEXT    NOT NULL,
    derived_from TEXT,
    UNIQUE (exchange, symbol, interval)
);

-- One row per candle. closed = 0 marks a candle still forming; it is upserted until it closes,
-- and an update for a still-open candle never overwrites a closed one.
CREATE TABLE IF NOT EXISTS candles (
    series_id              INTEGER NOT NULL,   -- series.id
    open_time              INTEGER NOT NULL,
    close_time             INTEGER NOT NULL,
    open                   REAL    NOT NULL,
    high                   REAL    NOT NULL,
    low                    REAL    NOT NULL,
    close                  REAL    NOT NULL,
    volume                 REAL    NOT NULL,   -- base asset
    quote_volume           REAL,               -- quote asset (USDT)
    trades                 INTEGER,
    taker_buy_volume       REAL,               -- base asset bought by takers
    taker_buy_quote_volume REAL,               -- quote asset spent by taker buyers
    closed                 INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (series_id, open_time)
) WITHOUT ROWID;

-- Candles with their series spelled out, for people and scripts using the sqlite3 shell.
CREATE VIEW IF NOT EXISTS v_candles AS
SELECT s.exchange, s.symbol, s.interval, c.open_time, c.close_time, c.open, c.high, c.low,
       c.close, c.volume, c.quote_volume, c.trades, c.taker_buy_volume,
       c.taker_buy_quote_volume, c.closed
FROM candles AS c JOIN series AS s ON s.id = c.series_id;

-- Candles the exchange itself does not have (found by backfill: it asked and got nothing), so
-- they are reported once and not fetched again, and db check can tell them from our own gaps.
CREATE TABLE IF NOT EXISTS source_gaps (
    series_id INTEGER NOT NULL,   -- series.id
    from_time INTEGER NOT NULL,   -- first missing open time
    to_time   INTEGER NOT NULL,   -- last missing open time
    found_ms  INTEGER NOT NULL,
    PRIMARY KEY (series_id, from_time)
) WITHOUT ROWID;

-- Mark-price candles (Binance markPriceKlines): the price liquidations trigger on. Kept apart
-- from the trade candles, which every reader of candles takes as trades.
CREATE TABLE IF NOT EXISTS mark_candles (
    exchange  TEXT    NOT NULL,
    symbol    TEXT    NOT NULL,
    interval  TEXT    NOT NULL,
    open_time INTEGER NOT NULL,
    open      REAL    NOT NULL,
    high      REAL    NOT NULL,
    low       REAL    NOT NULL,
    close     REAL    NOT NULL,
    closed    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (exchange, symbol, interval, open_time)
) WITHOUT ROWID;

-- Index-price candles (/fapi/v1/indexPriceKlines, by pair: the symbol for USDT perpetuals):
-- what REST gives back of the index the mark-price stream carries every second.
CREATE TABLE IF NOT EXISTS index_candles (
    exchange  TEXT    NOT NULL,
    symbol    TEXT    NOT NULL,
    interval  TEXT    NOT NULL,
    open_time INTEGER NOT NULL,
    open      REAL    NOT NULL,
    high      REAL    NOT NULL,
    low       REAL    NOT NULL,
    close     REAL    NOT NULL,
    closed    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (exchange, symbol, interval, open_time)
) WITHOUT ROWID;

-- Realised funding: one row per funding event.
CREATE TABLE IF NOT EXISTS funding (
    exchange     TEXT    NOT NULL,
    symbol       TEXT    NOT NULL,
    funding_time INTEGER NOT NULL,
    funding_rate REAL    NOT NULL,   -- per funding period, as a fraction (0.0001 = 0.01 %)
    mark_price   REAL,
    PRIMARY KEY (exchange, symbol, funding_time)
) WITHOUT ROWID;

-- Time series of scalar market metrics, one row per (symbol, metric, time). Metric names:
--   mark_price, index_price, funding_rate_est, next_funding_time, open_interest (contracts),
--   open_interest_value (USDT), ls_ratio_global, ls_ratio_top_accounts,
--   ls_ratio_top_positions, taker_buy_sell_ratio, book_imbalance, best_bid, best_ask,
--   cvd (quote asset), open_interest_sides (1: the open_interest rows count one side),
--   funding_interval_h (stored when it changes), quote_volume_24h (at each ranking).
CREATE TABLE IF NOT EXISTS market_metrics (
    exchange TEXT    NOT NULL,
    symbol   TEXT    NOT NULL,
    metric   TEXT    NOT NULL,
    ts       INTEGER NOT NULL,
    value    REAL    NOT NULL,
    PRIMARY KEY (exchange, symbol, metric, ts)
) WITHOUT ROWID;

-- Forced liquidation orders as the exchange reports them.
CREATE TABLE IF NOT EXISTS liquidations (
    exchange TEXT    NOT NULL,
    symbol   TEXT    NOT NULL,
    ts       INTEGER NOT NULL,
    side     TEXT    NOT NULL CHECK (side IN ('BUY', 'SELL')),
    price    REAL    NOT NULL,
    qty      REAL    NOT NULL,   -- base asset
    PRIMARY KEY (exchange, symbol, ts, side, price, qty)
) WITHOUT ROWID;

-- Alerts that fired.
CREATE TABLE IF NOT EXISTS alerts (
    id       INTEGER PRIMARY KEY,
    ts       INTEGER NOT NULL,
    exchange TEXT    NOT NULL,
    symbol   TEXT    NOT NULL,
    interval TEXT    NOT NULL DEFAULT '',
    rule     TEXT    NOT NULL,
    severity TEXT    NOT NULL DEFAULT 'info' CHECK (severity IN ('info', 'warn', 'crit')),
    value    REAL,
    message  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS alerts_by_time ON alerts (ts);

-- Backtest run registry: a run's inputs (strategy, series, range, params_json with every
-- setting), the program version, a hash of the candles it used, its report (summary_json),
-- its trades and its equity curve.
CREATE TABLE IF NOT EXISTS backtest_runs (
    id           INTEGER PRIMARY KEY,
    created_ms   INTEGER NOT NULL,
    version      TEXT    NOT NULL,
    strategy     TEXT    NOT NULL,
    exchange     TEXT    NOT NULL,
    symbol       TEXT    NOT NULL,
    interval     TEXT    NOT NULL,
    from_ms      INTEGER NOT NULL,
    to_ms        INTEGER NOT NULL,
    params_json  TEXT    NOT NULL DEFAULT '{}',
    candles_hash TEXT    NOT NULL,
    summary_json TEXT    NOT NULL DEFAULT '{}'
);

CREATE TABLE IF NOT EXISTS backtest_trades (
    run_id      INTEGER NOT NULL REFERENCES backtest_runs (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    side        TEXT    NOT NULL CHECK (side IN ('long', 'short')),
    entry_time  INTEGER NOT NULL,
    entry_price REAL    NOT NULL,
    exit_time   INTEGER,
    exit_price  REAL,
    qty         REAL    NOT NULL,
    pnl         REAL,
    fees        REAL    NOT NULL DEFAULT 0,
    funding     REAL    NOT NULL DEFAULT 0,
    liquidated  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS backtest_equity (
    run_id   INTEGER NOT NULL REFERENCES backtest_runs (id) ON DELETE CASCADE,
    time     INTEGER NOT NULL,   -- a bar's close
    equity   REAL    NOT NULL,
    position INTEGER NOT NULL,   -- held during the bar: 1, 0, -1
    PRIMARY KEY (run_id, time)
) WITHOUT ROWID;

-- The latest derived figures per symbol and timeframe, refreshed every engine cycle: the
-- values after the series' last closed candle (open_time), with the symbol's live gauges
-- (open interest, ratios, funding, mark, basis, imbalance) as of updated_ms. Column names are
-- those of "futuresboard export features"; changes are fractions (0.01 = 1 %).
CREATE TABLE IF NOT EXISTS quant_summary (
    exchange         TEXT    NOT NULL,
    symbol           TEXT    NOT NULL,
    timeframe        TEXT    NOT NULL,
    updated_ms       INTEGER NOT NULL,
    rank             INTEGER,
    last_price       REAL,
    change_24h       REAL,
    quote_volume_24h REAL,
    open_time        INTEGER,
    trend            TEXT,
    vol_regime       TEXT,
    open             REAL,
    high             REAL,
    low              REAL,
    close            REAL,
    volume           REAL,
    quote_volume     REAL,
    trades           REAL,
    change           REAL,
    sma              REAL,
    ema_fast         REAL,
    ema_slow         REAL,
    rsi              REAL,
    atr              REAL,
    boll_mid         REAL,
    boll_up          REAL,
    boll_low         REAL,
    vwap             REAL,
    zscore           REAL,
    rv               REAL,
    vol_of_vol       REAL,
    cvd              REAL,
    cvd_delta        REAL,
    oi               REAL,
    oi_change        REAL,
    oi_z             REAL,
    ls_ratio         REAL,
    ls_change        REAL,
    funding          REAL,
    funding_annual   REAL,
    funding_z        REAL,
    mark             REAL,
    basis            REAL,
    imbalance        REAL,
    oi_all           REAL,
    oi_all_z         REAL,
    oi_share         REAL,
    funding_all      REAL,
    funding_spread   REAL,
    price_spread     REAL,
    liq_all_1h       REAL,
    PRIMARY KEY (exchange, symbol, timeframe)
) WITHOUT ROWID;

-- Each exchange's REST limiter as the last process left it: a ban (418) or Retry-After that
-- is still running, and the weight used in the current minute. A new collector honours it
-- before its first request, so a restart loop cannot turn a ban into a longer one.
CREATE TABLE IF NOT EXISTS rest_limits (
    exchange   TEXT PRIMARY KEY,
    not_before INTEGER NOT NULL,   -- epoch ms: no request before this
    banned     INTEGER NOT NULL,   -- 1: not_before comes from a 418
    used       INTEGER NOT NULL,   -- weight used in the minute `window`
    window     INTEGER NOT NULL,   -- epoch ms / 60000
    updated    INTEGER NOT NULL
);

-- How far each table was shipped to a cluster store (db push --to clickhouse): the time of the
-- last row the target acknowledged, per table. A push resumes from it; the rows of that
-- instant are sent again, which the target's ReplacingMergeTree tables count once.
CREATE TABLE IF NOT EXISTS ship_marks (
    target TEXT    NOT NULL,   -- the server's URL and database
    tbl    TEXT    NOT NULL,
    mark   INTEGER NOT NULL,   -- epoch ms
    PRIMARY KEY (target, tbl)
) WITHOUT ROWID;

-- The outbox of a collector that ships to a cluster store ([clickhouse] url set): the keys of
-- the rows its writer committed, one entry per key (a newer commit of the key replaces its
-- entry at the end), in commit order (seq, never reused). The writer's connection fills them
-- through TEMP triggers, so nothing else pays for them; the shipper thread sends the rows
-- they name, and an entry leaves only after ClickHouse acknowledged its row. The lowest seq
-- still here is each table's high-water mark: a kill -9 or a cluster restart loses nothing.
-- queued_ms: when the entry was made, for the shipper's lag.
CREATE TABLE IF NOT EXISTS ship_candles (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id INTEGER NOT NULL,
    open_time INTEGER NOT NULL,
    queued_ms INTEGER NOT NULL,
    UNIQUE (series_id, open_time)
);
CREATE TABLE IF NOT EXISTS ship_mark_candles (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    exchange  TEXT    NOT NULL,
    symbol    TEXT    NOT NULL,
    interval  TEXT    NOT NULL,
    open_time INTEGER NOT NULL,
    queued_ms INTEGER NOT NULL,
    UNIQUE (exchange, symbol, interval, open_time)
);
CREATE TABLE IF NOT EXISTS ship_funding (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    exchange     TEXT    NOT NULL,
    symbol       TEXT    NOT NULL,
    funding_time INTEGER NOT NULL,
    queued_ms    INTEGER NOT NULL,
    UNIQUE (exchange, symbol, funding_time)
);
CREATE TABLE IF NOT EXISTS ship_metrics (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    exchange  TEXT    NOT NULL,
    symbol    TEXT    NOT NULL,
    metric    TEXT    NOT NULL,
    ts        INTEGER NOT NULL,
    queued_ms INTEGER NOT NULL,
    UNIQUE (exchange, symbol, metric, ts)
);
CREATE TABLE IF NOT EXISTS ship_liquidations (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    exchange  TEXT    NOT NULL,
    symbol    TEXT    NOT NULL,
    ts        INTEGER NOT NULL,
    side      TEXT    NOT NULL,
    price     REAL    NOT NULL,
    qty       REAL    NOT NULL,
    queued_ms INTEGER NOT NULL,
    UNIQUE (exchange, symbol, ts, side, price, qty)
);
