/* See metricmap.h. */
#include "quant/metricmap.h"

#include <math.h>
#include <string.h>

static const struct {
	const char *name;
	EventType event;
	RatioKind ratio;
} metrics[MET_COUNT] = {
        [MET_MARK_PRICE] = {"mark_price", EV_MARK, 0},
        [MET_INDEX_PRICE] = {"index_price", EV_MARK, 0},
        [MET_FUNDING_EST] = {"funding_rate_est", EV_MARK, 0},
        [MET_OPEN_INTEREST] = {"open_interest", EV_OPEN_INTEREST, 0},
        [MET_OI_VALUE] = {"open_interest_value", EV_OPEN_INTEREST, 0},
        [MET_LS_GLOBAL] = {"ls_ratio_global", EV_RATIO, RATIO_LS_GLOBAL},
        [MET_LS_TOP_ACCOUNTS] = {"ls_ratio_top_accounts", EV_RATIO, RATIO_LS_TOP_ACCOUNTS},
        [MET_LS_TOP_POSITIONS] = {"ls_ratio_top_positions", EV_RATIO, RATIO_LS_TOP_POSITIONS},
        [MET_TAKER_RATIO] = {"taker_buy_sell_ratio", EV_RATIO, RATIO_TAKER_BUY_SELL},
        [MET_BOOK_IMBALANCE] = {"book_imbalance", EV_BOOK_TOP, 0},
        [MET_CVD] = {"cvd", 0, 0},
};

const char *metric_name(MetricId m)
{
	return m < MET_COUNT ? metrics[m].name : "";
}

MetricId metric_lookup(const char *name)
{
	for (int m = 0; m < MET_COUNT; m++)
		if (strcmp(name, metrics[m].name) == 0)
			return (MetricId)m;
	return MET_COUNT;
}

EventType metric_event_of(MetricId m)
{
	return m < MET_COUNT ? metrics[m].event : 0;
}

MetricId metric_of_ratio(RatioKind kind)
{
	for (int m = 0; m < MET_COUNT; m++)
		if (metrics[m].event == EV_RATIO && metrics[m].ratio == kind)
			return (MetricId)m;
	return MET_COUNT;
}

void metric_event_init(Event *ev, EventType t, const char *symbol, int64_t ts)
{
	memset(ev, 0, sizeof *ev);
	ev->type = t;
	ev->ts = ts;
	size_t n = strnlen(symbol, sizeof ev->symbol - 1);
	memcpy(ev->symbol, symbol, n);
	switch (t) {
	case EV_MARK:
		ev->u.mark.mark = ev->u.mark.index = ev->u.mark.settle = ev->u.mark.funding_rate =
		        NAN;
		break;
	case EV_OPEN_INTEREST: ev->u.oi.contracts = ev->u.oi.value = NAN; break;
	case EV_RATIO: ev->u.ratio.ratio = NAN; break;
	case EV_BOOK_TOP:
		ev->u.book.bid = ev->u.book.ask = ev->u.book.bid_qty = ev->u.book.ask_qty =
		        ev->u.book.imbalance = NAN;
		break;
	default: break;
	}
}

void metric_apply(Event *ev, MetricId m, double v)
{
	switch (m) {
	case MET_MARK_PRICE: ev->u.mark.mark = v; break;
	case MET_INDEX_PRICE: ev->u.mark.index = v; break;
	case MET_FUNDING_EST: ev->u.mark.funding_rate = v; break;
	case MET_OPEN_INTEREST: ev->u.oi.contracts = v; break;
	case MET_OI_VALUE: ev->u.oi.value = v; break;
	case MET_LS_GLOBAL:
	case MET_LS_TOP_ACCOUNTS:
	case MET_LS_TOP_POSITIONS:
	case MET_TAKER_RATIO:
		ev->u.ratio.kind = metrics[m].ratio;
		ev->u.ratio.ratio = v;
		break;
	case MET_BOOK_IMBALANCE: ev->u.book.imbalance = v; break;
	default: break;
	}
}

int metric_rows(const Event *ev, MetricId ids[3], double values[3])
{
	int n = 0;
#define ROW(id, v)                                                                                 \
	do {                                                                                       \
		if (!isnan(v)) {                                                                   \
			ids[n] = (id);                                                             \
			values[n++] = (v);                                                         \
		}                                                                                  \
	} while (0)
	switch (ev->type) {
	case EV_MARK:
		ROW(MET_MARK_PRICE, ev->u.mark.mark);
		ROW(MET_INDEX_PRICE, ev->u.mark.index);
		ROW(MET_FUNDING_EST, ev->u.mark.funding_rate);
		break;
	case EV_OPEN_INTEREST:
		ROW(MET_OPEN_INTEREST, ev->u.oi.contracts);
		ROW(MET_OI_VALUE, ev->u.oi.value);
		break;
	case EV_RATIO: {
		MetricId m = metric_of_ratio(ev->u.ratio.kind);
		if (m < MET_COUNT)
			ROW(m, ev->u.ratio.ratio);
		break;
	}
	case EV_BOOK_TOP: ROW(MET_BOOK_IMBALANCE, ev->u.book.imbalance); break;
	default: break;
	}
#undef ROW
	return n;
}
