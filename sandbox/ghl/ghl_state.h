/* ghl_state.h: the HighLevel emulator's internals shared by its source files: locations,
 * contacts with their tasks, notes and appointments, the indexes, the routes, and the helpers
 * every handler uses. Everything here runs under sbx_ghl_emu.mu unless it says otherwise. */
#ifndef PHEEDSYNC_SANDBOX_GHL_STATE_H
#define PHEEDSYNC_SANDBOX_GHL_STATE_H

#include "sandbox/ghl/ghl_emu.h"
#include "sandbox/ghl/ghl_signer.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/rng.h"

#include <pthread.h>

#define SBX_GHL_ID_LEN 20
#define SBX_GHL_LOC_MAX 64
#define SBX_GHL_VERSION "2021-07-28"

/* ---- a string-keyed hash map (ghl_map.c) ---- */
typedef struct sbx_ghl_map sbx_ghl_map;
int sbx_ghl_map_new(sbx_ghl_map **out);
void sbx_ghl_map_free(sbx_ghl_map *m);
void *sbx_ghl_map_get(const sbx_ghl_map *m, const char *key);
/* Adds or replaces; the key is copied. Returns 0 or ERR_NOMEM. */
int sbx_ghl_map_put(sbx_ghl_map *m, const char *key, void *value);
void sbx_ghl_map_del(sbx_ghl_map *m, const char *key);

/* ---- the data ---- */
typedef struct sbx_ghl_location {
    char id[SBX_GHL_LOC_MAX];
    char name[128];
    bool allow_duplicates; /* the location's "Allow Duplicate Contact" setting */
    json_t *custom_fields; /* field definitions as GET /locations/{id}/customFields answers */
} sbx_ghl_location;

typedef struct sbx_ghl_contact {
    char id[SBX_GHL_ID_LEN + 1];
    uint64_t seq; /* creation order: the oldest of duplicates wins a match */
    sbx_ghl_location *loc;
    json_t *f;      /* stored fields by API name, normalised (see ghl_input.c) */
    json_t *tags;   /* lower-case, unique, in the order added */
    json_t *custom; /* custom field id -> value */
    int64_t added_ms;
    int64_t updated_ms;
    char *email_key; /* index keys currently held (NULL: none) */
    char *phone_key;
    json_t *tasks; /* objects in the API's answer shape */
    json_t *notes;
    json_t *appts;
} sbx_ghl_contact;

/* An API failure to answer: HighLevel's error shapes (400 {statusCode, message[, meta]}, 422
 * with message as an array). */
typedef struct sbx_ghl_fail {
    int status;
    char message[256];
    json_t *meta; /* owned; NULL when none */
} sbx_ghl_fail;

typedef void (*sbx_ghl_fn)(sbx_ghl_emu *g, const http_request *req, http_response *res);

typedef struct sbx_ghl_route {
    const char *method;
    const char *pattern;
    const char *name; /* the spec's operationId */
    sbx_ghl_fn fn;
    const char *scope; /* NULL: an admin route (no token, no rate limit) */
} sbx_ghl_route;

typedef struct sbx_ghl_route_ctx {
    sbx_ghl_emu *g;
    const sbx_ghl_route *route;
} sbx_ghl_route_ctx;

struct sbx_ghl_emu {
    pthread_mutex_t mu;      /* the state below */
    pthread_mutex_t send_mu; /* keeps webhook deliveries in the order of the changes */
    sbx_service *svc;
    sbx_ghl_auth *auth;
    sbx_ghl_ratelimit *rate;
    sbx_ghl_signer *signer;
    rng rng;
    sbx_ghl_location **locs;
    size_t n_locs;
    sbx_ghl_contact **contacts; /* in creation order */
    size_t n_contacts;
    size_t cap_contacts;
    uint64_t next_seq;
    sbx_ghl_map *by_id;
    sbx_ghl_map *by_email; /* "location\x1femail" -> oldest contact with it */
    sbx_ghl_map *by_phone; /* "location\x1fdigits" -> oldest contact with it */
    sbx_ghl_map *scopes;   /* route name -> scope (const char *) */
    char *webhook_url;
    json_t *outbox; /* events waiting for sbx_ghl_events_flush: [[label, payload], ...] */
    sbx_ghl_route_ctx *route_ctx;
    size_t n_route_ctx;
    char pit[256]; /* a Private Integration Token for the first location */
};

