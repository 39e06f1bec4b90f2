/* mapping.c: the field map: defaults, `[field]` sections, and the checks that make a map safe
 * to run (places exist, read-only places are not written, computed fields are one-way). */
#include "core/mapping.h"
#include "core/normalize.h"

#include <ctype.h>
#include <strings.h>

#define MAP_FIELDS_MAX 256
#define SIGNUP_TAGS_MAX 32

struct core_map {
    core_field **fields;
    size_t n;
    core_dir sync_dir;
    int default_cc;
    char **signup;
    size_t n_signup;
    char *checkin_tag;
    /* While a configuration is read: the names of all its [field] sections, so that a template
     * may name a field defined further down. */
    const char *const *pending;
    size_t n_pending;
};

static const core_field_spec DEFAULTS[] = {
    {"first_name", "firstName", "first_name", NULL, NULL, "trim"},
    {"last_name", "lastName", "last_name", NULL, NULL, "trim"},
    {"email", "email", "email", NULL, NULL, "trim, lower"},
    {"phone", "phone", "address_phone", NULL, NULL, "e164"},
    {"organization", "companyName", "organization", NULL, NULL, "trim"},
    {"title", "contact.title", "title", NULL, NULL, "trim"},
    {"address_line_1", "address1", "address_line_1", NULL, NULL, "trim"},
    {"city", "city", "address_city", NULL, NULL, "trim"},
    {"state", "state", "address_state", NULL, NULL, "trim"},
    {"postal_code", "postalCode", "address_zip", NULL, NULL, "trim"},
    {"country", "country", "address_country", NULL, NULL, "trim"},
    {"tags", "tags", "tags", NULL, NULL, NULL},
};

static const char *const DEFAULT_SIGNUP[] = {"event:{event_code}", "ticket:{ticket_name}"};
#define DEFAULT_CHECKIN "checked-in"

static const char *const FACTS[] = {
    "event_code",        "event_name",   "event_start",
    "event_timezone",    "ticket_name",  "ticket_code",
    "checked_in",        "checkin_date", "attendee_code",
    "registration_date", "contact_id",   "date_added",
    "date_updated",      NULL,
};

/* HighLevel contact fields: writable, then read-only. */
static const char *const GHL_FIELDS[] = {
    "firstName", "lastName", "name",        "email",      "phone",      "companyName",
    "address1",  "city",     "state",       "postalCode", "country",    "website",
    "timezone",  "source",   "dateOfBirth", "gender",     "assignedTo", "businessId",
};
static const char *const GHL_READ_ONLY[] = {"id", "dateAdded", "dateUpdated"};

static const char *const PL_FIELDS[] = {
    "first_name",
    "last_name",
    "email",
    "organization",
    "title",
    "address_phone",
    "address_line_1",
    "address_line_2",
    "address_city",
    "address_state",
    "address_zip",
    "address_country",
    "about",
    "linkedin",
    "designations",
    "dietary_restrictions",
    "accessibility_requirements",
    "code_badge",
    "profile_visible",
};
static const char *const PL_READ_ONLY[] = {"code", "is_checked_in", "checkin_date", "ticket_name",
                                           "ticket_code"};

const char *const *core_fact_names(void)
{
    return FACTS;
}

const char *core_side_name(core_side s)
{
    return s == CORE_GHL ? "ghl" : "pheedloop";
}

const char *core_owner_name(core_owner o)
{
    return o == CORE_OWNER_HIGHLEVEL   ? "highlevel"
           : o == CORE_OWNER_PHEEDLOOP ? "pheedloop"
                                       : "newest";
}

const char *core_dir_name(core_dir d)
{
    static const char *const names[] = {"none", "ghl_to_pheedloop", "pheedloop_to_ghl", "both"};
    return names[d & CORE_DIR_BOTH];
}

static int dir_parse(core_dir *out, const char *s)
{
    for (int d = 0; d <= CORE_DIR_BOTH; d++) {
        if (s && strcasecmp(s, core_dir_name((core_dir)d)) == 0) {
            *out = (core_dir)d;
            return 0;
        }
    }
    return -1;
}

static int owner_parse(core_owner *out, const char *s)
{
    for (int o = CORE_OWNER_HIGHLEVEL; o <= CORE_OWNER_NEWEST; o++) {
        if (s && strcasecmp(s, core_owner_name((core_owner)o)) == 0) {
            *out = (core_owner)o;
            return 0;
        }
    }
    return -1;
}

