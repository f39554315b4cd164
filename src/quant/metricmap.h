/* The market_metrics rows and the engine events they are: one table, used both ways. The
 * collector turns an event into rows (metric_rows) and the replay turns rows back into
 * events (metric_event_of, metric_apply), so the two cannot drift apart.
 *
 *   mark_price, index_price, funding_rate_est   EV_MARK (one event per instant)
 *   open_interest (contracts)                   EV_OPEN_INTEREST .contracts
 *   open_interest_value (quote asset)           EV_OPEN_INTEREST .value
 *   ls_ratio_global, ls_ratio_top_accounts,
 *   ls_ratio_top_positions, taker_buy_sell_ratio EV_RATIO of that kind
 *   book_imbalance                              EV_BOOK_TOP .imbalance
 *   cvd (quote asset, since the collector began) no event: not replayed */
#ifndef FB_QUANT_METRICMAP_H
#define FB_QUANT_METRICMAP_H

#include "quant/event.h"

typedef enum {
	MET_MARK_PRICE,
	MET_INDEX_PRICE,
	MET_FUNDING_EST,
	MET_OPEN_INTEREST,
	MET_OI_VALUE,
	MET_LS_GLOBAL,
	MET_LS_TOP_ACCOUNTS,
	MET_LS_TOP_POSITIONS,
	MET_TAKER_RATIO,
	MET_BOOK_IMBALANCE,
	MET_CVD,
	MET_COUNT
} MetricId;

/* The stored name of m. */
const char *metric_name(MetricId m);
/* The id of a stored name; MET_COUNT when it is none of the above. */
MetricId metric_lookup(const char *name);
/* The event type a row of m replays as; 0 when it does not replay (cvd). */
EventType metric_event_of(MetricId m);
/* The metric of a ratio kind. */
MetricId metric_of_ratio(RatioKind kind);

/* An empty event of type t for symbol at ts, every value NAN (the fields rows then fill). */
void metric_event_init(Event *ev, EventType t, const char *symbol, int64_t ts);
/* Puts v where a row of m belongs in ev (of type metric_event_of(m)). */
void metric_apply(Event *ev, MetricId m, double v);
/* The rows ev is stored as: ids and values (at most 3), the count. NAN values are left out. */
int metric_rows(const Event *ev, MetricId ids[3], double values[3]);

#endif
