/* counters.h: requests served by an emulator, by operation, method and status; thread-safe. */
#ifndef PHEEDSYNC_SANDBOX_COUNTERS_H
#define PHEEDSYNC_SANDBOX_COUNTERS_H

#include "util/err.h"

#include <jansson.h>

typedef struct sbx_counters sbx_counters;

int sbx_counters_new(sbx_counters **out, err *e);
void sbx_counters_free(sbx_counters *c);
/* op: the route name ("get-contact"), or "unrouted". */
void sbx_counters_add(sbx_counters *c, const char *op, const char *method, int status);
void sbx_counters_reset(sbx_counters *c);
/* {"total": N, "writes": N (calls that change data: not GET, nor a search or a token POST),
 *  "by_method": {"GET": N}, "by_status": {"200": N},
 *  "by_operation": {"get-contact": {"200": N, "404": N}}} */
json_t *sbx_counters_json(sbx_counters *c);

#endif