/* ---- state (ghl_state.c) ---- */
void sbx_ghl_new_id(sbx_ghl_emu *g, char out[SBX_GHL_ID_LEN + 1]);
int64_t sbx_ghl_now_ms(sbx_ghl_emu *g);
void sbx_ghl_iso(int64_t ms, char out[CLOCK_ISO_LEN]);
sbx_ghl_location *sbx_ghl_location_find(sbx_ghl_emu *g, const char *id);
int sbx_ghl_location_add(sbx_ghl_emu *g, const char *id, const char *name, bool allow_duplicates,
                         sbx_ghl_location **out, err *e);
json_t *sbx_ghl_location_json(const sbx_ghl_location *l);
/* The custom field definition whose id equals ref, or whose fieldKey is ref or "contact."+ref. */
const json_t *sbx_ghl_field_find(const sbx_ghl_location *l, const char *ref);

sbx_ghl_contact *sbx_ghl_contact_get(sbx_ghl_emu *g, const char *id);
/* A contact outside the store (no id, no index), and its release. */
sbx_ghl_contact *sbx_ghl_contact_alloc(sbx_ghl_location *loc);
void sbx_ghl_contact_free(sbx_ghl_contact *c);
/* A new empty contact stored in the location (no fields yet). */
int sbx_ghl_contact_insert(sbx_ghl_emu *g, sbx_ghl_location *loc, sbx_ghl_contact **out);
void sbx_ghl_contact_remove(sbx_ghl_emu *g, sbx_ghl_contact *c);
/* Re-reads the contact's email and phone into the duplicate indexes. */
int sbx_ghl_contact_reindex(sbx_ghl_emu *g, sbx_ghl_contact *c);
/* The oldest contact of loc with this email / phone (already normalised), other than skip. */
sbx_ghl_contact *sbx_ghl_find_by_email(sbx_ghl_emu *g, sbx_ghl_location *loc, const char *email,
                                       const sbx_ghl_contact *skip);
sbx_ghl_contact *sbx_ghl_find_by_phone(sbx_ghl_emu *g, sbx_ghl_location *loc, const char *phone,
                                       const sbx_ghl_contact *skip);
/* Moves dateUpdated: the clock, and always forward (two changes in one millisecond still
 * order). */
void sbx_ghl_contact_touch(sbx_ghl_emu *g, sbx_ghl_contact *c);

/* Normalisation, shared by input, duplicates and search. */
/* Lower-cased and trimmed; out empty when nothing is left. */
void sbx_ghl_norm_email(const char *in, char *out, size_t out_len);
/* E.164 when the number parses (+ and 7-15 digits; 10 digits: +1 (NANP); 11 starting with 1),
 * otherwise the trimmed input. */
void sbx_ghl_norm_phone(const char *in, char *out, size_t out_len);
/* The digits that identify a phone for duplicate matching; "" when none. */
void sbx_ghl_phone_digits(const char *in, char *out, size_t out_len);
void sbx_ghl_norm_tag(const char *in, char *out, size_t out_len);
/* Case-insensitive ASCII substring test. */
bool sbx_ghl_contains_ci(const char *hay, const char *needle);

/* ---- contacts: input and rendering (ghl_input.c) ---- */
enum { SBX_GHL_IN_CREATE = 1, SBX_GHL_IN_UPSERT = 2, SBX_GHL_IN_UPDATE = 4 };
/* Validates a create/update/upsert body against the location's custom fields and turns it into
 * a normalised patch: {"fields": {...}, "clear": [...], "tags": [...]?, "custom": {id: value}?,
 * "createNewIfDuplicateAllowed": bool}. Fails with 422 (message array) like HighLevel. */
