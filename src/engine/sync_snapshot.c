/* sync_snapshot.c: the records a complete scan read, as compact JSON text with their match keys
 * indexed, so that planning a pass reads neither side again (10,000 people take a few MB). */
#include "engine/sync_int.h"

#include "core/normalize.h"
#include "util/jsonx.h"

/* An open-addressing multimap from strings to entry numbers: a key may be put several times
 * (several contacts share an email where the location allows it). */
typedef struct smap {
    char **keys;
    size_t *vals;
    size_t cap, n;
} smap;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void smap_free(smap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static int smap_put(smap *m, const char *key, size_t val);

static int smap_grow(smap *m)
{
    smap bigger = {0};
    bigger.cap = m->cap ? m->cap * 2 : 1024;
    bigger.keys = calloc(bigger.cap, sizeof *bigger.keys);
    bigger.vals = calloc(bigger.cap, sizeof *bigger.vals);
    if (!bigger.keys || !bigger.vals) {
        smap_free(&bigger);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] && smap_put(&bigger, m->keys[i], m->vals[i]) != 0) {
            smap_free(&bigger);
            return ERR_NOMEM;
        }
    }
    smap_free(m);
    *m = bigger;
    return 0;
}

static int smap_put(smap *m, const char *key, size_t val)
{
    if ((m->n + 1) * 4 > m->cap * 3 && smap_grow(m) != 0)
        return ERR_NOMEM;
    size_t i = (size_t)(hash_str(key) & (m->cap - 1));
    while (m->keys[i])
        i = (i + 1) & (m->cap - 1);
    m->keys[i] = strdup(key);
    if (!m->keys[i])
        return ERR_NOMEM;
    m->vals[i] = val;
    m->n++;
    return 0;
}

/* Every value put under key: up to max into out; returns how many there are. */
static size_t smap_get(const smap *m, const char *key, size_t *out, size_t max)
{
    if (!m->cap || !key || !*key)
        return 0;
    size_t n = 0;
    for (size_t i = (size_t)(hash_str(key) & (m->cap - 1)); m->keys[i];
         i = (i + 1) & (m->cap - 1)) {
        if (strcmp(m->keys[i], key) == 0) {
            if (n < max)
                out[n] = m->vals[i];
            n++;
        }
    }
    return n;
}

/* ---------------------------------------------------------------- the snapshot */

typedef struct texts {
    char **v;
    int64_t *read_ms; /* when each copy was read */
    size_t n, cap;
} texts;

/* Operation payloads by id: open addressing with tombstones, for a pass's queue at most. */
#define PAYLOAD_SLOTS 4096
typedef struct payload_slot {
    int64_t id;      /* 0: never used */
    json_t *payload; /* NULL with an id: taken (a tombstone) */
} payload_slot;

struct sync_snapshot {
    int default_cc;
    payload_slot *payloads; /* PAYLOAD_SLOTS, made on first need */
    size_t n_payloads;      /* live entries and tombstones */
    bool contacts_complete; /* every contact of the location was listed */
    texts contacts, contact_ids, attendees, regs;
    smap by_id, by_email, by_phone; /* contacts */
    smap att_by_key, reg_by_key;
};

static int texts_add(size_t *out_index, texts *t, char *s, int64_t read_ms)
{
    if (!s)
        return ERR_NOMEM;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        char **v = realloc(t->v, cap * sizeof *v);
        if (v)
            t->v = v;
        int64_t *r = v ? realloc(t->read_ms, cap * sizeof *r) : NULL;
        if (!r) {
            free(s);
            return ERR_NOMEM;
        }
        t->read_ms = r;
        t->cap = cap;
    }
    t->v[t->n] = s;
    t->read_ms[t->n] = read_ms;
    *out_index = t->n++;
    return 0;
}

static void texts_free(texts *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
    free(t->read_ms);
}

int snap_new(sync_snapshot **out, int default_cc)
{
    sync_snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    s->default_cc = default_cc;
    *out = s;
    return 0;
}

