/* ghl_client.h: the HighLevel (LeadConnector API v2) client: every contacts operation the flows
 * use, typed, over the one HTTP client (rate governor per location, circuit breaker, retries),
 * with tokens from the token manager and custom fields named by key.
 *
 * What every operation does the same way:
 * - Sends Authorization: Bearer, Version: 2021-07-28 and Accept: application/json.
 * - A 401 that is not a scope refusal refreshes the token once (ghl_tokens_refresh) and retries
 *   once. A location waiting for re-authorization sends nothing: the call fails with
 *   ERR_BAD_STATE and call->held set, so that the engine keeps the operation queued.
 * - Returns 0, or api_error_code() of the classified failure (ERR_AUTH, ERR_NOT_FOUND,
 *   ERR_INVALID, ERR_CONFLICT, ERR_LIMIT, ERR_NET, ...), with the details in call->error.
 *   HighLevel answers an unknown contact, task or note with 400 "... not found"; that is
 *   classified not_found here. A create or update refused as a duplicate (400 "does not allow
 *   duplicated contacts", meta.contactId) is ERR_CONFLICT with the existing contact's id in
 *   call->error.existing_id.
 * - Custom fields: writes name them by key ("contact.ticket_type" or "ticket_type"); the
 *   client turns keys into the location's field ids (ghl_fields, loaded on first need) and
 *   read contacts get each value's key filled in. An unknown key is ERR_INVALID before sending. */
#ifndef PHEEDSYNC_GHL_CLIENT_H
#define PHEEDSYNC_GHL_CLIENT_H

#include "ghl/ghl_tokens.h"
#include "ghl/ghl_types.h"
#include "net/http_client.h"

typedef struct ghl_client_config {
    const char *base_url; /* the API root, e.g. https://services.leadconnectorhq.com */
    http_client *http;    /* kept by reference */
    ghl_tokens *tokens;   /* kept by reference */
    breaker *brk;         /* the service's breaker, kept by reference; NULL: none */
    /* The budget of each location (one governor per location, made on first use). Zero:
     * HighLevel's 100 per 10 s and 200,000 a day, learning from the headers. */
    governor_config gov;
    bool no_governor;      /* tests of raw behaviour: no budget at all */
    int64_t fields_ttl_ms; /* how long a location's custom field list is trusted; default
                              600000 (an unknown key reloads it at once) */
    clock_source *clock;   /* NULL: system */
} ghl_client_config;

typedef struct ghl_client ghl_client;

int ghl_client_new(ghl_client **out, const ghl_client_config *cfg, err *e);
void ghl_client_free(ghl_client *c);
/* {"governors": {location: governor_state_json}, "breaker": breaker_state_json or null} for
 * the status page; a location appears once a call was made for it. */
json_t *ghl_client_state_json(ghl_client *c);
/* For a process that stops: every wait for rate budget ends now, and later ones at once, with
 * ERR_BAD_STATE (such a request was never sent: its operation is retried later). Requests
 * already sent finish. */
void ghl_client_stop_waits(ghl_client *c);

/* What one call did on the wire, for the caller's retry or dead-letter decision. */
typedef struct ghl_call {
    api_error error;        /* kind API_OK on success */
    int attempts;           /* HTTP attempts, retries and the 401 retry included */
    bool maybe_applied;     /* failed after sending: the service may have done it */
    bool held;              /* nothing sent: the location needs re-authorization */
    bool refreshed;         /* a 401 made the token be refreshed */
    int64_t retry_after_ms; /* a rate refusal: when to try again (-1 unknown) */
    retry_rate_info rate;   /* the last answer's X-RateLimit-* headers (-1: not sent) */
    char trace_id[HTTP_CLIENT_TRACE_MAX];
} ghl_call;

/* Who a call is for. */
typedef struct ghl_op {
    const char *location_id;
    governor_lane lane; /* live, backfill, reconcile */
    ghl_call *call;     /* may be NULL */
} ghl_op;

/* ---------------------------------------------------------------- contacts */

typedef struct ghl_custom_input {
    const char *key;     /* the field's key, "contact.x" or "x" */
    const json_t *value; /* a string, number, or array of strings; NULL or "" clears */
} ghl_custom_input;

/* Fields to write. NULL leaves a field as it is; "" clears it. dateOfBirth goes as the string
 * HighLevel takes ("1990-09-25"), though contacts.json types it as an object: a validator
 * reading the spec literally flags it. */
typedef struct ghl_contact_input {
    const char *first_name, *last_name, *name, *email, *phone;
    const char *company_name, *business_id;
    const char *address1, *city, *state, *postal_code, *country;
    const char *website, *timezone, *source, *date_of_birth, *assigned_to;
    int dnd; /* -1 (or 0 with dnd_set false): leave; 0 / 1 */
    bool dnd_set;
    const char *const *tags; /* create/upsert: the tags; update: replaces them all */
    size_t n_tags;
    bool tags_set;
    const ghl_custom_input *custom;
    size_t n_custom;
} ghl_contact_input;

int ghl_client_get_contact(ghl_contact *out, ghl_client *c, const ghl_op *op,
                           const char *contact_id, err *e);
int ghl_client_create_contact(ghl_contact *out, ghl_client *c, const ghl_op *op,
                              const ghl_contact_input *in, err *e);
/* Matches by email, then phone (the location's duplicate settings decide); *out_new (may be
 * NULL) says whether a contact was created. Safe to repeat. */
int ghl_client_upsert_contact(ghl_contact *out, bool *out_new, ghl_client *c, const ghl_op *op,
                              const ghl_contact_input *in, err *e);