int sbx_ghl_contact_patch_parse(json_t **out, const json_t *body, const sbx_ghl_location *loc,
                                int mode, sbx_ghl_fail *f);
/* What applying a patch changed: fields or custom fields, the tags, the DND settings. */
typedef struct sbx_ghl_change {
    bool fields;
    bool tags;
    bool dnd; /* dnd or dndSettings (also counted in fields) */
} sbx_ghl_change;
/* Applies a patch and says what changed. The caller re-indexes the contact
 * (sbx_ghl_contact_reindex). */
void sbx_ghl_contact_patch_apply(sbx_ghl_contact *c, const json_t *patch, sbx_ghl_change *out);
/* The contact as GET /contacts/{id} answers it. */
json_t *sbx_ghl_contact_json(const sbx_ghl_contact *c);

/* ---- contact operations shared by the API and the admin UI (ghl_contacts.c) ---- */
/* A duplicate of the patch's email or phone on a location that forbids them: fills f with 400
 * and meta {contactName, contactId, matchingField}. */
int sbx_ghl_check_duplicate(sbx_ghl_emu *g, sbx_ghl_location *loc, const json_t *patch,
                            const sbx_ghl_contact *self, sbx_ghl_fail *f);
int sbx_ghl_op_create(sbx_ghl_emu *g, sbx_ghl_location *loc, const json_t *body, bool events,
                      sbx_ghl_contact **out, sbx_ghl_fail *f);
int sbx_ghl_op_update(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *body, sbx_ghl_fail *f);
void sbx_ghl_op_delete(sbx_ghl_emu *g, sbx_ghl_contact *c);
/* add: true adds, false removes; answers the tags as they are afterwards. */
int sbx_ghl_op_tags(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *body, bool add,
                    sbx_ghl_fail *f);
