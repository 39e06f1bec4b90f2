/* ghl_fields.c: custom fields by key: each location's field list (key <-> opaque id), cached
 * with a lifetime and reloaded at once when a key is not in it. */
#include "ghl/ghl_client_int.h"

static int parse_defs(void *out, const char *body, size_t len, err *e)
{
    return ghl_parse_field_defs(out, body, len, e);
}

int ghl_client_list_custom_fields(ghl_field_defs *out, ghl_client *c, const ghl_op *op, err *e)
{
    buf path;
    buf_init(&path, 1024);
    buf_addstr(&path, "/locations/");
    ghl_path_seg(&path, op->location_id);
    buf_addstr(&path, "/customFields");
    int rc = ghl_call_parse(out, parse_defs, c, op, "GET", buf_cstr(&path), NULL,
                            HTTP_IDEMPOTENT_BY_METHOD, "ghl get-custom-fields", e);
    buf_free(&path);
    return rc;
}

/* "contact.x" and "x" name the same field of a contact. */
static bool key_matches(const char *field_key, const char *key)
{
    if (strcmp(field_key, key) == 0)
        return true;
    const char *p = "contact.";
    size_t n = strlen(p);
    if (strncmp(field_key, p, n) == 0 && strcmp(field_key + n, key) == 0)
        return true;
    return strncmp(key, p, n) == 0 && strcmp(key + n, field_key) == 0;
}

static const ghl_field_def *find_key(const ghl_field_defs *d, const char *key)
{
    for (size_t i = 0; i < d->n; i++) {
        if (key_matches(d->v[i].field_key, key))
            return &d->v[i];
    }
    return NULL;
}

static const ghl_field_def *find_id(const ghl_field_defs *d, const char *id)
{
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->v[i].id, id) == 0)
            return &d->v[i];
    }
    return NULL;
}

/* Reloads l's list (fields_mu held). */
static int reload(ghl_client *c, ghl_loc *l, const ghl_op *op, err *e)
{
    ghl_field_defs fresh;
    int rc = ghl_client_list_custom_fields(&fresh, c, op, e);
    if (rc != 0)
        return rc;
    ghl_field_defs_clear(&l->fields);
    l->fields = fresh;
    l->fields_at_ms = clock_mono_ms(c->clock);
    if (l->fields_at_ms == 0)
        l->fields_at_ms = 1;
    return 0;
}

static bool stale(ghl_client *c, const ghl_loc *l)
{
    return l->fields_at_ms == 0 || clock_mono_ms(c->clock) - l->fields_at_ms > c->cfg.fields_ttl_ms;
}

int ghl_client_custom_field_id(char **out, ghl_client *c, const ghl_op *op, const char *key, err *e)
{
    ghl_loc *l = ghl_client_loc(c, op->location_id, e);
    if (!l)
        return ERR_NOMEM;
    pthread_mutex_lock(&c->fields_mu);
    bool reloaded = stale(c, l);
    int rc = reloaded ? reload(c, l, op, e) : 0;
    const ghl_field_def *d = rc == 0 ? find_key(&l->fields, key) : NULL;
    if (rc == 0 && !d && !reloaded) {
        /* A field made since the list was loaded. */
        rc = reload(c, l, op, e);
        d = rc == 0 ? find_key(&l->fields, key) : NULL;
    }
    if (rc == 0 && !d)
        rc = err_set(e, ERR_NOT_FOUND, "HighLevel location %s has no custom field '%s'",
                     op->location_id, key);
    if (rc == 0 && !(*out = strdup(d->id)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    pthread_mutex_unlock(&c->fields_mu);
    return rc;
}

int ghl_client_resolve_keys(ghl_contact *contact, ghl_client *c, const ghl_op *op, err *e)
{
    if (contact->n_custom == 0)
        return 0;
    ghl_loc *l = ghl_client_loc(c, op->location_id, e);
    if (!l)
        return ERR_NOMEM;
    pthread_mutex_lock(&c->fields_mu);
    bool reloaded = stale(c, l);
    int rc = reloaded ? reload(c, l, op, e) : 0;
    bool missing = false;
    for (size_t i = 0; rc == 0 && i < contact->n_custom && !missing; i++)
        missing = !find_id(&l->fields, contact->custom[i].id);
    if (rc == 0 && missing && !reloaded)
        rc = reload(c, l, op, e);
    for (size_t i = 0; rc == 0 && i < contact->n_custom; i++) {
        ghl_custom_value *v = &contact->custom[i];
        const ghl_field_def *d = find_id(&l->fields, v->id);
        if (!d)
            continue; /* a field deleted meanwhile: the value keeps its id only */
        free(v->key);
        if (!(v->key = strdup(d->field_key)))
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    pthread_mutex_unlock(&c->fields_mu);
    return rc;
}

int ghl_client_set_fields(ghl_client *c, const char *location_id, ghl_field_defs *defs, err *e)
{
    ghl_loc *l = ghl_client_loc(c, location_id, e);
    if (!l) {
        ghl_field_defs_clear(defs);
        return ERR_NOMEM;
    }
    pthread_mutex_lock(&c->fields_mu);
    ghl_field_defs_clear(&l->fields);
    l->fields = *defs;
    memset(defs, 0, sizeof *defs);
    l->fields_at_ms = clock_mono_ms(c->clock);
    if (l->fields_at_ms == 0)
        l->fields_at_ms = 1;
    pthread_mutex_unlock(&c->fields_mu);
    return 0;
}
