/* mapping.h: the field map: which HighLevel contact field and which PheedLoop attendee field
 * hold the same fact, which way it flows, who wins a conflict, and how values are transformed.
 *
 * The map starts from the defaults below; each `[field "NAME"]` section replaces the default of
 * the same NAME or adds a field. NAME is the field's canonical name: the key it has in canonical
 * records, shadows, templates ({NAME}), rule conditions and the audit log.
 *
 *   NAME            HighLevel      PheedLoop         transforms
 *   first_name      firstName      first_name        trim
 *   last_name       lastName       last_name         trim
 *   email           email          email             trim, lower
 *   phone           phone          address_phone     e164
 *   organization    companyName    organization      trim
 *   title           contact.title  title             trim     (a custom field: create it)
 *   address_line_1  address1       address_line_1    trim
 *   city            city           address_city      trim
 *   state           state          address_state     trim
 *   postal_code     postalCode     address_zip       trim
 *   country         country        address_country   trim
 *   tags            tags           tags              (a set; see merge.h)
 * Every default flows both ways (within `[sync] direction`) and is owned by the newest change.
 *
 * Places a `ghl =` key may name: a contact field (firstName, lastName, name, email, phone,
 * companyName, address1, city, state, postalCode, country, website, timezone, source,
 * dateOfBirth, gender, assignedTo, businessId; id, dateAdded and dateUpdated are read-only), a
 * custom field by its key (contact.shirt_size, or shirt_size), or tags.
 * Places a `pheedloop =` key may name: an attendee field (first_name, ..., about, linkedin,
 * designations, dietary_restrictions, accessibility_requirements, code_badge; code,
 * is_checked_in, checkin_date, ticket_name and ticket_code are read-only), metadata.PATH (a
 * place in the attendee's metadata; metadata.highlevel is pheedsync's own), registration.KEY,
 * answers.KEY (a registration answer by its code, name or label) or event.KEY (read-only), or
 * tags. Either key may be `-` on the source side of a computed field (const, template,
 * join_name): the value comes from the transforms alone. */
#ifndef PHEEDSYNC_CORE_MAPPING_H
#define PHEEDSYNC_CORE_MAPPING_H

#include "core/transform.h"
#include "util/config.h"

typedef enum core_side { CORE_GHL = 0, CORE_PL = 1 } core_side;

/* Which way changes may flow: bit CORE_DIR_G2P (HighLevel to PheedLoop), bit CORE_DIR_P2G. */
typedef enum core_dir {
    CORE_DIR_NONE = 0,
    CORE_DIR_G2P = 1,
    CORE_DIR_P2G = 2,
    CORE_DIR_BOTH = 3,
} core_dir;

typedef enum core_owner {
    CORE_OWNER_HIGHLEVEL,
    CORE_OWNER_PHEEDLOOP,
    CORE_OWNER_NEWEST,
} core_owner;

/* Where a field lives on one side. */
typedef enum core_place {
    CORE_PLACE_NONE,         /* `-`: nowhere (the source of a computed field) */
    CORE_PLACE_TAGS,         /* the tag set */
    CORE_PLACE_STANDARD,     /* a top-level field of the contact or attendee */
    CORE_PLACE_CUSTOM,       /* HighLevel: a custom field (key "contact.NAME") */
    CORE_PLACE_METADATA,     /* PheedLoop: a path under the attendee's metadata */
    CORE_PLACE_REGISTRATION, /* PheedLoop: a field of the registration */
    CORE_PLACE_ANSWER,       /* PheedLoop: a registration answer */
    CORE_PLACE_EVENT,        /* PheedLoop: a field of the event */
} core_place;

typedef struct core_field {
    char *name;
    char *path[2];       /* as configured, by core_side ("-" for none) */
    core_place place[2]; /* by core_side */
    char *key[2];        /* by core_side: the contact or attendee key, "contact.NAME", the
                          * metadata path below metadata., or the registration, answer or
                          * event key; NULL for none and tags */
    bool writable[2];    /* by core_side: pheedsync may write this place */
    core_dir dir;        /* the field's own direction within `[sync] direction` */
    core_owner owner;
    core_xform *xform; /* NULL: none */
    bool derived;      /* the transforms compute the value on the source side */
    char *section;     /* "[field \"NAME\"]", or NULL for a built-in default */
} core_field;

typedef struct core_map core_map;

/* The built-in defaults alone (both directions, default country code 1, the default sign-up
 * tags). */
int core_map_default(core_map **out, err *e);
/* The defaults, `[field]` sections and the `[sync]` keys direction, default_country_code,
 * signup_tags and checkin_tag. ERR_CONFIG naming the section, key and what to do. */
int core_map_from_config(core_map **out, const config *cfg, err *e);
void core_map_free(core_map *m);

size_t core_map_count(const core_map *m);
const core_field *core_map_at(const core_map *m, size_t i);
const core_field *core_map_find(const core_map *m, const char *name);
/* The tag set's field, or NULL when tags are not mapped. */
const core_field *core_map_tags(const core_map *m);
int core_map_default_cc(const core_map *m);
/* Sign-up tag templates (`[sync] signup_tags`) and the check-in tag (may be ""). */
size_t core_map_signup_tags(const core_map *m, const char *const **templates);
const char *core_map_checkin_tag(const core_map *m);
/* True when tag (normalised) is the check-in tag or has the form of a sign-up tag (a template's
 * text around its placeholders, something in between): a tag pheedsync computes from PheedLoop,
 * which it therefore never writes onto an attendee (another attendee's check-in is not this
 * one's). */
bool core_map_is_derived_tag(const core_map *m, const char *tag);

/* True when a field may flow from side `from` to the other side. */
bool core_field_flows(const core_field *f, core_side from);
/* The side whose value is computed (the source of a one-way field); meaningful when derived. */
core_side core_field_source(const core_field *f);

/* Names of record facts (not fields) that templates and rules may use: event_code, event_name,
 * event_start, event_timezone, ticket_name, ticket_code, checked_in, checkin_date,
 * attendee_code, registration_date, contact_id, date_added, date_updated. NULL-terminated. */
const char *const *core_fact_names(void);
/* True when name is a field of m or a fact: what templates may name. */
bool core_map_knows(const core_map *m, const char *name);

const char *core_side_name(core_side s);   /* "ghl" | "pheedloop" (as the store names sides) */
const char *core_owner_name(core_owner o); /* "highlevel" | "pheedloop" | "newest" */
const char *core_dir_name(core_dir d);     /* "both" | "ghl_to_pheedloop" | ... | "none" */

/* Adds one field (as a `[field]` section would; label names it in messages). For callers
 * that build a map in code, and for tests. */
typedef struct core_field_spec {
    const char *name, *ghl, *pheedloop;
    const char *direction; /* NULL: both */
    const char *owner;     /* NULL: newest */
    const char *transform; /* NULL: none */
} core_field_spec;
int core_map_add(core_map *m, const core_field_spec *spec, err *e);

#endif
