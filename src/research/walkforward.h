/* Walk-forward validation: the bars are cut into windows of train then test; on each training
 * window every combination of the parameter grid is backtested and the best by the objective
 * kept; that choice is then backtested on the test window that follows, which it has never
 * seen. Windows move forward by the test length, so the test windows tile the range without
 * overlap and their runs are chained (each starts with the previous one's final equity) into
 * one out-of-sample equity curve.
 *
 * Every run, training and test, is warmed: up to BT_WARM_BARS stored bars before it (the
 * history before --from included) feed the strategy's own indicators and trade nothing.
 * Training runs start flat. The test windows are one run whose parameters change at each
 * window's start (BtConfig.sched): the decision at the close before a window is the new
 * choice's, and a position it keeps is carried over the boundary, not closed and reopened. */
#ifndef FB_RESEARCH_WALKFORWARD_H
#define FB_RESEARCH_WALKFORWARD_H

#include "research/backtest.h"
#include "research/data.h"
#include "research/report.h"

#define WF_MAX_VALUES 16

typedef struct {
	int nparams;
	int param[BT_MAX_PARAMS]; /* index in BtConfig.p */
	int nvalues[BT_MAX_PARAMS];
	double values[BT_MAX_PARAMS][WF_MAX_VALUES];
} WfGrid;

typedef struct {
	int64_t train_from, test_from, test_to; /* open times; test_to exclusive */
	double p[BT_MAX_PARAMS];                /* chosen on the training window */
	double is_score, oos_score;
	double is_return, oos_return;
	int oos_trades;
} WfWindow;

typedef struct {
	WfWindow *w;
	int nw;
	BtResult oos;             /* the test windows' run */
	int oos_from;             /* index in the data's bars of oos's first bar */
	int boundaries, carried;  /* window boundaries, and those a position was held through */
	double is_mean, oos_mean; /* mean objective over the windows */
	int combos;
} WfResult;

/* Parses "train=90d,test=30d" (units m h d w). 0, or -1 with err. */
int wf_parse_spec(const char *spec, int64_t *train_ms, int64_t *test_ms, char *err, size_t errlen);
/* Parses "name=v1,v2,..." for a strategy into the grid. 0, or -1 with err. */
int wf_grid_add(WfGrid *g, BtStrategy s, const char *arg, char *err, size_t errlen);
/* A strategy's default grid. */
void wf_default_grid(WfGrid *g, BtStrategy s);

/* objective: a bt_report_value() name. Every run warms on up to BT_WARM_BARS bars. */
int wf_run(const BtConfig *base, const BtData *d, const WfGrid *g, int64_t train_ms,
           int64_t test_ms, const char *objective, WfResult *out, char *err, size_t errlen);
void wf_result_free(WfResult *r);

#endif
