/* The replay player: the stored market played back through the engine on a clock the caller
 * moves (forward or back), for `futuresboard replay`. Everything before the start of the clock
 * is applied first (indicators warm, alerts held back); after that, the engine and its alert
 * rules see exactly the events a live engine saw, in exchange-time order. Moving the clock
 * back rebuilds the engine from the first stored event (alerts already shown are not raised
 * again). A player belongs to the thread that opened it; its snapshots may be read anywhere
 * until released. */
#ifndef FB_QUANT_PLAYER_H
#define FB_QUANT_PLAYER_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "quant/engine.h"
#include "store/clickhouse.h"

typedef struct {
	QuantOptions q; /* nintervals 0: the intervals stored for the exchange, shortest first;
	                 * exchange NULL: the exchange with the most series */
	const char *db_path;
	int64_t from_ms;     /* start of the clock; 0: one day before the newest candle */
	int64_t to_ms;       /* end of the clock; 0: the newest candle's close */
	const Config *rules; /* [alert NAME] sections compiled for each engine; NULL: none */
	const ChOptions *ch; /* read from this cluster store instead of db_path (NULL: the file) */
} PlayerOptions;

typedef struct Player Player;

/* Opens the store read-only and warms the engine up to the start. NULL with err (also when
 * there are no stored candles). */
Player *player_open(const PlayerOptions *o, char *err, size_t errlen);
void player_close(Player *p);

int64_t player_time(const Player *p);
int64_t player_start(const Player *p);
int64_t player_end(const Player *p);
const char *player_exchange(const Player *p);
/* The database file, or the cluster store's URL and database. */
const char *player_db_path(const Player *p);
/* What the player reads through; the caller's thread is the player's. */
StoreReader *player_reader(Player *p);
const QuantOptions *player_options(const Player *p);

/* Moves the clock to t (clamped to [start, end]) and publishes a snapshot: every event with a
 * time up to t has been applied. 0, or -1 with err when the store cannot be read (close the
 * player then). */
int player_seek(Player *p, int64_t t, char *err, size_t errlen);
/* The clock one candle of interval_ms later (dir 1) or earlier (dir -1), on the interval's
 * grid: from 12:03 a 5m step goes to 12:05 or 12:00. */
int64_t player_step_time(const Player *p, int64_t interval_ms, int dir);

QuantSnapshot *player_acquire(Player *p);
void player_release(Player *p, QuantSnapshot *s);

#endif
