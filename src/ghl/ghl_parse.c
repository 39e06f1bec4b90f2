/* ghl_parse.c: pure parsers of HighLevel answer bodies into the records of ghl_types.h. */
#include "ghl/ghl_record.h"
#include "util/jsonx.h"

static int parse_body(json_t **out, const char *body, size_t len, const char *what, err *e)
{
    json_t *j = NULL;
    if (jsonx_parse(&j, body, len, what, e) != 0)
        return e ? (e->code = ERR_PARSE) : ERR_PARSE;
    if (!json_is_object(j)) {
        json_decref(j);
        return err_set(e, ERR_PARSE, "%s: not a JSON object", what);
    }
    *out = j;
    return 0;
}

/* obj[key] as an object: required, or NULL when absent or null and not required. */
static int member_object(json_t **out, json_t *obj, const char *key, bool required,
                         const char *what, err *e)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_PARSE, "%s: '%s' is missing", what, key);
        *out = NULL;
        return 0;
    }
    if (!json_is_object(v))
        return err_set(e, ERR_PARSE, "%s: '%s' must be an object", what, key);
    *out = v;
    return 0;
}

static int member_array(json_t **out, json_t *obj, const char *key, const char *what, err *e)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !json_is_array(v))
        return err_set(e, ERR_PARSE, "%s: '%s' must be an array", what, key);
    *out = v;
    return 0;
}

static int parse_tags(ghl_contact *c, const json_t *obj, err *e)
{
    const json_t *tags = json_object_get(obj, "tags");
    if (!tags || json_is_null(tags))
        return 0;
    if (!json_is_array(tags))
        return err_set(e, ERR_PARSE, "contact field 'tags': must be an array");
    size_t n = json_array_size(tags);
    if (n == 0)
        return 0;
    c->tags = calloc(n, sizeof *c->tags);
    if (!c->tags)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(tags, i);
        if (!json_is_string(t))
            return err_set(e, ERR_PARSE, "contact field 'tags': item %zu is not a string", i);
        c->tags[c->n_tags++] = json_string_value(t);
    }
    return 0;
}

static bool custom_value_ok(const json_t *v)
{
    if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
        return true;
    if (!json_is_array(v))
        return false;
    size_t i;
    const json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x) && !json_is_number(x))
            return false;
    }
    return true;
}

