/* The shipper thread (see shipper.h). */
#include "store/shipper.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static const StoreTable tables[] = {SR_CANDLES, SR_MARK_CANDLES, SR_FUNDING, SR_METRICS,
                                    SR_LIQUIDATIONS};
#define NTABLES (int)(sizeof tables / sizeof *tables)

struct Shipper {
	ShipperOptions o;
	char *url, *database, *user, *password_file, *cluster, *db_path;
	StoreWriter *w;
	ChClient *ch;           /* shipper thread */
	Store *st;              /* shipper thread */
	int64_t after[NTABLES]; /* shipper thread: entries sent and handed to the writer */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;           /* lock */
	ShipperStats stats; /* lock */
	int schema_ok;      /* shipper thread */
};

static void set_error(Shipper *s, const char *err)
{
	pthread_mutex_lock(&s->lock);
	int first = !s->stats.failing || strcmp(s->stats.last_error, err) != 0;
	s->stats.failing = 1;
	snprintf(s->stats.last_error, sizeof s->stats.last_error, "%s", err);
	s->stats.retries++;
	pthread_mutex_unlock(&s->lock);
	if (first)
		log_warn("ship", "%s (retried with backoff)", err);
}

/* One round: every table's waiting entries, batch by batch. 0, or -1 after an error. */
static int round_trip(Shipper *s, int64_t deadline_ms)
{
	char err[512];
	if (!s->schema_ok) {
		if (ch_check_schema(s->ch, err, sizeof err)) {
			set_error(s, err);
			return -1;
		}
		s->schema_ok = 1;
	}
	for (int i = 0; i < NTABLES; i++) {
		for (;;) {
			int64_t upto = s->after[i];
			long n = ch_ship_outbox(s->ch, s->st, tables[i], s->after[i],
			                        s->o.batch_rows, &upto, err, sizeof err);
			if (n < 0) {
				set_error(s, err);
				return -1;
			}
			if (n == 0)
				break;
			StoreRecord r = {.type = STORE_REC_SHIPPED};
			r.u.shipped.table = tables[i];
			r.u.shipped.upto = upto;
			if (store_writer_put(s->w, &r)) /* the writer stops: the entries stay */
				return -1;
			s->after[i] = upto;
			pthread_mutex_lock(&s->lock);
			int was_failing = s->stats.failing;
			s->stats.rows_shipped += (uint64_t)n;
			s->stats.batches++;
			s->stats.failing = 0;
			s->stats.last_error[0] = '\0';
			s->stats.last_ship_ms = fb_now_ms();
			pthread_mutex_unlock(&s->lock);
			if (was_failing)
				log_info("ship", "%s: shipping again", ch_name(s->ch));
			if (n < s->o.batch_rows || fb_mono_ms() > deadline_ms)
				break;
		}
	}
	return 0;
}

static void update_lag(Shipper *s)
{
	int64_t rows = 0, oldest = -1;
	if (store_outbox_pending(s->st, &rows, &oldest))
		return;
	pthread_mutex_lock(&s->lock);
	s->stats.pending_rows = rows;
	s->stats.lag_ms = oldest > 0 ? fb_now_ms() - oldest : 0;
	if (s->stats.lag_ms < 0)
		s->stats.lag_ms = 0;
	pthread_mutex_unlock(&s->lock);
}

/* Waits ms or until a stop; returns the stop flag. */
static int wait_ms(Shipper *s, int ms)
{
	pthread_mutex_lock(&s->lock);
	if (!s->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		int64_t ns = until.tv_nsec + (int64_t)ms * 1000000;
		until.tv_sec += ns / 1000000000;
		until.tv_nsec = ns % 1000000000;
		pthread_cond_timedwait(&s->cond, &s->lock, &until);
	}
	int stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

static void *ship_main(void *arg)
{
	Shipper *s = arg;
	int backoff = 0;
	for (;;) {
		int stop = wait_ms(s, backoff ? backoff : s->o.flush_ms);
		/* at a stop: one last round of at most about five seconds for what is
		 * committed (the collector syncs its writer first); what a refusing or absent
		 * server leaves waits in the outbox for the next start */
		int64_t deadline = fb_mono_ms() + (stop ? 5000 : 60000);
		if (round_trip(s, deadline) == 0)
			backoff = 0;
		else
			backoff = backoff ? (backoff * 2 > 30000 ? 30000 : backoff * 2) : 1000;
		update_lag(s);
		if (stop)
			break;
	}
	return NULL;
}

Shipper *shipper_start(const ShipperOptions *o, StoreWriter *w, char *err, size_t errlen)
{
	Shipper *s = xcalloc(1, sizeof *s);
	s->o = *o;
	s->url = xstrdup(o->ch.url ? o->ch.url : "");
	s->database = xstrdup(o->ch.database ? o->ch.database : "");
	s->user = xstrdup(o->ch.user ? o->ch.user : "");
	s->password_file = xstrdup(o->ch.password_file ? o->ch.password_file : "");
	s->cluster = xstrdup(o->ch.cluster ? o->ch.cluster : "");
	s->db_path = xstrdup(o->db_path);
	s->o.ch.url = s->url, s->o.ch.database = s->database, s->o.ch.user = s->user;
	s->o.ch.password_file = s->password_file;
	s->o.ch.cluster = s->cluster;
	s->o.db_path = s->db_path;
	if (s->o.batch_rows <= 0)
		s->o.batch_rows = 50000;
	if (s->o.flush_ms <= 0)
		s->o.flush_ms = 1000;
	s->w = w;
	s->ch = ch_open(&s->o.ch, err, errlen);
	if (s->ch)
		s->st = store_open(s->db_path, STORE_READONLY, o->busy_timeout_ms, err, errlen);
	if (!s->ch || !s->st) {
		ch_close(s->ch);
		free(s->url), free(s->database), free(s->user), free(s->password_file),
		        free(s->cluster);
		free(s->db_path);
		free(s);
		return NULL;
	}
	snprintf(s->stats.target, sizeof s->stats.target, "%s", ch_name(s->ch));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, ship_main, s) != 0) {
		snprintf(err, errlen, "cannot start the shipper thread");
		store_close(s->st);
		ch_close(s->ch);
		free(s->url), free(s->database), free(s->user), free(s->password_file),
		        free(s->cluster);
		free(s->db_path);
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->cond);
		free(s);
		return NULL;
	}
	return s;
}

void shipper_get_stats(Shipper *s, ShipperStats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->stats;
	pthread_mutex_unlock(&s->lock);
}

void shipper_stop(Shipper *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	store_close(s->st);
	ch_close(s->ch);
	free(s->url), free(s->database), free(s->user), free(s->password_file), free(s->cluster);
	free(s->db_path);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}
