/* pl_client.h: the PheedLoop REST API v3 client: authentication check, events, attendees
 * (single and bulk), registrations since a date, attendance and check-in, members, contact and
 * event tags, announcements and REST hooks, over the shared HTTP client (governor, breaker,
 * retries, one error classification).
 *
 * Conventions
 * - Every call goes to BASE/api/v3/organization/ORG/PATH/ with X-API-KEY and X-API-SECRET.
 *   Codes given by callers are percent-encoded as path segments ("." and ".." are refused).
 * - Functions return 0 or a negative ERR_* code with e saying what happened:
 *   ERR_AUTH (401/403: wrong key or secret), ERR_NOT_FOUND (404: the record, the event or the
 *   organization does not exist), ERR_INVALID (400: the message lists DRF's field errors),
 *   ERR_CONFLICT (400 saying the email already exists in the event, 409), ERR_LIMIT (429 once
 *   retries ran out; call->retry_after_ms says when to come back), ERR_NET (5xx, timeouts,
 *   resets, refused connections, after retries), ERR_BAD_STATE (the breaker is open), ERR_PARSE
 *   (a 2xx answer of an unexpected shape).
 * - pl_call (may be NULL) selects the governor lane and receives the outcome of the last HTTP
 *   exchange: the engine needs to know whether a failed create may have happened anyway.
 * - Reads, PATCHes of absolute values, check-in/out and DELETEs may be retried; creates (POST)
 *   never are once they may have reached PheedLoop: a retried create could make a second
 *   attendee and cost the customer a credit. The engine makes creates safe with
 *   pl_client_find_attendee_by_email() before trying again.
 * - Lists come through a pl_iter (pl_iter.h) that walks page numbers; a 404
 *   {"detail": "Invalid page."} ends a list, any other 404 is an error.
 * - Thread-safe: one client may serve every worker at once. */
#ifndef PHEEDSYNC_PL_CLIENT_H
#define PHEEDSYNC_PL_CLIENT_H

#include "net/http_client.h"
#include "pheedloop/pl_parse.h"
#include "util/config.h"

#define PL_API_ROOT "/api/v3/organization/"
#define PL_DEFAULT_BASE_URL "https://api.pheedloop.com"
/* PheedLoop's usual page size; its lists allow at most this many per page. */
#define PL_PAGE_SIZE_DEFAULT 500

typedef struct pl_client_config {
    const char *base_url;    /* service root; NULL: PL_DEFAULT_BASE_URL */
    const char *org_code;    /* required */
    const char *api_key;     /* required */
    const char *api_secret;  /* required */
    int64_t rate_per_minute; /* requests per minute we allow ourselves; 0: no limit of our own
                                (429 answers still hold every caller back for Retry-After) */
    int page_size;           /* 0: PL_PAGE_SIZE_DEFAULT */
    http_client *http;       /* shared transport; NULL: the client makes its own */
    const http_client_config *http_config; /* for its own transport; NULL: defaults */
    const breaker_config *breaker;         /* NULL: defaults */
    clock_source *clock;                   /* governor and breaker; NULL: system clock */
    governor_shared shared; /* with rate_per_minute: the budget other processes share */
} pl_client_config;

/* What one call did, for callers that decide retries and dead letters. */
typedef struct pl_call {
    governor_lane lane; /* in: GOVERNOR_LANE_LIVE unless set */
    /* out: */
    int status;      /* the last HTTP status; 0 when no answer came */
    api_error error; /* kind API_OK after a success */
    int attempts;
    int64_t retry_after_ms; /* rate limited: when to come back (from now); -1 unknown */
    bool maybe_applied;     /* failed after PheedLoop may have acted (5xx, timeout, reset) */
} pl_call;

typedef struct pl_client pl_client;
typedef struct pl_iter pl_iter;

int pl_client_new(pl_client **out, const pl_client_config *cfg, err *e);
/* From the [pheedloop] section (environment overrides included). ERR_CONFIG names a missing
 * org_code, api_key or api_secret. http may be NULL. */
int pl_client_from_config(pl_client **out, const config *cfg, http_client *http, err *e);
void pl_client_free(pl_client *c);
const char *pl_client_org(const pl_client *c);
/* {"governor": ..., "breaker": ...} for the status page. */
json_t *pl_client_state_json(pl_client *c);
/* For a process that stops: every wait for rate budget ends now, and later ones at once, with
 * ERR_BAD_STATE (such a request was never sent). Requests already sent finish. */
void pl_client_stop_waits(pl_client *c);

/* GET validateauth/: 0 when key, secret and organization are accepted. *out_answer (may be
 * NULL) gets the answer body. */
