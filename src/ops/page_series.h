/* page_series.h: the status page's chart data: a few counts per minute over the last hour, kept
 * in memory (a ring of minutes), and the increase of running totals between two samples. Pure:
 * the clock is a parameter; not thread-safe (the owner locks). */
#ifndef PHEEDSYNC_OPS_PAGE_SERIES_H
#define PHEEDSYNC_OPS_PAGE_SERIES_H

#include "util/common.h"

#include <jansson.h>

#define OPS_SERIES_MINUTES 60

typedef enum ops_series_kind {
    OPS_SERIES_APPLIED,  /* operations the workers completed */
    OPS_SERIES_FAILED,   /* operations that became dead letters */
    OPS_SERIES_API,      /* API requests */
    OPS_SERIES_WEBHOOKS, /* webhook deliveries accepted */
    OPS_SERIES_KINDS,
} ops_series_kind;

/* "applied", "failed", "api_calls", "webhooks". */
const char *ops_series_kind_name(ops_series_kind k);

typedef struct ops_series {
    int64_t minute[OPS_SERIES_MINUTES]; /* which minute (Unix ms / 60000) a slot holds; -1 none */
    uint64_t count[OPS_SERIES_MINUTES][OPS_SERIES_KINDS];
} ops_series;

void ops_series_init(ops_series *s);
/* Adds n to kind in the minute of now_ms. */
void ops_series_add(ops_series *s, int64_t now_ms, ops_series_kind kind, uint64_t n);
/* {"minute_ms": [start of each minute], "applied": [...], "failed": [...], "api_calls": [...],
 *  "webhooks": [...]}: the OPS_SERIES_MINUTES minutes ending with now_ms's, oldest first. */
json_t *ops_series_json(const ops_series *s, int64_t now_ms);

/* A running total followed between samples. */
typedef struct ops_delta {
    bool have;
    uint64_t last;
} ops_delta;

/* The increase since the previous sample; 0 for the first sample, and when the total went down
 * (rows purged, a restart): then counting starts over from it. */
uint64_t ops_delta_next(ops_delta *d, uint64_t total);

#endif