void snap_free(sync_snapshot *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->payloads && i < PAYLOAD_SLOTS; i++)
        json_decref(s->payloads[i].payload);
    free(s->payloads);
    texts_free(&s->contacts);
    texts_free(&s->contact_ids);
    texts_free(&s->attendees);
    texts_free(&s->regs);
    smap_free(&s->by_id);
    smap_free(&s->by_email);
    smap_free(&s->by_phone);
    smap_free(&s->att_by_key);
    smap_free(&s->reg_by_key);
    free(s);
}

void sync_norm_email(char *out, size_t n, const char *raw)
{
    out[0] = '\0';
    if (!raw || !*raw)
        return;
    buf b;
    buf_init(&b, n - 1);
    char why[CORE_WHY_MAX];
    if (core_norm_email(&b, raw, strlen(raw), why) == 0 && b.len)
        snprintf(out, n, "%s", b.ptr);
    buf_free(&b);
}

void sync_norm_phone(char out[20], const char *raw, int default_cc)
{
    out[0] = '\0';
    if (!raw || !*raw)
        return;
    char e164[CORE_E164_MAX], why[CORE_WHY_MAX];
    if (core_norm_phone(e164, raw, strlen(raw), default_cc, why) == 0)
        snprintf(out, 20, "%s", e164);
}

int snap_add_contact(sync_snapshot *s, const json_t *contact, int64_t read_ms)
{
    const char *id = jsonx_str(contact, "id");
    if (!id)
        return ERR_INVALID;
    size_t at, id_at;
    if (texts_add(&at, &s->contacts, jsonx_dumps(contact), read_ms) != 0 ||
        texts_add(&id_at, &s->contact_ids, strdup(id), read_ms) != 0 ||
        smap_put(&s->by_id, id, at) != 0)
        return ERR_NOMEM;
    char email[320], phone[20];
    sync_norm_email(email, sizeof email, jsonx_str(contact, "email"));
    sync_norm_phone(phone, jsonx_str(contact, "phone"), s->default_cc);
    if (*email && smap_put(&s->by_email, email, at) != 0)
        return ERR_NOMEM;
    if (*phone && smap_put(&s->by_phone, phone, at) != 0)
        return ERR_NOMEM;
    return 0;
}

int snap_add_attendee(sync_snapshot *s, const char *key, const json_t *attendee, int64_t read_ms)
{
    size_t at;
    if (texts_add(&at, &s->attendees, jsonx_dumps(attendee), read_ms) != 0 ||
        smap_put(&s->att_by_key, key, at) != 0)
        return ERR_NOMEM;
    return 0;
}

int snap_add_registration(sync_snapshot *s, const char *attendee_key, const json_t *reg)
{
    size_t at;
    if (texts_add(&at, &s->regs, jsonx_dumps(reg), 0) != 0 ||
        smap_put(&s->reg_by_key, attendee_key, at) != 0)
        return ERR_NOMEM;
    return 0;
}

/* The newest copy put under key (a worker's answer replaces the scan's). */
static json_t *parse_at(const texts *t, const smap *m, const char *key, int64_t *read_ms)
{
    size_t at[16];
    size_t n = smap_get(m, key, at, PS_ARRAY_LEN(at));
    if (!n)
        return NULL;
    size_t best = at[0];
    for (size_t i = 1; i < n && i < PS_ARRAY_LEN(at); i++)
        best = at[i] > best ? at[i] : best;
    if (read_ms)
        *read_ms = t->read_ms[best];
    return json_loads(t->v[best], 0, NULL);
}

json_t *snap_contact(const sync_snapshot *s, const char *contact_id, int64_t *read_ms)
{
    return s ? parse_at(&s->contacts, &s->by_id, contact_id, read_ms) : NULL;
}

json_t *snap_attendee(const sync_snapshot *s, const char *key, int64_t *read_ms)
{
    return s ? parse_at(&s->attendees, &s->att_by_key, key, read_ms) : NULL;
}

json_t *snap_registration(const sync_snapshot *s, const char *attendee_key)
{
    return s ? parse_at(&s->regs, &s->reg_by_key, attendee_key, NULL) : NULL;
}