/* HTTP handlers the admin UI shares with the API ({contactId}). */
void sbx_ghl_h_contact_update(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_contact_delete(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_tags_add(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_tags_remove(sbx_ghl_emu *g, const http_request *req, http_response *res);

/* ---- tasks, notes, appointments (ghl_activity.c) ---- */
int sbx_ghl_op_task_create(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *body, json_t **out,
                           sbx_ghl_fail *f);
int sbx_ghl_op_task_update(sbx_ghl_emu *g, sbx_ghl_contact *c, json_t *task, const json_t *body,
                           sbx_ghl_fail *f);
int sbx_ghl_op_task_complete(sbx_ghl_emu *g, sbx_ghl_contact *c, json_t *task, bool completed);
void sbx_ghl_op_task_delete(sbx_ghl_emu *g, sbx_ghl_contact *c, const char *task_id);
int sbx_ghl_op_note_create(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *body, json_t **out,
                           sbx_ghl_fail *f);
int sbx_ghl_op_note_update(sbx_ghl_emu *g, sbx_ghl_contact *c, json_t *note, const json_t *body,
                           sbx_ghl_fail *f);
void sbx_ghl_op_note_delete(sbx_ghl_emu *g, sbx_ghl_contact *c, const char *note_id);
int sbx_ghl_op_appt_create(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *body, json_t **out,
                           sbx_ghl_fail *f);
int sbx_ghl_op_appt_update(sbx_ghl_emu *g, sbx_ghl_contact *c, json_t *appt, const json_t *body,
                           sbx_ghl_fail *f);
void sbx_ghl_op_appt_delete(sbx_ghl_emu *g, sbx_ghl_contact *c, const char *appt_id);
/* The item of list (an array of objects) whose "id" is id, or NULL. */
json_t *sbx_ghl_item_find(json_t *list, const char *id, size_t *index);
/* Their HTTP handlers, shared by the API and the admin UI routes: {contactId} and the item's
 * parameter ({taskId}; {id} for notes and appointments). */
void sbx_ghl_h_task_list(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_task_create(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_task_get(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_task_update(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_task_delete(sbx_ghl_emu *g, const http_request *req, http_response *res);
/* PUT .../completed {completed}; and the UI's completion, which takes no body. */
void sbx_ghl_h_task_completed(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_task_complete_now(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_note_list(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_note_create(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_note_get(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_note_update(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_note_delete(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_appt_list(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_appt_create(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_appt_update(sbx_ghl_emu *g, const http_request *req, http_response *res);
void sbx_ghl_h_appt_delete(sbx_ghl_emu *g, const http_request *req, http_response *res);

/* ---- webhooks (ghl_events.c) ---- */
/* Queues the event for the contact (ContactCreate/Update/Delete/TagUpdate). */
void sbx_ghl_event_contact(sbx_ghl_emu *g, const char *type, const sbx_ghl_contact *c);
/* TaskCreate/TaskComplete/TaskDelete and Note* from the stored item. */
void sbx_ghl_event_task(sbx_ghl_emu *g, const char *type, const sbx_ghl_contact *c,
                        const json_t *task);
void sbx_ghl_event_note(sbx_ghl_emu *g, const char *type, const sbx_ghl_contact *c,
                        const json_t *note);
void sbx_ghl_event_appt(sbx_ghl_emu *g, const char *type, const sbx_ghl_contact *c,
                        const json_t *appt);
/* Signs and hands queued events to the delivery queue, in order. Call without mu held. */
void sbx_ghl_events_flush(sbx_ghl_emu *g);
/* The payload of an event (exposed for tests and fuzzing of the shapes). */
json_t *sbx_ghl_contact_event_payload(const char *type, const sbx_ghl_contact *c);

/* sbx_ghl_emu_seed_contact with mu already held. */
int sbx_ghl_emu_seed_locked(sbx_ghl_emu *g, const char *location_id, const json_t *fields,
                            char *id_out, size_t id_len, err *e);

/* ---- HTTP helpers (ghl_http.c) ---- */
void sbx_ghl_reply_error(http_response *res, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sbx_ghl_reply_fail(http_response *res, sbx_ghl_fail *f);
int sbx_ghl_fail_set(sbx_ghl_fail *f, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sbx_ghl_fail_clear(sbx_ghl_fail *f);
/* Parses the body as a JSON object; answers 400 and returns NULL when it is not one. */
json_t *sbx_ghl_body(const http_request *req, http_response *res);
/* The location of the bearer token of this request (set by the guard); "" on admin routes. */
const char *sbx_ghl_token_location(void);
void sbx_ghl_set_token_location(const char *loc);
/* The location named by id, checked against the token: missing_status (the operation's
 * validation status, 400 or 422) when missing, 400 when unknown, 403 when the token is for
 * another location. */
sbx_ghl_location *sbx_ghl_request_location(sbx_ghl_emu *g, const char *id, int missing_status,
                                           http_response *res);
/* The contact of the {contactId} parameter: 400 "Contact not found", 403 for another location. */
sbx_ghl_contact *sbx_ghl_request_contact(sbx_ghl_emu *g, const http_request *req,
                                         http_response *res);
/* Parses a query parameter as a non-negative integer; false (and 400) when malformed. */
bool sbx_ghl_query_int(const http_request *req, const char *name, int64_t fallback, int64_t *out,
                       http_response *res);

/* ---- route tables ---- */
extern const sbx_ghl_route sbx_ghl_contact_routes[];
extern const size_t sbx_ghl_contact_routes_n;
extern const sbx_ghl_route sbx_ghl_search_routes[];
extern const size_t sbx_ghl_search_routes_n;
extern const sbx_ghl_route sbx_ghl_activity_routes[];
extern const size_t sbx_ghl_activity_routes_n;
extern const sbx_ghl_route sbx_ghl_admin_routes[];
extern const size_t sbx_ghl_admin_routes_n;
extern const sbx_ghl_route sbx_ghl_ui_routes[];
extern const size_t sbx_ghl_ui_routes_n;

#endif
