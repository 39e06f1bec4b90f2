/* webhooks.h: an emulator's outgoing webhook deliveries: a queue and a delivery thread that
 * POSTs each one (libcurl), with the webhook faults applied, redelivering only after a 429. */
#ifndef PHEEDSYNC_SANDBOX_WEBHOOKS_H
#define PHEEDSYNC_SANDBOX_WEBHOOKS_H

#include "sandbox/faults.h"
#include "util/clock.h"
#include "util/err.h"

#include <jansson.h>

typedef struct sbx_webhooks sbx_webhooks;

#define SBX_WEBHOOK_MAX_HEADERS 6

typedef struct sbx_webhook_header {
    const char *name;
    const char *value;
} sbx_webhook_header;

int sbx_webhooks_new(sbx_webhooks **out, sbx_faults *faults, clock_source *clock, err *e);
/* Starts the delivery thread. */
int sbx_webhooks_start(sbx_webhooks *w, err *e);
/* Queues one delivery of body (already signed: the headers carry the signature). Copies all.
 * label: the event type for the log ("ContactCreate", "attendee.updated"). */
int sbx_webhooks_send(sbx_webhooks *w, const char *url, const char *label, const char *body,
                      const sbx_webhook_header *headers, size_t n_headers);
/* Waits until nothing is queued or in flight, or timeout_ms passes; true when drained. */
bool sbx_webhooks_drain(sbx_webhooks *w, int timeout_ms);
/* {"queued": N, "delivered": N, "failed": N, "dropped": N, "recent": [{label, url, status,
 *  attempts, ts}, ...] (last 200)} */
json_t *sbx_webhooks_json(sbx_webhooks *w);
/* Stops the thread; pending deliveries are discarded. */
void sbx_webhooks_stop(sbx_webhooks *w);
void sbx_webhooks_free(sbx_webhooks *w);

#endif
