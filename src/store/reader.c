/* The reader interface's dispatch (see reader.h). */
#include "store/reader.h"

#include <stdio.h>

StoreQuery store_query_all(StoreTable t)
{
	StoreQuery q = {.table = t, .from_ms = INT64_MIN, .to_ms = INT64_MAX};
	return q;
}

StoreCursor *store_query(StoreReader *r, const StoreQuery *q, char *err, size_t errlen)
{
	return r->ops->query(r, q, err, errlen);
}

int store_next(StoreCursor *c, StoreRow *row, char *err, size_t errlen)
{
	return c->r->ops->next(c, row, err, errlen);
}

void store_cursor_close(StoreCursor *c)
{
	if (c)
		c->r->ops->close(c);
}

int store_newest(StoreReader *r, const StoreQuery *q, int64_t *t, char *err, size_t errlen)
{
	return r->ops->bound(r, q, 1, t, err, errlen);
}

int store_oldest(StoreReader *r, const StoreQuery *q, int64_t *t, char *err, size_t errlen)
{
	return r->ops->bound(r, q, 0, t, err, errlen);
}

int store_snapshot_begin(StoreReader *r, char *err, size_t errlen)
{
	return r->ops->snapshot(r, 1, err, errlen);
}

void store_snapshot_end(StoreReader *r)
{
	char err[8];
	r->ops->snapshot(r, 0, err, sizeof err);
}

const char *store_reader_name(const StoreReader *r)
{
	return r->name;
}

void store_reader_free(StoreReader *r)
{
	if (r && r->ops->free)
		r->ops->free(r);
}
