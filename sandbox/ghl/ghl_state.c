/* ghl_state.c: the HighLevel emulator's store: ids, locations and their custom fields, contacts,
 * the duplicate indexes, and the normalisation of emails, phones and tags. */
#include "sandbox/ghl/ghl_state.h"

#include <ctype.h>

static const char ID_ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

void sbx_ghl_new_id(sbx_ghl_emu *g, char out[SBX_GHL_ID_LEN + 1])
{
    /* Retry on the (astronomically unlikely) collision so ids stay unique across kinds. */
    do {
        rng_string(&g->rng, out, SBX_GHL_ID_LEN, ID_ALPHABET);
    } while (sbx_ghl_map_get(g->by_id, out));
}

int64_t sbx_ghl_now_ms(sbx_ghl_emu *g)
{
    return clock_now_ms(g->svc->clock);
}

void sbx_ghl_iso(int64_t ms, char out[CLOCK_ISO_LEN])
{
    clock_format_iso(ms, out);
}

/* ---- locations ---- */

sbx_ghl_location *sbx_ghl_location_find(sbx_ghl_emu *g, const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < g->n_locs; i++)
        if (strcmp(g->locs[i]->id, id) == 0)
            return g->locs[i];
    return NULL;
}

/* The fields every sandbox location starts with, as HighLevel's locations API lists them. */
static json_t *default_fields(sbx_ghl_emu *g, const char *loc_id)
{
    static const struct {
        const char *name, *key, *type, *options;
    } defs[] = {
        {"Ticket Type", "contact.ticket_type", "SINGLE_OPTIONS", "General|VIP|Speaker|Exhibitor"},
        {"Dietary", "contact.dietary", "TEXT", NULL},
        {"Company Size", "contact.company_size", "NUMERICAL", NULL},
    };
    json_t *arr = json_array();
    char now[CLOCK_ISO_LEN];
    sbx_ghl_iso(sbx_ghl_now_ms(g), now);
    for (size_t i = 0; arr && i < PS_ARRAY_LEN(defs); i++) {
        char id[SBX_GHL_ID_LEN + 1];
        sbx_ghl_new_id(g, id);
        json_t *f =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "id", id, "name",
                      defs[i].name, "fieldKey", defs[i].key, "placeholder", "", "dataType",
                      defs[i].type, "position", (json_int_t)(i * 50), "model", "contact",
                      "documentType", "field", "locationId", loc_id, "dateAdded", now);
        if (f && defs[i].options) {
            json_t *opts = json_array();
            char tmp[128];
            snprintf(tmp, sizeof(tmp), "%s", defs[i].options);
            char *save = NULL;
            for (char *t = strtok_r(tmp, "|", &save); t; t = strtok_r(NULL, "|", &save))
                json_array_append_new(opts, json_string(t));
            json_object_set_new(f, "picklistOptions", opts);
        }
        json_array_append_new(arr, f);
    }
    return arr;
}