bool core_field_flows(const core_field *f, core_side from)
{
    return (f->dir & (from == CORE_GHL ? CORE_DIR_G2P : CORE_DIR_P2G)) != 0;
}

core_side core_field_source(const core_field *f)
{
    return f->dir == CORE_DIR_G2P ? CORE_GHL : CORE_PL;
}

static void field_free(core_field *f)
{
    if (!f)
        return;
    free(f->name);
    for (int s = 0; s < 2; s++) {
        free(f->path[s]);
        free(f->key[s]);
    }
    core_xform_free(f->xform);
    free(f->section);
    free(f);
}

void core_map_free(core_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        field_free(m->fields[i]);
    free(m->fields);
    for (size_t i = 0; i < m->n_signup; i++)
        free(m->signup[i]);
    free(m->signup);
    free(m->checkin_tag);
    free(m);
}

size_t core_map_count(const core_map *m)
{
    return m->n;
}

const core_field *core_map_at(const core_map *m, size_t i)
{
    return i < m->n ? m->fields[i] : NULL;
}

#define NOT_FOUND SIZE_MAX

static size_t find_index(const core_map *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->fields[i]->name, name) == 0)
            return i;
    }
    return NOT_FOUND;
}

const core_field *core_map_find(const core_map *m, const char *name)
{
    size_t i = find_index(m, name);
    return i == NOT_FOUND ? NULL : m->fields[i];
}

const core_field *core_map_tags(const core_map *m)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->fields[i]->place[CORE_GHL] == CORE_PLACE_TAGS)
            return m->fields[i];
    }
    return NULL;
}

int core_map_default_cc(const core_map *m)
{
    return m->default_cc;
}

size_t core_map_signup_tags(const core_map *m, const char *const **templates)
{
    if (templates)
        *templates = (const char *const *)m->signup;
    return m->n_signup;
}

const char *core_map_checkin_tag(const core_map *m)
{
    return m->checkin_tag ? m->checkin_tag : "";
}

/* Whether a normalised tag fits a template's fixed text (lower-cased as tags are): what comes
 * before its first placeholder and after its last, with a non-empty middle. */
static bool fits_template(const char *tag, const char *tpl)
{
    const char *open = strchr(tpl, '{'), *close = strrchr(tpl, '}');
    if (!open || !close || close < open)
        return false;
    size_t pre = (size_t)(open - tpl), post = strlen(close + 1), len = strlen(tag);
    if (len <= pre + post)
        return false;
    for (size_t i = 0; i < pre; i++)
        if (tag[i] != (char)tolower((unsigned char)tpl[i]))
            return false;
    for (size_t i = 0; i < post; i++)
        if (tag[len - post + i] != (char)tolower((unsigned char)close[1 + i]))
            return false;
    return true;
}

bool core_map_is_derived_tag(const core_map *m, const char *tag)
{
    if (!tag || !*tag)
        return false;
    const char *checkin = core_map_checkin_tag(m);
    if (*checkin && strcasecmp(tag, checkin) == 0)
        return true;
    for (size_t i = 0; i < m->n_signup; i++)
        if (fits_template(tag, m->signup[i]))
            return true;
    return false;
}

bool core_map_knows(const core_map *m, const char *name)
{
    for (size_t i = 0; FACTS[i]; i++) {
        if (strcmp(FACTS[i], name) == 0)
            return true;
    }
    if (!m)
        return false;
    for (size_t i = 0; i < m->n_pending; i++) {
        if (strcmp(m->pending[i], name) == 0)
            return true;
    }
    return find_index(m, name) != NOT_FOUND;
}

static bool knows_cb(void *ctx, const char *name)
{
    return core_map_knows(ctx, name);
}

/* ---------------------------------------------------------------- places */

static bool in_list(const char *const *list, size_t n, const char *s, const char **ci_match)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
        if (ci_match && strcasecmp(list[i], s) == 0)
            *ci_match = list[i];
    }
    return false;
}

static bool key_chars(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
        if (c == '.' && (s[1] == '.' || s[1] == '\0'))
            return false;
    }
    return true;
}

static char *str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

typedef struct add_ctx {
    core_map *m;
    const char *label;
    err *e;
} add_ctx;

