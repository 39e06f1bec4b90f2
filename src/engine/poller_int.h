/* poller_int.h: what the pollers and reconcile share: a batch of hints written in one
 * transaction with a cursor, snapshot hashes, and JSON cursors. For src/engine only. */
#ifndef PHEEDSYNC_ENGINE_POLLER_INT_H
#define PHEEDSYNC_ENGINE_POLLER_INT_H

#include "engine/poller.h"

#include <jansson.h>

typedef struct poller_hint {
    char *key, *kind, *payload;
} poller_hint;

typedef struct poller_batch {
    const char *source; /* "poller", "reconcile" */
    int64_t delay_ms;
    poller_hint *v;
    size_t n, cap;
} poller_batch;

/* Queues a hint; payload is dumped (NULL: {}). */
int poller_batch_add(poller_batch *b, const char *key, const char *kind, const json_t *payload,
                     err *e);
/* Appends every queued hint and, when cursor is not NULL, puts it under cursor_name, all in one
 * transaction; the batch is emptied on success. *out_n (may be NULL) gets the hints written. */
int poller_batch_flush(size_t *out_n, poller_batch *b, store *s, const char *cursor_name,
                       const json_t *cursor, err *e);
void poller_batch_free(poller_batch *b);

/* The cursor's JSON object; a new empty object when it is unset. *out_found (may be NULL) says
 * whether it was set. A value that is not a JSON object counts as unset (and is logged). */
int poller_cursor_load(json_t **out, bool *out_found, store *s, const char *name, err *e);

/* A 64-bit FNV-1a of the record's canonical JSON (sorted keys), as 16 hex digits. */
void poller_hash(char out[17], const json_t *record);

bool poller_stopped(const poller_options *o);

#endif