int pl_client_validate_auth(json_t **out_answer, pl_client *c, pl_call *call, err *e);

/* ---------------------------------------------------------------- events */
int pl_client_events(pl_iter **out, pl_client *c, governor_lane lane, err *e);
int pl_client_get_event(pl_event_rec *out, pl_client *c, const char *event, pl_call *call, err *e);

/* ---------------------------------------------------------------- attendees */
int pl_client_attendees(pl_iter **out, pl_client *c, const char *event, governor_lane lane, err *e);
int pl_client_get_attendee(pl_attendee *out, pl_client *c, const char *event, const char *code,
                           pl_call *call, err *e);
/* POST with fields (the API's flat create body) plus send_app_welcome_email,
 * send_attendee_portal_welcome and send_welcome_virtual_portal_email forced to false: a sync
 * never sends PheedLoop's welcome emails. Never retried after it may have been received. */
int pl_client_create_attendee(pl_attendee *out, pl_client *c, const char *event,
                              const json_t *fields, pl_call *call, err *e);
/* PATCH: only the given fields change (metadata is replaced whole). */
int pl_client_update_attendee(pl_attendee *out, pl_client *c, const char *event, const char *code,
                              const json_t *fields, pl_call *call, err *e);
/* A hard delete. ERR_NOT_FOUND when it is already gone (also after a retried delete). */
int pl_client_delete_attendee(pl_client *c, const char *event, const char *code, pl_call *call,
                              err *e);
/* Bulk calls are all or nothing on PheedLoop's side; at most 1000 items. Creates get the
 * welcome flags forced to false like single creates; updates need "code" in every item. */
int pl_client_bulk_create_attendees(pl_attendee_list *out, pl_client *c, const char *event,
                                    const json_t *items, pl_call *call, err *e);
int pl_client_bulk_update_attendees(pl_attendee_list *out, pl_client *c, const char *event,
                                    const json_t *items, pl_call *call, err *e);
int pl_client_bulk_delete_attendees(pl_codes_result *out, pl_client *c, const char *event,
                                    const char *const *codes, size_t n, pl_call *call, err *e);
/* The safe-create lookup: scans the event's whole attendee list for email_norm (already
 * normalised: trimmed, lower-cased) and compares each attendee's email normalised the same way.
 * ERR_NOT_FOUND when nobody has it; ERR_CONFLICT when several do (reported, never guessed). */
int pl_client_find_attendee_by_email(pl_attendee *out, pl_client *c, const char *event,
                                     const char *email_norm, pl_call *call, err *e);

/* ---------------------------------------------------------------- registrations */
/* Registrations updated on or after the UTC date of since_ms minus one day (0: all of them).
 * PheedLoop's date_updated_gte filter takes a date, not a time, so a poller that saves the
 * newest updated_ms it saw as its cursor would miss changes made later on that same day if it
 * asked from the next day, and could miss changes near midnight if the service's notion of the
 * day differs from ours: one day of overlap covers both. The overlap means the same
 * registration comes back on several polls; callers dedupe by comparing with their shadow. */
int pl_client_registrations_since(pl_iter **out, pl_client *c, const char *event, int64_t since_ms,
                                  governor_lane lane, err *e);
/* The date_updated_gte value the call above sends ("" for since_ms <= 0). */
void pl_client_registrations_from_date(char out[32], int64_t since_ms);

/* ---------------------------------------------------------------- attendance */
int pl_client_attendance(pl_attendance *out, pl_client *c, const char *event, pl_call *call,
                         err *e);
int pl_client_checkin(pl_codes_result *out, pl_client *c, const char *event,
                      const char *const *codes, size_t n, pl_call *call, err *e);
int pl_client_checkout(pl_codes_result *out, pl_client *c, const char *event,
                       const char *const *codes, size_t n, pl_call *call, err *e);

/* ---------------------------------------------------------------- members */
/* since_ms > 0 filters on registration_date_updated_gte with the same one-day overlap. */
int pl_client_members(pl_iter **out, pl_client *c, int64_t since_ms, governor_lane lane, err *e);
int pl_client_get_member(pl_member *out, pl_client *c, const char *code, pl_call *call, err *e);
int pl_client_create_member(pl_member *out, pl_client *c, const json_t *fields, pl_call *call,
                            err *e);
int pl_client_update_member(pl_member *out, pl_client *c, const char *code, const json_t *fields,
                            pl_call *call, err *e);
/* *out: the answer's array of member records. */
int pl_client_bulk_create_members(json_t **out, pl_client *c, const json_t *items, pl_call *call,
                                  err *e);