static int ghl_place(core_field *f, const char *path, add_ctx *a)
{
    const char *near = NULL;
    if (in_list(GHL_FIELDS, PS_ARRAY_LEN(GHL_FIELDS), path, &near)) {
        f->place[CORE_GHL] = CORE_PLACE_STANDARD;
        f->writable[CORE_GHL] = true;
        f->key[CORE_GHL] = str_dup(path);
    } else if (in_list(GHL_READ_ONLY, PS_ARRAY_LEN(GHL_READ_ONLY), path, &near)) {
        f->place[CORE_GHL] = CORE_PLACE_STANDARD;
        f->key[CORE_GHL] = str_dup(path);
    } else if (near) {
        return err_set(a->e, ERR_CONFIG, "%s ghl = %s: unknown field (did you mean '%s'?)",
                       a->label, path, near);
    } else {
        const char *bare = strncmp(path, "contact.", 8) == 0 ? path + 8 : path;
        if (!key_chars(bare) || strchr(bare, '.'))
            return err_set(a->e, ERR_CONFIG,
                           "%s ghl = %s: not a contact field nor a custom field key (letters, "
                           "digits, '_' and '-', optionally after 'contact.')",
                           a->label, path);
        f->place[CORE_GHL] = CORE_PLACE_CUSTOM;
        f->writable[CORE_GHL] = true;
        size_t n = strlen(bare) + 9;
        f->key[CORE_GHL] = malloc(n);
        if (f->key[CORE_GHL])
            snprintf(f->key[CORE_GHL], n, "contact.%s", bare);
    }
    return f->key[CORE_GHL] ? 0 : err_set(a->e, ERR_NOMEM, "out of memory");
}

static int pl_prefixed(core_field *f, const char *path, add_ctx *a)
{
    static const struct {
        const char *prefix;
        core_place place;
    } prefixes[] = {
        {"metadata.", CORE_PLACE_METADATA},
        {"registration.", CORE_PLACE_REGISTRATION},
        {"answers.", CORE_PLACE_ANSWER},
        {"event.", CORE_PLACE_EVENT},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(prefixes); i++) {
        size_t n = strlen(prefixes[i].prefix);
        if (strncmp(path, prefixes[i].prefix, n) != 0)
            continue;
        const char *rest = path + n;
        bool dotted_ok = prefixes[i].place == CORE_PLACE_METADATA;
        /* Answers are named by their label too, which may hold any text. */
        bool any_text = prefixes[i].place == CORE_PLACE_ANSWER && *rest;
        if (!any_text && (!key_chars(rest) || (!dotted_ok && strchr(rest, '.'))))
            return err_set(a->e, ERR_CONFIG, "%s pheedloop = %s: '%s' needs a name after it",
                           a->label, path, prefixes[i].prefix);
        if (prefixes[i].place == CORE_PLACE_METADATA &&
            (strcmp(rest, "highlevel") == 0 || strncmp(rest, "highlevel.", 10) == 0))
            return err_set(a->e, ERR_CONFIG,
                           "%s pheedloop = %s: metadata.highlevel is where pheedsync keeps "
                           "HighLevel's tasks, notes and appointments; use another name",
                           a->label, path);
        f->place[CORE_PL] = prefixes[i].place;
        f->writable[CORE_PL] = prefixes[i].place == CORE_PLACE_METADATA;
        f->key[CORE_PL] = str_dup(rest);
        return f->key[CORE_PL] ? 0 : err_set(a->e, ERR_NOMEM, "out of memory");
    }
    return 1;
}

static int pl_place(core_field *f, const char *path, add_ctx *a)
{
    int rc = pl_prefixed(f, path, a);
    if (rc <= 0)
        return rc;
    const char *near = NULL;
    bool rw = in_list(PL_FIELDS, PS_ARRAY_LEN(PL_FIELDS), path, &near);
    if (!rw && !in_list(PL_READ_ONLY, PS_ARRAY_LEN(PL_READ_ONLY), path, &near)) {
        if (near)
            return err_set(a->e, ERR_CONFIG,
                           "%s pheedloop = %s: unknown attendee field (did you mean '%s'?)",
                           a->label, path, near);
        return err_set(a->e, ERR_CONFIG,
                       "%s pheedloop = %s: unknown attendee field (name one such as first_name "
                       "or organization, or metadata.NAME, registration.NAME, answers.NAME, "
                       "event.NAME)",
                       a->label, path);
    }
    f->place[CORE_PL] = CORE_PLACE_STANDARD;
    f->writable[CORE_PL] = rw;
    f->key[CORE_PL] = str_dup(path);
    return f->key[CORE_PL] ? 0 : err_set(a->e, ERR_NOMEM, "out of memory");
}

