/* Recorded exchange traffic for simex --capture: real combined-stream frames, each with the
 * time it was received, in the recorded order. Two layouts are read (plain or gzip):
 *   <receive time ns> <{"stream":...,"data":...}>        (one frame a line)
 *   {"recv_ts": <s>, "msg": {"stream":...,"data":...}}   (JSON lines)
 * Lines without a stream (a REST snapshot) are skipped and counted. Owner: the simex
 * thread, after loading. */
#ifndef FB_SIMEX_CAPTURE_H
#define FB_SIMEX_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#define CAPTURE_MAX_STREAMS 64

typedef struct {
	size_t n;
	int64_t *t_ns;  /* receive time */
	int *stream;    /* index in names */
	char **frame;   /* the combined frame, as received */
	size_t *data;   /* offset of the "data" value in frame */
	size_t *datlen; /* its length */
	char names[CAPTURE_MAX_STREAMS][64];
	int nnames;
	long skipped; /* lines that were not stream frames */
} SimCapture;

/* Adds the frames of path to c (zeroed before the first file), then sim_capture_sort once
 * every file is in. 0, or -1 with err (unreadable, no frame in it, too many streams). */
int sim_capture_load(const char *path, SimCapture *c, char *err, size_t errlen);
/* Puts the frames of every file in receive-time order (a file's own order kept on ties). */
void sim_capture_sort(SimCapture *c);
void sim_capture_free(SimCapture *c);
/* The index of a stream name (as subscribed, e.g. "btcusdt@trade"), or -1. */
int sim_capture_find(const SimCapture *c, const char *name);

#endif