int pl_client_bulk_update_members(json_t **out, pl_client *c, const json_t *items, pl_call *call,
                                  err *e);

/* ---------------------------------------------------------------- tags */
int pl_client_contact_tags(pl_iter **out, pl_client *c, governor_lane lane, err *e);
int pl_client_get_contact_tag(pl_tag *out, pl_client *c, const char *code, pl_call *call, err *e);
int pl_client_create_contact_tag(pl_tag *out, pl_client *c, const char *name, pl_call *call,
                                 err *e);
int pl_client_rename_contact_tag(pl_tag *out, pl_client *c, const char *code, const char *name,
                                 pl_call *call, err *e);
int pl_client_delete_contact_tag(pl_client *c, const char *code, pl_call *call, err *e);
/* Event tags are read-only through the API. */
int pl_client_event_tags(pl_iter **out, pl_client *c, const char *event, governor_lane lane,
                         err *e);

/* ---------------------------------------------------------------- announcements */
int pl_client_announcements(pl_iter **out, pl_client *c, const char *event, governor_lane lane,
                            err *e);
int pl_client_get_announcement(pl_announcement *out, pl_client *c, const char *event,
                               const char *code, pl_call *call, err *e);
/* fields: title (required), description, recipients (attendee codes), tags, tickets,
 * release_date, release_time, is_notification_push, is_notification_mail. */
int pl_client_create_announcement(pl_announcement *out, pl_client *c, const char *event,
                                  const json_t *fields, pl_call *call, err *e);
int pl_client_update_announcement(pl_announcement *out, pl_client *c, const char *event,
                                  const char *code, const json_t *fields, pl_call *call, err *e);
int pl_client_delete_announcement(pl_client *c, const char *event, const char *code, pl_call *call,
                                  err *e);

/* ---------------------------------------------------------------- REST hooks */
int pl_client_hooks(pl_iter **out, pl_client *c, const char *event, governor_lane lane, err *e);
/* action: "attendee.updated", "registration.created", ... ("*" where the service allows it). */
int pl_client_subscribe_hook(pl_hook *out, pl_client *c, const char *event, const char *action,
                             const char *endpoint, pl_call *call, err *e);
int pl_client_update_hook(pl_hook *out, pl_client *c, const char *event, int64_t id,
                          const char *action, const char *endpoint, pl_call *call, err *e);
int pl_client_delete_hook(pl_client *c, const char *event, int64_t id, pl_call *call, err *e);

/* ---------------------------------------------------------------- the raw request */
/* One request below the organization root: path as the catalog writes it, parameters already
 * filled and encoded, query included ("events/EVE/attendees/?page=2"); a segment "." or ".."
 * is refused. body: JSON or NULL. On 2xx *out_body (may be NULL) gets the answer's bytes,
 * malloc'd and NUL-terminated, *out_len their number. label names the call in messages. */
int pl_client_call(char **out_body, size_t *out_len, pl_client *c, const char *method,
                   const char *path, const json_t *body, http_idempotency idem, const char *label,
                   pl_call *call, err *e);

/* ---------------------------------------------------------------- paging */
/* Each returns 1 with the next item, 0 at the end of the list, or a negative ERR_*. An
 * iterator stays at its error: call again and the same page is asked for again. */
int pl_iter_next(json_t **out, pl_iter *it, err *e); /* a new reference */
int pl_iter_next_attendee(pl_attendee *out, pl_iter *it, err *e);
int pl_iter_next_registration(pl_registration *out, pl_iter *it, err *e);
int pl_iter_next_event(pl_event_rec *out, pl_iter *it, err *e);
int pl_iter_next_member(pl_member *out, pl_iter *it, err *e);
int pl_iter_next_tag(pl_tag *out, pl_iter *it, err *e);
int pl_iter_next_announcement(pl_announcement *out, pl_iter *it, err *e);
int pl_iter_next_hook(pl_hook *out, pl_iter *it, err *e);
/* The list's size as PheedLoop counted it on the latest page; -1 before the first page. */
int64_t pl_iter_count(const pl_iter *it);
/* Items handed out so far, and pages fetched. */
size_t pl_iter_seen(const pl_iter *it);
int pl_iter_pages(const pl_iter *it);
/* True once the end was reached with every item handed out and their number equal to the
 * service's count: what a delete inference needs before it may trust the scan. */
bool pl_iter_complete(const pl_iter *it);
/* The outcome of the latest page request. */
const pl_call *pl_iter_call(const pl_iter *it);
void pl_iter_free(pl_iter *it);

#endif