static int place_of(core_field *f, core_side s, const char *path, add_ctx *a)
{
    f->path[s] = str_dup(path);
    if (!f->path[s])
        return err_set(a->e, ERR_NOMEM, "out of memory");
    if (strcmp(path, "-") == 0) {
        f->place[s] = CORE_PLACE_NONE;
        return 0;
    }
    if (strcmp(path, "tags") == 0) {
        f->place[s] = CORE_PLACE_TAGS;
        f->writable[s] = true;
        return 0;
    }
    return s == CORE_GHL ? ghl_place(f, path, a) : pl_place(f, path, a);
}

/* ---------------------------------------------------------------- checks */

static const char *side_key(core_side s)
{
    return s == CORE_GHL ? "ghl" : "pheedloop";
}

static core_dir into(core_side s)
{
    return s == CORE_PL ? CORE_DIR_G2P : CORE_DIR_P2G;
}

static int check_none_sides(const core_field *f, core_dir dir, add_ctx *a)
{
    if (f->place[CORE_GHL] == CORE_PLACE_NONE && f->place[CORE_PL] == CORE_PLACE_NONE)
        return err_set(a->e, ERR_CONFIG, "%s: ghl and pheedloop cannot both be -", a->label);
    for (core_side s = CORE_GHL; s <= CORE_PL; s++) {
        bool source = dir == (s == CORE_GHL ? CORE_DIR_G2P : CORE_DIR_P2G);
        if (f->place[s] == CORE_PLACE_NONE && (!f->derived || !source))
            return err_set(a->e, ERR_CONFIG,
                           "%s %s = -: only the source side of a computed field (const, "
                           "template or join_name, with direction = %s) may be -",
                           a->label, side_key(s),
                           s == CORE_GHL ? "ghl_to_pheedloop" : "pheedloop_to_ghl");
    }
    return 0;
}

static int check_flow(const core_field *f, core_dir dir, bool owner_set, add_ctx *a)
{
    bool tags = f->place[CORE_GHL] == CORE_PLACE_TAGS || f->place[CORE_PL] == CORE_PLACE_TAGS;
    if (tags && f->place[CORE_GHL] != f->place[CORE_PL])
        return err_set(a->e, ERR_CONFIG,
                       "%s: the tag set maps tags to tags (ghl = tags, "
                       "pheedloop = tags)",
                       a->label);
    if (tags && f->xform && core_xform_derives(f->xform))
        return err_set(a->e, ERR_CONFIG, "%s: the tag set takes no computing transforms", a->label);
    if (f->derived && dir != CORE_DIR_G2P && dir != CORE_DIR_P2G)
        return err_set(a->e, ERR_CONFIG,
                       "%s: the transforms compute the value (const, template, join_name, "
                       "split_name), so it cannot flow back: set direction = ghl_to_pheedloop "
                       "or pheedloop_to_ghl",
                       a->label);
    int rc = check_none_sides(f, dir, a);
    for (core_side s = CORE_GHL; rc == 0 && s <= CORE_PL; s++) {
        if ((dir & into(s)) && f->place[s] != CORE_PLACE_NONE && !f->writable[s])
            rc = err_set(a->e, ERR_CONFIG, "%s %s = %s is read-only: set direction = %s", a->label,
                         side_key(s), f->path[s],
                         s == CORE_GHL ? "ghl_to_pheedloop" : "pheedloop_to_ghl");
    }
    if (rc == 0 && owner_set && (dir == CORE_DIR_G2P || dir == CORE_DIR_P2G) &&
        f->owner != CORE_OWNER_NEWEST &&
        (f->owner == CORE_OWNER_HIGHLEVEL) != (dir == CORE_DIR_G2P))
        rc = err_set(a->e, ERR_CONFIG,
                     "%s owner = %s: with direction = %s the source side always wins; remove "
                     "owner or change direction",
                     a->label, core_owner_name(f->owner), core_dir_name(dir));
    return rc;
}

static bool same_place(const core_field *f, const core_field *g, core_side s)
{
    if (f->place[s] != g->place[s] || f->place[s] == CORE_PLACE_NONE)
        return false;
    return f->place[s] == CORE_PLACE_TAGS || strcmp(f->key[s], g->key[s]) == 0;
}

