/* ghl_events.c: the HighLevel emulator's webhooks: payloads in the shapes of HighLevel's event
 * documentation, with timestamp and webhookId, signed (Ed25519 and RSA) and handed to the
 * delivery queue in the order the changes happened. */
#include "sandbox/ghl/ghl_state.h"

#include "sandbox/webhooks.h"

/* The contact fields of the Contact* events, in the documented order. */
static const char *const CONTACT_STRINGS[] = {
    "address1", "city",  "companyName", "country",     "source",     "dateAdded",    "dateOfBirth",
    "dnd",      "email", "name",        "firstName",   "lastName",   "phone",        "postalCode",
    "state",    "tags",  "website",     "attachments", "assignedTo", "customFields",
};

json_t *sbx_ghl_contact_event_payload(const char *type, const sbx_ghl_contact *c)
{
    json_t *full = sbx_ghl_contact_json(c);
    json_t *p = json_pack("{s:s, s:s, s:s}", "type", type, "locationId", c->loc->id, "id", c->id);
    for (size_t i = 0; i < PS_ARRAY_LEN(CONTACT_STRINGS); i++) {
        const char *k = CONTACT_STRINGS[i];
        json_t *v = json_object_get(full, k);
        if (strcmp(k, "attachments") == 0)
            json_object_set_new(p, k, json_array());
        else if (v)
            json_object_set(p, k, v);
    }
    if (strcmp(type, "ContactDndUpdate") == 0)
        json_object_set_new(p, "dndSettings",
                            json_object_get(full, "dndSettings")
                                ? json_incref(json_object_get(full, "dndSettings"))
                                : json_object());
    json_decref(full);
    return p;
}

/* A version-4 UUID from the emulator's generator: unique per event, reproducible per seed. */
static void new_uuid(sbx_ghl_emu *g, char out[37])
{
    uint64_t a = rng_next(&g->rng), b = rng_next(&g->rng);
    a = (a & ~0xf000ULL) | 0x4000ULL;
    b = (b & ~(0xcULL << 60)) | (0x8ULL << 60);
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)((a >> 16) & 0xffff), (unsigned)(a & 0xffff), (unsigned)(b >> 48),
             (unsigned long long)(b & 0xffffffffffffULL));
}

/* Stamps the payload and queues it for sbx_ghl_events_flush; takes ownership of payload. */
static void enqueue(sbx_ghl_emu *g, const char *label, json_t *payload)
{
    if (!payload)
        return;
    if (!g->webhook_url) {
        json_decref(payload);
        return;
    }
    char iso[CLOCK_ISO_LEN], uuid[37];
    sbx_ghl_iso(sbx_ghl_now_ms(g), iso);
    new_uuid(g, uuid);
    json_object_set_new(payload, "timestamp", json_string(iso));
    json_object_set_new(payload, "webhookId", json_string(uuid));
    json_array_append_new(g->outbox, json_pack("[s, o]", label, payload));
}

void sbx_ghl_event_contact(sbx_ghl_emu *g, const char *type, const sbx_ghl_contact *c)
{
    if (g->webhook_url)
        enqueue(g, type, sbx_ghl_contact_event_payload(type, c));
}

static void copy_keys(json_t *to, const json_t *from, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(from, keys[i]);
        if (v)
            json_object_set(to, keys[i], v);
    }
}

void sbx_ghl_event_task(sbx_ghl_emu *g, const char *type, const sbx_ghl_contact *c,
                        const json_t *task)
{
    static const char *const KEYS[] = {"id",    "assignedTo", "body",   "contactId",
                                       "title", "dateAdded",  "dueDate"};
    if (!g->webhook_url)
        return;
    json_t *p = json_pack("{s:s, s:s}", "type", type, "locationId", c->loc->id);
    copy_keys(p, task, KEYS, PS_ARRAY_LEN(KEYS));
    enqueue(g, type, p);
}

void sbx_ghl_event_note(sbx_ghl_emu *g, const char *type, const sbx_ghl_contact *c,
                        const json_t *note)
{
    static const char *const KEYS[] = {"id", "body", "contactId", "dateAdded"};
    if (!g->webhook_url)
        return;
    json_t *p = json_pack("{s:s, s:s}", "type", type, "locationId", c->loc->id);
    copy_keys(p, note, KEYS, PS_ARRAY_LEN(KEYS));
    enqueue(g, type, p);
}

void sbx_ghl_event_appt(sbx_ghl_emu *g, const char *type, const sbx_ghl_contact *c,
                        const json_t *appt)
{
    static const char *const KEYS[] = {
        "id",      "address",           "title",          "calendarId", "contactId",
        "groupId", "appointmentStatus", "assignedUserId", "users",      "notes",
        "source",  "startTime",         "endTime",        "dateAdded",  "dateUpdated"};
    if (!g->webhook_url)
        return;
    json_t *a = json_object();
    copy_keys(a, appt, KEYS, PS_ARRAY_LEN(KEYS));
    enqueue(g, type,
            json_pack("{s:s, s:s, s:o}", "type", type, "locationId", c->loc->id, "appointment", a));
}

static void deliver(sbx_ghl_emu *g, const char *url, const char *label, const json_t *payload)
{
    char *body = jsonx_dumps(payload);
    char *ed = NULL, *rsa = NULL;
    err e = {0};
    if (body && sbx_ghl_signer_sign(g->signer, body, strlen(body), &ed, &rsa, &e) == 0) {
        sbx_webhook_header h[] = {
            {"Content-Type", "application/json"},
            {"X-GHL-Signature", ed},
            {"X-WH-Signature", rsa},
        };
        sbx_webhooks_send(g->svc->webhooks, url, label, body, h, PS_ARRAY_LEN(h));
    }
    free(ed);
    free(rsa);
    free(body);
}

void sbx_ghl_events_flush(sbx_ghl_emu *g)
{
    pthread_mutex_lock(&g->send_mu);
    pthread_mutex_lock(&g->mu);
    json_t *batch = g->outbox;
    char *url = g->webhook_url ? strdup(g->webhook_url) : NULL;
    g->outbox = json_array();
    pthread_mutex_unlock(&g->mu);
    size_t i;
    json_t *ev;
    json_array_foreach(batch, i, ev)
    {
        if (url)
            deliver(g, url, json_string_value(json_array_get(ev, 0)), json_array_get(ev, 1));
    }
    free(url);
    json_decref(batch);
    pthread_mutex_unlock(&g->send_mu);
}
