/* The one event stream: everything the engine learns, from the live feed, a replay or a
 * backtest, is one of these, stamped with the exchange's time (epoch ms UTC). */
#ifndef FB_QUANT_EVENT_H
#define FB_QUANT_EVENT_H

#include <stdint.h>

#include "store/records.h"

typedef enum {
	EV_CANDLE = 1,    /* open or closed candle */
	EV_MARK,          /* mark/index price, funding estimate */
	EV_AGG_TRADE,     /* aggregated trade */
	EV_BOOK_TOP,      /* best bid/ask */
	EV_OPEN_INTEREST, /* open interest */
	EV_RATIO,         /* long/short or taker ratio */
	EV_LIQUIDATION,   /* forced order */
	EV_TICKER_24H,    /* rolling 24h statistics */
	EV_FUNDING,       /* a realised funding payment */
	EV_VENUE,         /* another exchange's values for the same instrument */
} EventType;

typedef enum {
	RATIO_LS_GLOBAL = 1,
	RATIO_LS_TOP_ACCOUNTS,
	RATIO_LS_TOP_POSITIONS,
	RATIO_TAKER_BUY_SELL,
} RatioKind;

typedef struct {
	double mark, index, settle, funding_rate;
	int64_t next_funding_time;
} MarkEvent;

typedef struct {
	int64_t id;   /* Binance's aggregate trade id, in order; 0: none (Bybit) */
	uint64_t uid; /* a hash of a string trade id (Bybit's UUIDs); 0: none */
	double price, qty;
	int buyer_is_maker; /* 0: the taker bought */
} TradeEvent;

typedef struct {
	double bid, bid_qty, ask, ask_qty; /* NAN in replay (only the imbalance is stored) */
	double imbalance; /* (bid_qty - ask_qty) / (bid_qty + ask_qty); the parser fills it */
	int64_t update_id;
} BookEvent;

typedef struct {
	double contracts, value; /* value in quote asset; NAN when not given */
} OpenInterestEvent;

typedef struct {
	RatioKind kind;
	double ratio;
} RatioEvent;

typedef struct {
	char side[8]; /* BUY or SELL */
	double price, qty;
} LiquidationEvent;

typedef struct {
	double last, change_pct, volume, quote_volume;
	int64_t trades;
	double tick_size; /* the price step from exchangeInfo; 0 when the source has none */
} TickerEvent;

typedef struct {
	double rate; /* per funding period, as a fraction */
	double mark; /* NAN when unknown */
} FundingEvent;

/* Another exchange's values of an instrument (the cross-exchange columns): ev->symbol is the
 * symbol as that exchange names it, mapped to the engine's own by quant/instrument.h. Fields
 * the event does not carry are NAN (liquidation notionals 0). */
typedef struct {
	char venue[FB_EXCHANGE_LEN]; /* the exchange's label */
	double mark;                 /* per contract unit of that exchange */
	double funding_rate;         /* per funding period */
	double funding_interval_h;   /* the period */
	double oi;                   /* contracts, one side */
	double liq_buy, liq_sell;    /* quote notional of a forced buy / sell */
	double quote_volume_24h;
} VenueEvent;

typedef struct {
	EventType type;
	/* exchange time, epoch ms, the same convention in live, replay and backtest: a closed
	 * candle at its close_time (open_time + interval - 1); a forming candle in live at the
	 * message's time (no later than close_time; stored forming candles replay at close_time);
	 * other events at the time the exchange stamped them */
	int64_t ts;
	char symbol[FB_SYMBOL_LEN];
	union {
		Candle candle; /* its own symbol/interval/exchange fields are filled too */
		MarkEvent mark;
		TradeEvent trade;
		BookEvent book;
		OpenInterestEvent oi;
		RatioEvent ratio;
		LiquidationEvent liq;
		TickerEvent ticker;
		FundingEvent funding;
		VenueEvent venue;
	} u;
} Event;

#endif