static int check_unique(const core_map *m, const core_field *f, core_dir dir, add_ctx *a)
{
    for (size_t i = 0; i < m->n; i++) {
        const core_field *g = m->fields[i];
        if (strcmp(g->name, f->name) == 0 || g->dir == CORE_DIR_NONE)
            continue;
        for (core_side s = CORE_GHL; s <= CORE_PL; s++) {
            if (!(dir & into(s)) || !(g->dir & into(s)) || !same_place(f, g, s))
                continue;
            if (g->section)
                return err_set(a->e, ERR_CONFIG, "%s %s = %s is also written by %s", a->label,
                               side_key(s), f->path[s], g->section);
            return err_set(a->e, ERR_CONFIG,
                           "%s %s = %s is also written by the default field '%s' (turn it off "
                           "with [field \"%s\"] direction = none)",
                           a->label, side_key(s), f->path[s], g->name, g->name);
        }
    }
    return 0;
}

static int check_name(const char *name, add_ctx *a)
{
    bool ok = *name != '\0';
    for (const char *c = name; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            ok = false;
    }
    if (!ok || strlen(name) >= CORE_TPL_NAME_MAX)
        return err_set(a->e, ERR_CONFIG,
                       "%s: a field name holds letters, digits and '_' only (it is {NAME} in "
                       "templates)",
                       a->label);
    for (const char *const *fact = FACTS; *fact; fact++) {
        if (strcmp(*fact, name) == 0)
            return err_set(a->e, ERR_CONFIG,
                           "%s: '%s' names a fact of the record; choose another name", a->label,
                           name);
    }
    return 0;
}

/* ---------------------------------------------------------------- building */

static int field_build(core_field **out, const core_map *m, const core_field_spec *spec,
                       bool owner_set, add_ctx *a)
{
    core_dir dir = CORE_DIR_BOTH;
    core_owner owner = CORE_OWNER_NEWEST;
    if (spec->direction && dir_parse(&dir, spec->direction) != 0)
        return err_set(a->e, ERR_CONFIG,
                       "%s direction = %s: use both, ghl_to_pheedloop, pheedloop_to_ghl or none",
                       a->label, spec->direction);
    if (spec->owner && owner_parse(&owner, spec->owner) != 0)
        return err_set(a->e, ERR_CONFIG, "%s owner = %s: use highlevel, pheedloop or newest",
                       a->label, spec->owner);
    int rc = check_name(spec->name, a);
    core_field *f = rc == 0 ? calloc(1, sizeof *f) : NULL;
    if (rc != 0)
        return rc;
    if (!f || !(f->name = str_dup(spec->name)) || !(f->section = str_dup(a->label))) {
        field_free(f);
        return err_set(a->e, ERR_NOMEM, "out of memory");
    }
    f->owner = owner;
    rc = place_of(f, CORE_GHL, spec->ghl ? spec->ghl : "-", a);
    if (rc == 0)
        rc = place_of(f, CORE_PL, spec->pheedloop ? spec->pheedloop : "-", a);
    if (rc == 0)
        rc = core_xform_parse(&f->xform, spec->transform, a->label, m->default_cc, knows_cb,
                              (void *)(uintptr_t)m, a->e);
    if (rc == 0) {
        f->derived = core_xform_derives(f->xform);
        if (dir != CORE_DIR_NONE)
            rc = check_flow(f, dir, owner_set, a);
    }
    if (rc == 0 && dir != CORE_DIR_NONE)
        rc = check_unique(m, f, dir, a);
    if (rc != 0) {
        field_free(f);
        return rc;
    }
    f->dir = (core_dir)(dir & m->sync_dir);
    *out = f;
    return 0;
}

static int add_field(core_map *m, const core_field_spec *spec, const char *label, bool builtin,
                     bool owner_set, err *e)
{
    add_ctx a = {m, label, e};
    core_field *f = NULL;
    int rc = field_build(&f, m, spec, owner_set, &a);
    if (rc != 0)
        return rc;
    if (builtin) {
        free(f->section);
        f->section = NULL;
    }
    size_t at = find_index(m, f->name);
    if (at != NOT_FOUND) {
        field_free(m->fields[at]);
        m->fields[at] = f;
        return 0;
    }
    core_field **grown =
        m->n < MAP_FIELDS_MAX ? realloc(m->fields, (m->n + 1) * sizeof *grown) : NULL;
    if (!grown) {
        field_free(f);
        return m->n < MAP_FIELDS_MAX
                   ? err_set(e, ERR_NOMEM, "out of memory")
                   : err_set(e, ERR_CONFIG, "%s: more than %d fields", label, MAP_FIELDS_MAX);
    }
    m->fields = grown;
    m->fields[m->n++] = f;
    return 0;
}

