/* ghl_record.h: each HighLevel record of ghl_types.h described once (its JSON members, the keys it
 * needs, what is derived from them, what it owns), and the reading and releasing that follow the
 * description; private to src/ghl. */
#ifndef PHEEDSYNC_GHL_RECORD_H
#define PHEEDSYNC_GHL_RECORD_H

#include "ghl/ghl_types.h"

typedef enum ghl_field_kind {
    GHL_FIELD_STR,      /* const char *, pointing into raw */
    GHL_FIELD_STR_NEED, /* the same, and the record is unreadable without it (non-empty) */
    GHL_FIELD_BOOL,     /* bool */
} ghl_field_kind;

/* One JSON member and the record member it fills. Two entries may fill the same member: a later
 * one wins only when present ("name" after "contactName"). */
typedef struct ghl_field {
    const char *key;
    size_t off;
    ghl_field_kind kind;
} ghl_field;

typedef struct ghl_record_type {
    const char *what; /* names the record in error messages */
    size_t size;
    size_t raw_off; /* where its json_t *raw is */
    const ghl_field *fields;
    size_t n_fields;
    void (*derive)(void *rec);  /* fills what is computed from the fields; may be NULL */
    void (*release)(void *rec); /* frees what it owns besides raw; may be NULL */
} ghl_record_type;

extern const ghl_record_type ghl_contact_type, ghl_task_type, ghl_note_type, ghl_appointment_type,
    ghl_field_def_type, ghl_token_answer_type;

/* Fills rec (zeroed first) from the object obj as t describes, keeping a reference to obj in its
 * raw. ERR_PARSE names the record and the member; rec is left zeroed on failure. */
int ghl_record_read(const ghl_record_type *t, void *rec, json_t *obj, err *e);
/* Releases what rec owns and zeroes it; NULL is safe. */
void ghl_record_clear(const ghl_record_type *t, void *rec);
/* Clears the n records of the array v and frees it. */
void ghl_records_free(const ghl_record_type *t, void *v, size_t n);
/* obj[key] as a boolean into *out; absent or null leaves *out alone. what names the record. */
int ghl_json_bool(bool *out, const json_t *obj, const char *key, const char *what, err *e);

#endif