bool snap_has_contact(const sync_snapshot *s, const char *contact_id)
{
    size_t at;
    return s && smap_get(&s->by_id, contact_id, &at, 1) > 0;
}

bool snap_has_attendee(const sync_snapshot *s, const char *key)
{
    size_t at;
    return s && smap_get(&s->att_by_key, key, &at, 1) > 0;
}

/* Distinct contact ids under key (a contact put again is one contact). */
static size_t ids_of(const sync_snapshot *s, const smap *m, const char *key, const char **ids,
                     size_t max)
{
    size_t at[16];
    size_t n = smap_get(m, key, at, PS_ARRAY_LEN(at)), distinct = 0;
    for (size_t i = 0; i < n && i < PS_ARRAY_LEN(at); i++) {
        const char *id = s->contact_ids.v[at[i]];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(s->contact_ids.v[at[k]], id) == 0;
        if (seen)
            continue;
        if (distinct < max)
            ids[distinct] = id;
        distinct++;
    }
    return distinct;
}

size_t snap_contacts_by_email(const sync_snapshot *s, const char *email, const char **ids,
                              size_t max)
{
    return s ? ids_of(s, &s->by_email, email, ids, max) : 0;
}

size_t snap_contacts_by_phone(const sync_snapshot *s, const char *phone, const char **ids,
                              size_t max)
{
    return s ? ids_of(s, &s->by_phone, phone, ids, max) : 0;
}

void snap_set_contacts_complete(sync_snapshot *s)
{
    s->contacts_complete = true;
}

bool snap_contacts_complete(const sync_snapshot *s)
{
    return s && s->contacts_complete;
}

size_t snap_count_contacts(const sync_snapshot *s)
{
    return s ? s->contacts.n : 0;
}

size_t snap_count_attendees(const sync_snapshot *s)
{
    return s ? s->attendees.n : 0;
}

/* ---------------------------------------------------------------- operation payloads */

static size_t payload_home(int64_t id)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ULL) >> 32) % PAYLOAD_SLOTS;
}

static void payload_insert(payload_slot *t, int64_t id, json_t *payload)
{
    size_t i = payload_home(id);
    while (t[i].id != 0)
        i = (i + 1) % PAYLOAD_SLOTS;
    t[i] = (payload_slot){id, payload};
}

/* A table as full of tombstones as of entries is made again with its live entries only (the
 * queue of one pass: a few batches). */
static void payload_compact(sync_snapshot *s)
{
    payload_slot *fresh = calloc(PAYLOAD_SLOTS, sizeof *fresh);
    if (!fresh)
        return;
    size_t n = 0;
    for (size_t i = 0; i < PAYLOAD_SLOTS; i++) {
        if (s->payloads[i].payload) {
            payload_insert(fresh, s->payloads[i].id, s->payloads[i].payload);
            n++;
        }
    }
    free(s->payloads);
    s->payloads = fresh;
    s->n_payloads = n;
}

void snap_put_payload(sync_snapshot *s, int64_t op_id, json_t *payload)
{
    if (!s || !payload || op_id <= 0)
        return;
    if (!s->payloads && !(s->payloads = calloc(PAYLOAD_SLOTS, sizeof *s->payloads)))
        return;
    if (s->n_payloads >= PAYLOAD_SLOTS / 2)
        payload_compact(s);
    if (s->n_payloads >= PAYLOAD_SLOTS / 2)
        return; /* the store has every payload: this one is parsed from there */
    payload_insert(s->payloads, op_id, json_incref(payload));
    s->n_payloads++;
}

json_t *snap_take_payload(sync_snapshot *s, int64_t op_id)
{
    if (!s || !s->payloads)
        return NULL;
    for (size_t i = payload_home(op_id); s->payloads[i].id != 0; i = (i + 1) % PAYLOAD_SLOTS) {
        if (s->payloads[i].id == op_id && s->payloads[i].payload) {
            json_t *p = s->payloads[i].payload;
            s->payloads[i].payload = NULL;
            return p;
        }
    }
    return NULL;
}
