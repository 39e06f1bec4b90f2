/* engine.h: the sync engine's shared context and the contract between its parts: capture
 * (webhooks, pollers, reconcile) writes hints to the inbox; the planner turns each hint into
 * operations in the outbox; workers run them through the API clients. */
#ifndef PHEEDSYNC_ENGINE_H
#define PHEEDSYNC_ENGINE_H

#include "ghl/ghl_client.h"
#include "pheedloop/pl_client.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/config.h"

/*
 * Record keys (store_hint_new.record_key): hints coalesce on them, and the planner re-reads
 * the record they name, so a key names one person on one side:
 *   "ghl:LOCATION_ID:CONTACT_ID"          a HighLevel contact (also for its tasks, notes,
 *                                         appointments and tags: they live on the person)
 *   "pl:ORG_CODE:EVENT_CODE:ATTENDEE_CODE" a PheedLoop attendee (also for its registration
 *                                         and check-in)
 * Hint kinds (store_hint_new.kind): the webhook's own event name (ContactUpdate, TaskCreate,
 * attendee.updated, checkin.created, ...), "poll" (a poller saw the record change), "scan"
 * (backfill or reconcile saw it), "gone" (a complete scan no longer sees it: the only source
 * of delete detection). Sources: "ghl", "pheedloop", "poller", "backfill", "reconcile".
 * The payload is the webhook body or the record as the scan read it: a hint only.
 */
#define ENGINE_KEY_MAX 256

/* One link of the configuration: a HighLevel location to a PheedLoop organization's events.
 * A configuration may have several ([link "NAME"] sections beside [ghl] and [pheedloop]); each
 * gets an engine of its own over the shared store, and no location or organization's event is
 * in two links, so a record key belongs to one link. */
#define ENGINE_DEFAULT_LINK "" /* the link of [ghl] location_id and [pheedloop] */

typedef struct engine_link_cfg {
    const char *location_id;
    const char *org_code;
    const char *const *events; /* NULL-terminated */
    const char *name; /* ENGINE_DEFAULT_LINK or the [link "NAME"]; NULL counts as the default */
} engine_link_cfg;

typedef struct engine {
    const config *cfg;
    store *store; /* this thread's or process's store handle, bound to link.name
                     (store_bind_link) when several links share the store */
    ghl_client *ghl;
    pl_client *pl;
    clock_source *clock;
    const char *owner;    /* this process's name in leases: "host:pid" */
    engine_link_cfg link; /* the link this engine syncs */
    int64_t planner_until; /* this engine holds the link's planner lock until then (0: not) */
} engine;

/* "ghl:LOC:ID" into out; ERR_LIMIT past ENGINE_KEY_MAX. */
int engine_key_ghl(char out[ENGINE_KEY_MAX], const char *location_id, const char *contact_id,
                   err *e);
int engine_key_pl(char out[ENGINE_KEY_MAX], const char *org, const char *event, const char *code,
                  err *e);
/* Splits a key in place-free copies; parts[] point into scratch. Returns the side ("ghl" or
 * "pl") or NULL when the key is malformed. */
const char *engine_key_parse(const char *key, char scratch[ENGINE_KEY_MAX], const char *parts[3]);

/* Whether key names a record of link l: its location, or its organization and one of its
 * events. */
bool engine_key_in_link(const engine_link_cfg *l, const char *key);
/* The name of a store cursor or lock of one link: base for the default link (what a
 * configuration of one link always used), "base:NAME" for a named one. */
void engine_link_scoped(char *out, size_t size, const engine_link_cfg *l, const char *base);
/* "default" or the link's name, for messages and reports. */
const char *engine_link_label(const engine_link_cfg *l);

#endif