int core_map_add(core_map *m, const core_field_spec *spec, err *e)
{
    char label[CORE_TPL_NAME_MAX + 16];
    snprintf(label, sizeof label, "[field \"%.*s\"]", CORE_TPL_NAME_MAX, spec->name);
    return add_field(m, spec, label, false, spec->owner != NULL, e);
}

static int signup_set(core_map *m, const char *const *tpls, size_t n, const char *checkin,
                      const char *label, err *e)
{
    /* An empty value in the file means the default, so "-" says "none". */
    if (n == 1 && strcmp(tpls[0], "-") == 0)
        n = 0;
    if (checkin && strcmp(checkin, "-") == 0)
        checkin = "";
    if (n > SIGNUP_TAGS_MAX)
        return err_set(e, ERR_CONFIG, "%s signup_tags: at most %d", label, SIGNUP_TAGS_MAX);
    m->signup = calloc(n ? n : 1, sizeof *m->signup);
    m->checkin_tag = str_dup(checkin ? checkin : "");
    if (!m->signup || !m->checkin_tag)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t col;
        char why[128];
        if (core_tpl_check(tpls[i], knows_cb, m, &col, why, sizeof why) != 0)
            return err_set(e, ERR_CONFIG, "%s signup_tags: '%s': column %zu: %s", label, tpls[i],
                           col, why);
        if (!(m->signup[i] = str_dup(tpls[i])))
            return err_set(e, ERR_NOMEM, "out of memory");
        m->n_signup = i + 1;
    }
    return 0;
}

static int map_new(core_map **out, core_dir sync_dir, int cc, err *e)
{
    core_map *m = calloc(1, sizeof *m);
    if (!m)
        return err_set(e, ERR_NOMEM, "out of memory");
    m->sync_dir = sync_dir;
    m->default_cc = cc;
    for (size_t i = 0; i < PS_ARRAY_LEN(DEFAULTS); i++) {
        int rc = add_field(m, &DEFAULTS[i], DEFAULTS[i].name, true, false, e);
        if (rc != 0) {
            core_map_free(m);
            return rc;
        }
    }
    *out = m;
    return 0;
}

int core_map_default(core_map **out, err *e)
{
    core_map *m = NULL;
    int rc = map_new(&m, CORE_DIR_BOTH, 1, e);
    if (rc == 0)
        rc = signup_set(m, DEFAULT_SIGNUP, PS_ARRAY_LEN(DEFAULT_SIGNUP), DEFAULT_CHECKIN, "[sync]",
                        e);
    if (rc != 0) {
        core_map_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

static int add_sections(core_map *m, const config *cfg, err *e)
{
    size_t n = config_named_count(cfg, "field");
    const char **names = calloc(n ? n : 1, sizeof *names);
    if (!names)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        config_named(cfg, "field", i, &names[i]);
    m->pending = names;
    m->n_pending = n;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const config_section *s = config_named(cfg, "field", i, NULL);
        core_field_spec spec = {
            names[i],
            config_sec_str(s, "ghl"),
            config_sec_str(s, "pheedloop"),
            config_sec_str(s, "direction"),
            config_sec_str(s, "owner"),
            config_sec_str(s, "transform"),
        };
        rc = add_field(m, &spec, config_sec_label(s), false, config_sec_is_set(s, "owner"), e);
    }
    m->pending = NULL;
    m->n_pending = 0;
    free(names);
    return rc;
}

int core_map_from_config(core_map **out, const config *cfg, err *e)
{
    core_dir dir = CORE_DIR_BOTH;
    const char *d = config_str(cfg, "sync", "direction");
    if (d && dir_parse(&dir, d) != 0)
        return err_set(e, ERR_CONFIG,
                       "[sync] direction = %s: use both, ghl_to_pheedloop or "
                       "pheedloop_to_ghl",
                       d);
    core_map *m = NULL;
    int rc = map_new(&m, dir, (int)config_int(cfg, "sync", "default_country_code"), e);
    if (rc == 0)
        rc = add_sections(m, cfg, e);
    if (rc == 0) {
        const char *const *tpls = NULL;
        size_t n = config_list(cfg, "sync", "signup_tags", &tpls);
        rc = signup_set(m, tpls, n, config_str(cfg, "sync", "checkin_tag"), "[sync]", e);
    }
    if (rc != 0) {
        core_map_free(m);
        return rc;
    }
    *out = m;
    return 0;
}