/* customFields: [{"id", "value"}] (also "field_value" as written, "key" when given). */
static int parse_custom(ghl_contact *c, const json_t *obj, err *e)
{
    const json_t *cf = json_object_get(obj, "customFields");
    if (!cf || json_is_null(cf))
        return 0;
    if (!json_is_array(cf))
        return err_set(e, ERR_PARSE, "contact field 'customFields': must be an array");
    size_t n = json_array_size(cf);
    if (n == 0)
        return 0;
    c->custom = calloc(n, sizeof *c->custom);
    if (!c->custom)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *f = json_array_get(cf, i);
        const char *id = json_is_object(f) ? jsonx_str(f, "id") : NULL;
        const json_t *v = json_is_object(f) ? json_object_get(f, "value") : NULL;
        if (!v && json_is_object(f))
            v = json_object_get(f, "field_value");
        if (!id || !*id)
            return err_set(e, ERR_PARSE, "contact custom field %zu: no id", i);
        if (!v || json_is_null(v))
            continue; /* a cleared value reads as absent */
        if (!custom_value_ok(v))
            return err_set(e, ERR_PARSE, "contact custom field '%s': unreadable value", id);
        ghl_custom_value *cv = &c->custom[c->n_custom++];
        cv->id = id;
        cv->value = v;
        const char *key = jsonx_str(f, "key");
        if (key && !(cv->key = strdup(key)))
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

int ghl_parse_contact(ghl_contact *out, json_t *obj, err *e)
{
    ghl_contact c;
    int rc = ghl_record_read(&ghl_contact_type, &c, obj, e);
    if (rc != 0)
        return rc;
    rc = parse_tags(&c, obj, e);
    if (rc == 0)
        rc = parse_custom(&c, obj, e);
    const json_t *sa = json_object_get(obj, "searchAfter");
    if (rc == 0 && sa && !json_is_null(sa)) {
        if (!json_is_array(sa))
            rc = err_set(e, ERR_PARSE, "contact field 'searchAfter': must be an array");
        c.search_after = sa;
    }
    if (rc != 0) {
        ghl_contact_clear(&c);
        return rc;
    }
    *out = c;
    return 0;
}

int ghl_parse_contact_answer(ghl_contact *out, bool *out_new, const char *body, size_t len, err *e)
{
    json_t *j = NULL, *obj = NULL;
    bool is_new = false;
    int rc = parse_body(&j, body, len, "contact answer", e);
    if (rc == 0)
        rc = member_object(&obj, j, "contact", true, "contact answer", e);
    if (rc == 0)
        rc = ghl_json_bool(&is_new, j, "new", "upsert answer", e);
    ghl_contact c;
    if (rc == 0)
        rc = ghl_parse_contact(&c, obj, e);
    json_decref(j);
    if (rc != 0)
        return rc;
    *out = c;
    if (out_new)
        *out_new = is_new;
    return 0;
}

int ghl_parse_duplicate_answer(ghl_contact *out, bool *out_found, const char *body, size_t len,
                               err *e)
{
    json_t *j = NULL, *obj = NULL;
    int rc = parse_body(&j, body, len, "duplicate answer", e);
    if (rc == 0)
        rc = member_object(&obj, j, "contact", false, "duplicate answer", e);
    ghl_contact c = {0};
    if (rc == 0 && obj)
        rc = ghl_parse_contact(&c, obj, e);
    json_decref(j);
    if (rc != 0)
        return rc;
    *out = c;
    *out_found = obj != NULL;
    return 0;
}

static int64_t total_of(const json_t *j)
{
    int64_t t = jsonx_int(j, "total", -1);
    if (t < 0)
        t = jsonx_int(j, "count", -1);
    if (t < 0)
        t = jsonx_int(jsonx_path(j, "meta"), "total", -1);
    return t;
}

int ghl_parse_contact_page(ghl_contact_page *out, const char *body, size_t len, err *e)
{
    json_t *j = NULL, *arr = NULL;
    int rc = parse_body(&j, body, len, "contact list", e);
    if (rc == 0)
        rc = member_array(&arr, j, "contacts", "contact list", e);
    if (rc != 0) {
        json_decref(j);
        return rc;
    }
    ghl_contact_page p = {.total = total_of(j), .raw = j};
    size_t n = json_array_size(arr);
    if (n && !(p.v = calloc(n, sizeof *p.v))) {
        json_decref(j);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = ghl_parse_contact(&p.v[p.n], json_array_get(arr, i), e);
        if (rc == 0)
            p.n++;
    }
    const json_t *meta = json_object_get(j, "meta");
    if (rc == 0 && json_is_object(meta)) {
        p.next_start_after = jsonx_int(meta, "startAfter", 0);
        p.next_start_after_id = jsonx_str(meta, "startAfterId");
    }
    if (rc != 0) {
        err_wrap(e, "contact %zu: ", p.n);
        ghl_contact_page_clear(&p);
        return rc;
    }
    *out = p;
    return 0;
}

/* One parser for the list answers: key names the array, each item a record of type t. */
static int parse_list(void **out_v, size_t *out_n, const char *body, size_t len, const char *key,
                      const ghl_record_type *t, err *e)
{
    json_t *j = NULL, *arr = NULL;
    int rc = parse_body(&j, body, len, key, e);
    if (rc == 0)
        rc = member_array(&arr, j, key, key, e);
    size_t n = rc == 0 ? json_array_size(arr) : 0, got = 0;
    char *v = n ? calloc(n, t->size) : NULL;
    if (rc == 0 && n && !v)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = ghl_record_read(t, v + got * t->size, json_array_get(arr, i), e);
        if (rc == 0)
            got++;
        else
            err_wrap(e, "%s item %zu: ", key, i);
    }
    json_decref(j);
    if (rc != 0) {
        ghl_records_free(t, v, got);
        return rc;
    }
    *out_v = v;
    *out_n = got;
    return 0;
}

int ghl_parse_tasks(ghl_tasks *out, const char *body, size_t len, err *e)
{
    void *v = NULL;
    size_t n = 0;
    int rc = parse_list(&v, &n, body, len, "tasks", &ghl_task_type, e);
    if (rc == 0)
        *out = (ghl_tasks){v, n};
    return rc;
}

