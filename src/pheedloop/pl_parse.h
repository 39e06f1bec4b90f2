/* pl_parse.h: PheedLoop records as pheedsync reads them (attendees, registrations, events,
 * members, tags, announcements, REST hooks) and the pure parsers of PheedLoop's answers: list
 * envelopes, the "Invalid page." end of a list, attendance, check-in results, DRF errors.
 *
 * Every record keeps the whole JSON object it came from (raw, owned) and typed views into it:
 * the const char * fields point into raw and live as long as the record. A string field is
 * NULL when the answer left it out or sent null. A field of the wrong type is ERR_PARSE naming
 * it: PheedLoop changed its shape, and guessing would sync the wrong data. Fields nobody reads
 * yet stay in raw only. Parsers never keep references to their input beyond what they return. */
#ifndef PHEEDSYNC_PL_PARSE_H
#define PHEEDSYNC_PL_PARSE_H

#include "util/buf.h"
#include "util/err.h"

#include <jansson.h>

typedef struct pl_address {
    const char *line_1, *line_2, *city, *state, *zip, *country;
} pl_address;

typedef struct pl_attendee {
    const char *code;          /* "ATT..."; never NULL in a parsed record */
    const char *code_internal; /* the external-id slot (pheedsync writes the GHL contact id) */
    const char *first_name, *last_name, *email, *organization, *title;
    const char *phone; /* address_phone */
    pl_address address;
    const json_t *tags;     /* the array as sent (tag names); NULL when null or absent */
    const json_t *metadata; /* an object, or NULL when null or absent */
    bool is_checked_in;
    const char *checkin_date; /* as sent; NULL when not checked in */
    int64_t checkin_ms;       /* checkin_date in Unix ms; 0 when absent or unreadable */
    const char *ticket_name, *ticket_code; /* when the record names its ticket */
    json_t *raw;                           /* owned */
} pl_attendee;

typedef struct pl_attendee_list {
    pl_attendee *items;
    size_t n;
} pl_attendee_list;

typedef struct pl_registration {
    const char *code, *attendee_code, *event_code;
    const char *first_name, *last_name, *email;
    const char *ticket_name, *ticket_code;
    bool registration_complete, canceled, paid, checked_in;
    int64_t registration_ms; /* registration_date; 0 when absent or unreadable */
    int64_t updated_ms;      /* date_updated, what the incremental poll filters on; 0 likewise */
    json_t *raw;
} pl_registration;

typedef struct pl_event_rec {
    int64_t id; /* -1 when absent */
    const char *code, *name, *date, *end_date, *timezone;
    int64_t updated_ms;
    json_t *raw;
} pl_event_rec;

typedef struct pl_member {
    const char *code, *code_internal, *first_name, *last_name, *email;
    const json_t *metadata;
    json_t *raw;
} pl_member;

/* Organization contact tags ({code, name}) and event tags ({id, code, name, event,
 * description}) share one record; id is -1 and event NULL for contact tags. */
typedef struct pl_tag {
    int64_t id;
    const char *code, *name, *event, *description;
    json_t *raw;
} pl_tag;

typedef struct pl_announcement {
    const char *code, *title, *release_date, *release_time;
    json_t *raw;
} pl_announcement;

typedef struct pl_hook {
    int64_t id;
    const char *event, *action, *endpoint;
    json_t *raw;
} pl_hook;

/* Record parsers: obj must be a JSON object; on success out holds a new reference to it. */
int pl_parse_attendee(pl_attendee *out, json_t *obj, err *e);
int pl_parse_registration(pl_registration *out, json_t *obj, err *e);
int pl_parse_event(pl_event_rec *out, json_t *obj, err *e);
int pl_parse_member(pl_member *out, json_t *obj, err *e);
int pl_parse_tag(pl_tag *out, json_t *obj, err *e);
int pl_parse_announcement(pl_announcement *out, json_t *obj, err *e);
int pl_parse_hook(pl_hook *out, json_t *obj, err *e);
/* Release raw and clear the record; NULL and cleared records are safe. */
void pl_attendee_free(pl_attendee *a);
void pl_registration_free(pl_registration *r);
void pl_event_rec_free(pl_event_rec *ev);
void pl_member_free(pl_member *m);
void pl_tag_free(pl_tag *t);
void pl_announcement_free(pl_announcement *a);
void pl_hook_free(pl_hook *h);

/* The same from an answer body (len bytes, not necessarily NUL-terminated). */
int pl_parse_attendee_body(pl_attendee *out, const char *body, size_t len, err *e);
/* A JSON array of attendees (bulk answers). */
int pl_parse_attendee_array(pl_attendee_list *out, const json_t *arr, err *e);
int pl_parse_attendee_array_body(pl_attendee_list *out, const char *body, size_t len, err *e);
void pl_attendee_list_free(pl_attendee_list *l);

/* One page of a list: {"count": N, "next": url|null, "previous": ..., "results": [...]}. */
typedef struct pl_list_page {
    int64_t count;   /* the whole list's size as the service counted it; -1 when absent */
    bool has_next;   /* next is a non-empty string */
    json_t *results; /* owned array */
} pl_list_page;

int pl_parse_list_page(pl_list_page *out, const char *body, size_t len, err *e);
void pl_list_page_free(pl_list_page *p);
/* True when a 404 answer is {"detail": "Invalid page."}: the end of a list, not an error. */
bool pl_parse_is_invalid_page(const char *body, size_t len);

/* GET events/{event}/attendance/: {"checked_in": [codes], "not_checked_in": [codes]}. */
typedef struct pl_attendance {
    json_t *checked_in; /* owned arrays of strings */
    json_t *not_checked_in;
} pl_attendance;

int pl_parse_attendance(pl_attendance *out, const char *body, size_t len, err *e);
void pl_attendance_free(pl_attendance *a);

/* Check-in, check-out and bulk delete: {"attendees": [records], "errored_attendees": [codes]}. */
typedef struct pl_codes_result {
    pl_attendee_list attendees; /* the records acted on */
    json_t *errored;            /* owned array of the codes that failed */
} pl_codes_result;

int pl_parse_codes_result(pl_codes_result *out, const char *body, size_t len, err *e);
void pl_codes_result_free(pl_codes_result *r);

/* Appends a readable summary of a DRF error body to out: "detail" as is; field errors as
 * "field: msg; other: msg"; bulk errors (a list with one object per item) as
 * "item 3: email: msg". Bodies that are not JSON are appended as printable text, cut short.
 * Never fails (a full out just stops growing). */
void pl_parse_error_text(buf *out, const char *body, size_t len);

#endif