int sbx_ghl_location_add(sbx_ghl_emu *g, const char *id, const char *name, bool allow_duplicates,
                         sbx_ghl_location **out, err *e)
{
    char gen[SBX_GHL_ID_LEN + 1];
    if (!id || !*id) {
        sbx_ghl_new_id(g, gen);
        id = gen;
    }
    if (strlen(id) >= SBX_GHL_LOC_MAX)
        return err_set(e, ERR_INVALID, "location id is too long");
    if (sbx_ghl_location_find(g, id))
        return err_set(e, ERR_CONFLICT, "location %s exists", id);
    sbx_ghl_location **locs = realloc(g->locs, (g->n_locs + 1) * sizeof(*locs));
    if (!locs)
        return err_set(e, ERR_NOMEM, "out of memory");
    g->locs = locs;
    sbx_ghl_location *l = calloc(1, sizeof(*l));
    if (!l)
        return err_set(e, ERR_NOMEM, "out of memory");
    snprintf(l->id, sizeof(l->id), "%s", id);
    snprintf(l->name, sizeof(l->name), "%s", name && *name ? name : "Sandbox Location");
    l->allow_duplicates = allow_duplicates;
    l->custom_fields = default_fields(g, l->id);
    if (!l->custom_fields) {
        free(l);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    g->locs[g->n_locs++] = l;
    if (out)
        *out = l;
    return 0;
}

json_t *sbx_ghl_location_json(const sbx_ghl_location *l)
{
    return json_pack("{s:s, s:s, s:b, s:O}", "id", l->id, "name", l->name, "allowDuplicates",
                     l->allow_duplicates, "customFields", l->custom_fields);
}

const json_t *sbx_ghl_field_find(const sbx_ghl_location *l, const char *ref)
{
    size_t i;
    json_t *f;
    json_array_foreach(l->custom_fields, i, f)
    {
        const char *id = jsonx_str(f, "id");
        const char *key = jsonx_str(f, "fieldKey");
        if (id && strcmp(id, ref) == 0)
            return f;
        if (key && (strcmp(key, ref) == 0 ||
                    (strncmp(key, "contact.", 8) == 0 && strcmp(key + 8, ref) == 0)))
            return f;
    }
    return NULL;
}

/* ---- contacts ---- */

sbx_ghl_contact *sbx_ghl_contact_get(sbx_ghl_emu *g, const char *id)
{
    return id ? sbx_ghl_map_get(g->by_id, id) : NULL;
}

void sbx_ghl_contact_free(sbx_ghl_contact *c)
{
    if (!c)
        return;
    json_decref(c->f);
    json_decref(c->tags);
    json_decref(c->custom);
    json_decref(c->tasks);
    json_decref(c->notes);
    json_decref(c->appts);
    free(c->email_key);
    free(c->phone_key);
    free(c);
}

sbx_ghl_contact *sbx_ghl_contact_alloc(sbx_ghl_location *loc)
{
    sbx_ghl_contact *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->loc = loc;
    c->f = json_object();
    c->tags = json_array();
    c->custom = json_object();
    c->tasks = json_array();
    c->notes = json_array();
    c->appts = json_array();
    if (!c->f || !c->tags || !c->custom || !c->tasks || !c->notes || !c->appts) {
        sbx_ghl_contact_free(c);
        return NULL;
    }
    return c;
}

int sbx_ghl_contact_insert(sbx_ghl_emu *g, sbx_ghl_location *loc, sbx_ghl_contact **out)
{
    if (g->n_contacts == g->cap_contacts) {
        size_t cap = g->cap_contacts ? g->cap_contacts * 2 : 256;
        sbx_ghl_contact **arr = realloc(g->contacts, cap * sizeof(*arr));
        if (!arr)
            return ERR_NOMEM;
        g->contacts = arr;
        g->cap_contacts = cap;
    }
    sbx_ghl_contact *c = sbx_ghl_contact_alloc(loc);
    if (!c)
        return ERR_NOMEM;
    sbx_ghl_new_id(g, c->id);
    if (sbx_ghl_map_put(g->by_id, c->id, c) != 0) {
        sbx_ghl_contact_free(c);
        return ERR_NOMEM;
    }
    c->seq = g->next_seq++;
    c->added_ms = sbx_ghl_now_ms(g);
    c->updated_ms = c->added_ms;
    g->contacts[g->n_contacts++] = c;
    *out = c;
    return 0;
}

void sbx_ghl_contact_touch(sbx_ghl_emu *g, sbx_ghl_contact *c)
{
    int64_t now = sbx_ghl_now_ms(g);
    c->updated_ms = now > c->updated_ms ? now : c->updated_ms + 1;
}

/* Points the index entry for key at the oldest contact still holding it (or drops it). */
static void index_refresh(sbx_ghl_emu *g, sbx_ghl_map *m, const char *key, bool email)
{
    sbx_ghl_contact *best = NULL;
    for (size_t i = 0; i < g->n_contacts; i++) {
        sbx_ghl_contact *c = g->contacts[i];
        const char *k = email ? c->email_key : c->phone_key;
        if (k && strcmp(k, key) == 0 && (!best || c->seq < best->seq))
            best = c;
    }
    if (best)
        sbx_ghl_map_put(m, key, best);
    else
        sbx_ghl_map_del(m, key);
}

/* Moves c from the entry *held (if any) to the entry for value (if any). */
static int index_move(sbx_ghl_emu *g, sbx_ghl_map *m, sbx_ghl_contact *c, char **held,
                      const char *value, bool email)
{
    char key[SBX_GHL_LOC_MAX + 256];
    bool has = value && *value;
    if (has)
        snprintf(key, sizeof(key), "%s\x1f%s", c->loc->id, value);
    if (*held && has && strcmp(*held, key) == 0)
        return 0;
    if (*held) {
        char *old = *held;
        *held = NULL;
        if (sbx_ghl_map_get(m, old) == c)
            index_refresh(g, m, old, email);
        free(old);
    }
    if (!has)
        return 0;
    *held = strdup(key);
    if (!*held)
        return ERR_NOMEM;
    sbx_ghl_contact *cur = sbx_ghl_map_get(m, key);
    if (!cur || cur->seq > c->seq)
        return sbx_ghl_map_put(m, key, c);
    return 0;
}

int sbx_ghl_contact_reindex(sbx_ghl_emu *g, sbx_ghl_contact *c)
{
    char digits[64];
    const char *phone = jsonx_str(c->f, "phone");
    sbx_ghl_phone_digits(phone ? phone : "", digits, sizeof(digits));
    int rc = index_move(g, g->by_email, c, &c->email_key, jsonx_str(c->f, "email"), true);
    if (rc == 0)
        rc = index_move(g, g->by_phone, c, &c->phone_key, digits, false);
    return rc;
}

void sbx_ghl_contact_remove(sbx_ghl_emu *g, sbx_ghl_contact *c)
{
    size_t i = 0;
    while (i < g->n_contacts && g->contacts[i] != c)
        i++;
    if (i == g->n_contacts)
        return;
    memmove(&g->contacts[i], &g->contacts[i + 1], (g->n_contacts - i - 1) * sizeof(c));
    g->n_contacts--;
    sbx_ghl_map_del(g->by_id, c->id);
    index_move(g, g->by_email, c, &c->email_key, NULL, true);
    index_move(g, g->by_phone, c, &c->phone_key, NULL, false);
    sbx_ghl_contact_free(c);
}

static sbx_ghl_contact *find_by_key(sbx_ghl_emu *g, sbx_ghl_map *m, sbx_ghl_location *loc,
                                    const char *value, const sbx_ghl_contact *skip, bool email)
{
    if (!value || !*value)
        return NULL;
    char key[SBX_GHL_LOC_MAX + 256];
    snprintf(key, sizeof(key), "%s\x1f%s", loc->id, value);
    sbx_ghl_contact *c = sbx_ghl_map_get(m, key);
    if (!c || c != skip)
        return c;
    /* The indexed one is the caller itself: look for another holder of the key. */
    sbx_ghl_contact *best = NULL;
    for (size_t i = 0; i < g->n_contacts; i++) {
        sbx_ghl_contact *o = g->contacts[i];
        const char *k = email ? o->email_key : o->phone_key;
        if (o != skip && k && strcmp(k, key) == 0 && (!best || o->seq < best->seq))
            best = o;
    }
    return best;
}

sbx_ghl_contact *sbx_ghl_find_by_email(sbx_ghl_emu *g, sbx_ghl_location *loc, const char *email,
                                       const sbx_ghl_contact *skip)
{
    return find_by_key(g, g->by_email, loc, email, skip, true);
}

sbx_ghl_contact *sbx_ghl_find_by_phone(sbx_ghl_emu *g, sbx_ghl_location *loc, const char *phone,
                                       const sbx_ghl_contact *skip)
{
    char digits[64];
    sbx_ghl_phone_digits(phone ? phone : "", digits, sizeof(digits));
    return find_by_key(g, g->by_phone, loc, digits, skip, false);
}

/* ---- normalisation ---- */

static void trim_copy(const char *in, char *out, size_t out_len)
{
    while (*in && isspace((unsigned char)*in))
        in++;
    size_t n = strlen(in);
    while (n > 0 && isspace((unsigned char)in[n - 1]))
        n--;
    if (n >= out_len)
        n = out_len - 1;
    memcpy(out, in, n);
    out[n] = '\0';
}

void sbx_ghl_norm_email(const char *in, char *out, size_t out_len)
{
    trim_copy(in, out, out_len);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

void sbx_ghl_norm_tag(const char *in, char *out, size_t out_len)
{
    sbx_ghl_norm_email(in, out, out_len);
}

static size_t digits_of(const char *in, char *out, size_t out_len)
{
    size_t n = 0;
    for (; *in; in++)
        if (isdigit((unsigned char)*in) && n + 1 < out_len)
            out[n++] = *in;
    out[n] = '\0';
    return n;
}

void sbx_ghl_norm_phone(const char *in, char *out, size_t out_len)
{
    char t[64], d[64];
    trim_copy(in, t, sizeof(t));
    size_t n = digits_of(t, d, sizeof(d));
    if (t[0] == '+' && n >= 7 && n <= 15)
        snprintf(out, out_len, "+%s", d);
    else if (t[0] != '+' && n == 10 && d[0] >= '2')
        snprintf(out, out_len, "+1%s", d);
    else if (t[0] != '+' && n == 11 && d[0] == '1')
        snprintf(out, out_len, "+%s", d);
    else
        snprintf(out, out_len, "%s", t);
}

void sbx_ghl_phone_digits(const char *in, char *out, size_t out_len)
{
    char norm[64];
    sbx_ghl_norm_phone(in, norm, sizeof(norm));
    digits_of(norm, out, out_len);
}

bool sbx_ghl_contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}