int ghl_client_update_contact(ghl_contact *out, ghl_client *c, const ghl_op *op,
                              const char *contact_id, const ghl_contact_input *in, err *e);
int ghl_client_delete_contact(ghl_client *c, const ghl_op *op, const char *contact_id, err *e);
/* GET /contacts/search/duplicate: the contact the location would match (email first, then
 * phone); *out_found false when none. email or phone may be NULL, not both. */
int ghl_client_find_duplicate(ghl_contact *out, bool *out_found, ghl_client *c, const ghl_op *op,
                              const char *email, const char *phone, err *e);

/* Tags: each returns the contact's resulting tags (a new JSON array; out may be NULL). */
int ghl_client_add_tags(json_t **out, ghl_client *c, const ghl_op *op, const char *contact_id,
                        const char *const *tags, size_t n, err *e);
int ghl_client_remove_tags(json_t **out, ghl_client *c, const ghl_op *op, const char *contact_id,
                           const char *const *tags, size_t n, err *e);

/* ---------------------------------------------------------------- listing and search */

typedef enum ghl_iter_kind {
    GHL_ITER_SEARCH = 0, /* POST /contacts/search, paged with searchAfter */
    GHL_ITER_LIST,       /* GET /contacts/ (deprecated), startAfter / startAfterId */
    GHL_ITER_BUSINESS,   /* GET /contacts/business/{id}, skip / limit */
} ghl_iter_kind;

typedef struct ghl_client_query {
    ghl_iter_kind kind;
    size_t page_size;        /* default 100 (search), 100 (list, at most), 100 (business) */
    const char *query;       /* free text (all kinds); NULL: none */
    const json_t *filters;   /* search: the "filters" array as the API takes it; NULL: none */
    const json_t *sort;      /* search: the "sort" array; NULL: dateAdded desc (the default) */
    const char *business_id; /* business */
    size_t max;              /* stop after this many contacts; 0: all */
} ghl_client_query;

typedef struct ghl_client_iter ghl_client_iter;

/* The query's strings and JSON are copied. */
int ghl_client_iter_new(ghl_client_iter **out, ghl_client *c, const ghl_op *op,
                        const ghl_client_query *q, err *e);
/* The next page: out->n == 0 when there are no more. out is cleared first. */
int ghl_client_iter_next(ghl_contact_page *out, ghl_client_iter *it, err *e);
/* Matches in all as the service reported on the last page (-1 unknown). */
int64_t ghl_client_iter_total(const ghl_client_iter *it);
void ghl_client_iter_free(ghl_client_iter *it);

/* A search filter {"field", "operator", "value"} for ghl_client_query.filters. */
json_t *ghl_filter(const char *field, const char *op, json_t *value);

/* ---------------------------------------------------------------- tasks, notes, appointments */

typedef struct ghl_task_input {
    const char *title, *body, *due_date, *assigned_to; /* NULL: leave (update) */
    int completed;                                     /* -1: leave; 0 / 1 */
} ghl_task_input;

int ghl_client_list_tasks(ghl_tasks *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                          err *e);
int ghl_client_get_task(ghl_task *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                        const char *task_id, err *e);
/* Create needs title and due_date (completed defaults to false). */
int ghl_client_create_task(ghl_task *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                           const ghl_task_input *in, err *e);
int ghl_client_update_task(ghl_task *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                           const char *task_id, const ghl_task_input *in, err *e);
int ghl_client_complete_task(ghl_task *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                             const char *task_id, bool completed, err *e);
int ghl_client_delete_task(ghl_client *c, const ghl_op *op, const char *contact_id,
                           const char *task_id, err *e);

typedef struct ghl_note_input {
    const char *body, *title, *user_id, *color; /* body is required on create */
    int pinned;                                 /* -1: leave */
} ghl_note_input;

int ghl_client_list_notes(ghl_notes *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                          err *e);
int ghl_client_get_note(ghl_note *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                        const char *note_id, err *e);
int ghl_client_create_note(ghl_note *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                           const ghl_note_input *in, err *e);
int ghl_client_update_note(ghl_note *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                           const char *note_id, const ghl_note_input *in, err *e);
int ghl_client_delete_note(ghl_client *c, const ghl_op *op, const char *contact_id,
                           const char *note_id, err *e);

int ghl_client_list_appointments(ghl_appointments *out, ghl_client *c, const ghl_op *op,
                                 const char *contact_id, err *e);

/* ---------------------------------------------------------------- custom fields */

/* The location's custom field definitions, fresh from the API. */
int ghl_client_list_custom_fields(ghl_field_defs *out, ghl_client *c, const ghl_op *op, err *e);
/* The id of the field with this key ("contact.x" or "x"), from the cache (loaded or reloaded
 * as needed); ERR_NOT_FOUND when the location has no such field. */
int ghl_client_custom_field_id(char **out, ghl_client *c, const ghl_op *op, const char *key,
                               err *e);
/* Primes the location's cache with defs (taken: cleared on return), e.g. a list another
 * client already read. */
int ghl_client_set_fields(ghl_client *c, const char *location_id, ghl_field_defs *defs, err *e);
/* Fills the key of each custom value of contact from the cache. */
int ghl_client_resolve_keys(ghl_contact *contact, ghl_client *c, const ghl_op *op, err *e);

/* ---------------------------------------------------------------- the raw request */

/* One API request: path below base_url (query included), body JSON or NULL. On 2xx *out_body
 * (may be NULL) gets the answer's bytes, malloc'd and NUL-terminated. Everything above goes
 * through here. */
int ghl_client_call(char **out_body, size_t *out_len, ghl_client *c, const ghl_op *op,
                    const char *method, const char *path, const json_t *body, http_idempotency idem,
                    const char *label, err *e);

#endif