int ghl_parse_notes(ghl_notes *out, const char *body, size_t len, err *e)
{
    void *v = NULL;
    size_t n = 0;
    int rc = parse_list(&v, &n, body, len, "notes", &ghl_note_type, e);
    if (rc == 0)
        *out = (ghl_notes){v, n};
    return rc;
}

int ghl_parse_appointments(ghl_appointments *out, const char *body, size_t len, err *e)
{
    void *v = NULL;
    size_t n = 0;
    int rc = parse_list(&v, &n, body, len, "events", &ghl_appointment_type, e);
    if (rc == 0)
        *out = (ghl_appointments){v, n};
    return rc;
}

int ghl_parse_field_defs(ghl_field_defs *out, const char *body, size_t len, err *e)
{
    void *v = NULL;
    size_t n = 0;
    int rc = parse_list(&v, &n, body, len, "customFields", &ghl_field_def_type, e);
    if (rc == 0)
        *out = (ghl_field_defs){v, n};
    return rc;
}

/* {"<key>": {...}}: the one record of a task or note answer, read into rec (of type t). */
static int one_item(void *rec, const char *body, size_t len, const char *key,
                    const ghl_record_type *t, err *e)
{
    json_t *j = NULL, *obj = NULL;
    int rc = parse_body(&j, body, len, key, e);
    if (rc == 0)
        rc = member_object(&obj, j, key, true, key, e);
    if (rc == 0)
        rc = ghl_record_read(t, rec, obj, e);
    json_decref(j);
    return rc;
}

int ghl_parse_task_answer(ghl_task *out, const char *body, size_t len, err *e)
{
    ghl_task t;
    int rc = one_item(&t, body, len, "task", &ghl_task_type, e);
    if (rc == 0)
        *out = t;
    return rc;
}

int ghl_parse_note_answer(ghl_note *out, const char *body, size_t len, err *e)
{
    ghl_note n;
    int rc = one_item(&n, body, len, "note", &ghl_note_type, e);
    if (rc == 0)
        *out = n;
    return rc;
}

int ghl_parse_tags_answer(json_t **out, const char *body, size_t len, err *e)
{
    json_t *j = NULL, *arr = NULL;
    int rc = parse_body(&j, body, len, "tags answer", e);
    if (rc == 0)
        rc = member_array(&arr, j, "tags", "tags answer", e);
    size_t i;
    json_t *t;
    if (rc == 0) {
        json_array_foreach(arr, i, t)
        {
            if (!json_is_string(t)) {
                rc = err_set(e, ERR_PARSE, "tags answer: item %zu is not a string", i);
                break;
            }
        }
    }
    if (rc == 0)
        *out = json_incref(arr);
    json_decref(j);
    return rc;
}

int ghl_parse_succeded(const char *body, size_t len, err *e)
{
    json_t *j = NULL;
    int rc = parse_body(&j, body, len, "answer", e);
    if (rc != 0)
        return rc;
    const json_t *v = json_object_get(j, "succeded");
    if (!v)
        v = json_object_get(j, "succeeded");
    if (!json_is_boolean(v))
        rc = err_set(e, ERR_PARSE, "answer: 'succeded' is missing");
    else if (!json_is_true(v))
        rc = err_set(e, ERR_BAD_STATE, "the service answered succeded: false");
    json_decref(j);
    return rc;
}

int ghl_parse_token_answer(ghl_token_answer *out, const char *body, size_t len, err *e)
{
    json_t *j = NULL;
    int rc = parse_body(&j, body, len, "token answer", e);
    if (rc != 0)
        return rc;
    ghl_token_answer a;
    rc = ghl_record_read(&ghl_token_answer_type, &a, j, e);
    json_decref(j); /* a.raw holds it */
    if (rc != 0)
        return rc;
    a.expires_in_s = -1;
    const json_t *exp = json_object_get(a.raw, "expires_in");
    if (exp && !json_is_null(exp)) {
        if (!json_is_integer(exp) || json_integer_value(exp) < 0) {
            ghl_token_answer_clear(&a);
            return err_set(e, ERR_PARSE, "token answer: 'expires_in' must be a whole number");
        }
        a.expires_in_s = json_integer_value(exp);
    }
    *out = a;
    return 0;
}
