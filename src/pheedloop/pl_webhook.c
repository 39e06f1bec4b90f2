/* pl_webhook.c: PheedLoop webhook verification as configured (per-event HMAC secrets, header,
 * encoding), the timestamp window, and the parse of a delivery into a hint. */
#include "pheedloop/pl_webhook.h"
#include "crypto/verify.h"
#include "util/clock.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <openssl/evp.h>

typedef struct pl_wh_key {
    char *event_code; /* NULL: the default, for every event without its own */
    crypto_webhook_verifier *v;
} pl_wh_key;

struct pl_webhook {
    char *header;
    crypto_sig_alg alg;
    crypto_sig_encoding enc;
    int64_t window_ms;
    bool capture;
    pl_wh_key *keys;
    size_t n_keys;
};

/* ---------------------------------------------------------------- construction */

static int add_key(pl_webhook *w, const char *event_code, const char *secret, err *e)
{
    if (!secret || !*secret)
        return err_set(e, ERR_CONFIG, "webhook secret for %s is empty",
                       event_code ? event_code : "every event");
    pl_wh_key *k = &w->keys[w->n_keys];
    k->event_code = event_code ? strdup(event_code) : NULL;
    if (event_code && !k->event_code)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = crypto_verifier_new_hmac(&k->v, w->alg, secret, strlen(secret), w->enc, e);
    if (rc < 0) {
        free(k->event_code);
        return rc;
    }
    log_add_secret(secret);
    w->n_keys++;
    return 0;
}

int pl_webhook_new(pl_webhook **out, const pl_webhook_config *cfg, err *e)
{
    crypto_sig_alg alg = CRYPTO_SIG_HMAC_SHA256;
    crypto_sig_encoding enc = CRYPTO_SIG_HEX;
    if (cfg->algorithm && (crypto_sig_alg_parse(&alg, cfg->algorithm) < 0 ||
                           (alg != CRYPTO_SIG_HMAC_SHA256 && alg != CRYPTO_SIG_HMAC_SHA1 &&
                            alg != CRYPTO_SIG_HMAC_SHA512)))
        return err_set(e, ERR_CONFIG,
                       "[pheedloop] webhook_algorithm '%s': use sha256, sha1 or sha512",
                       cfg->algorithm);
    if (cfg->encoding && crypto_sig_encoding_parse(&enc, cfg->encoding) < 0)
        return err_set(e, ERR_CONFIG, "[pheedloop] webhook_encoding '%s': use hex or base64",
                       cfg->encoding);
    pl_webhook *w = calloc(1, sizeof *w);
    if (!w)
        return err_set(e, ERR_NOMEM, "out of memory");
    w->alg = alg;
    w->enc = enc;
    w->capture = cfg->capture;
    w->window_ms = cfg->window_ms ? cfg->window_ms : PL_WEBHOOK_DEFAULT_WINDOW_MS;
    w->header = strdup(cfg->header && *cfg->header ? cfg->header : PL_WEBHOOK_DEFAULT_HEADER);
    w->keys = calloc(cfg->n_event_secrets + 1, sizeof *w->keys);
    int rc = w->header && w->keys ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < cfg->n_event_secrets; i++) {
        const pl_webhook_secret *s = &cfg->event_secrets[i];
        rc = s->event_code && *s->event_code
                 ? add_key(w, s->event_code, s->secret, e)
                 : err_set(e, ERR_CONFIG, "webhook secret %zu names no event", i);
    }
    if (rc == 0 && cfg->secret)
        rc = add_key(w, NULL, cfg->secret, e);
    if (rc < 0) {
        pl_webhook_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void pl_webhook_free(pl_webhook *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_keys; i++) {
        free(w->keys[i].event_code);
        crypto_verifier_free(w->keys[i].v);
    }
    free(w->keys);
    free(w->header);
    free(w);
}

const char *pl_webhook_header(const pl_webhook *w)
{
    return w->header;
}

bool pl_webhook_capturing(const pl_webhook *w)
{
    return w->capture;
}

/* ---------------------------------------------------------------- configuration */

static bool is_configured_event(const char *code, size_t len, const char *const *events,
                                size_t n_events)
{
    for (size_t i = 0; i < n_events; i++)
        if (strlen(events[i]) == len && strncmp(events[i], code, len) == 0)
            return true;
    return false;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* Splits "EVE1=s1, EVE2=s2" into per-event secrets (copied into store, one string per half)
 * when every item names a configured event; returns the number of pairs, 0 when the value is
 * one secret, or a negative ERR_*. */
static int split_pairs(const char *value, const char *const *events, size_t n_events,
                       char ***store_out, err *e)
{
    size_t items = 1;
    for (const char *p = value; *p; p++)
        items += *p == ',';
    char **store = calloc(2 * items, sizeof *store);
    if (!store)
        return err_set(e, ERR_NOMEM, "out of memory");
    size_t n = 0;
    const char *p = value;
    for (size_t i = 0; i < items; i++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *item = p;
        trim(&item, &len);
        const char *eq = memchr(item, '=', len);
        if (!eq || !is_configured_event(item, (size_t)(eq - item), events, n_events)) {
            for (size_t j = 0; j < 2 * n; j++)
                free(store[j]);
            free(store);
            return 0;
        }
        store[2 * n] = strndup(item, (size_t)(eq - item));
        store[2 * n + 1] = strndup(eq + 1, len - (size_t)(eq - item) - 1);
        n++;
        p = end ? end + 1 : p + len;
    }
    *store_out = store;
    return (int)n;
}

static int from_secret(pl_webhook **out, const config *cfg, const char *secret,
                       const char *const *events, size_t n_events, err *e);

int pl_webhook_from_config(pl_webhook **out, const config *cfg, err *e)
{
    const config_section *s = config_section_get(cfg, "pheedloop");
    const char *const *events = NULL;
    size_t n_events = config_sec_list(s, "events", &events);
    return from_secret(out, cfg, config_sec_str(s, "webhook_secret"), events, n_events, e);
}

int pl_webhook_from_secret(pl_webhook **out, const config *cfg, const char *secret,
                           const char *const *events, err *e)
{
    size_t n = 0;
    while (events && events[n])
        n++;
    return from_secret(out, cfg, secret, events, n, e);
}

static int from_secret(pl_webhook **out, const config *cfg, const char *secret,
                       const char *const *events, size_t n_events, err *e)
{
    const config_section *s = config_section_get(cfg, "pheedloop");
    pl_webhook_config wc = {
        .algorithm = config_sec_str(s, "webhook_algorithm"),
        .encoding = config_sec_str(s, "webhook_encoding"),
        .header = config_sec_str(s, "webhook_header"),
        .capture = config_sec_bool(s, "webhook_capture"),
    };
    char **store = NULL;
    int n = secret && *secret ? split_pairs(secret, events, n_events, &store, e) : 0;
    if (n < 0)
        return n;
    pl_webhook_secret *pairs = n > 0 ? calloc((size_t)n, sizeof *pairs) : NULL;
    int rc = n > 0 && !pairs ? err_set(e, ERR_NOMEM, "out of memory") : 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        if (!store[2 * i] || !store[2 * i + 1])
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else
            pairs[i] = (pl_webhook_secret){store[2 * i], store[2 * i + 1]};
    }
    wc.event_secrets = pairs;
    wc.n_event_secrets = (size_t)n;
    wc.secret = n == 0 && secret && *secret ? secret : NULL;
    if (rc == 0)
        rc = pl_webhook_new(out, &wc, e);
    for (int i = 0; i < 2 * n; i++) {
        for (volatile char *c = store[i]; c && *c; c++)
            *c = '\0';
        free(store[i]);
    }
    free(store);
    free(pairs);
    return rc;
}

/* ---------------------------------------------------------------- parsing */

/* Copies obj[key] (a string, else "" when allowed) into out[size]; ERR_PARSE when too long. */
static int copy_str(char *out, size_t size, const json_t *obj, const char *key, bool required,
                    err *e)
{
    const json_t *v = json_object_get(obj, key);
    out[0] = '\0';
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_PARSE, "PheedLoop webhook without '%s'", key);
        return 0;
    }
    if (!json_is_string(v))
        return err_set(e, ERR_PARSE, "PheedLoop webhook field '%s' is not a string", key);
    size_t len = json_string_length(v);
    if (len >= size || memchr(json_string_value(v), '\0', len))
        return err_set(e, ERR_PARSE, "PheedLoop webhook field '%s' is too long or holds NUL", key);
    if (required && len == 0)
        return err_set(e, ERR_PARSE, "PheedLoop webhook field '%s' is empty", key);
    memcpy(out, json_string_value(v), len + 1);
    return 0;
}

/* ISO-8601 text, or a number of seconds (or milliseconds, when it is that large). */
static int64_t read_timestamp(const json_t *v)
{
    int64_t ms = 0;
    if (json_is_string(v) && clock_parse_iso(&ms, json_string_value(v), NULL) == 0)
        return ms;
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        int64_t n = json_integer_value(v);
        return n > 100000000000LL ? n : (n < INT64_MAX / 1000 ? n * 1000 : 0);
    }
    return 0;
}

static int body_digest_id(char *out, size_t size, const void *body, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_Digest(body, len, md, &md_len, EVP_sha256(), NULL) != 1 || size < 8 + 2 * md_len)
        return ERR_CRYPTO;
    int n = snprintf(out, size, "sha256:");
    for (unsigned int i = 0; i < md_len; i++)
        n += snprintf(out + n, size - (size_t)n, "%02x", md[i]);
    return 0;
}

static int parse_data(pl_webhook_hint *h, const json_t *data, err *e)
{
    if (!data || json_is_null(data))
        return 0;
    if (!json_is_object(data))
        return err_set(e, ERR_PARSE, "PheedLoop webhook 'data' is not an object");
    int rc = copy_str(h->record_code, sizeof h->record_code, data, "code", false, e);
    if (rc == 0)
        rc = copy_str(h->attendee_code, sizeof h->attendee_code, data, "attendee_code", false, e);
    if (rc == 0 && !h->attendee_code[0] && strcmp(h->object, "registration") != 0)
        memcpy(h->attendee_code, h->record_code, sizeof h->attendee_code);
    return rc;
}

int pl_webhook_parse(pl_webhook_hint *out, const void *body, size_t len, err *e)
{
    json_t *j = NULL;
    int rc = jsonx_parse(&j, body, len, "PheedLoop webhook", e);
    if (rc < 0)
        return rc;
    pl_webhook_hint h;
    memset(&h, 0, sizeof h);
    if (!json_is_object(j))
        rc = err_set(e, ERR_PARSE, "PheedLoop webhook is not a JSON object");
    if (rc == 0)
        rc = copy_str(h.action, sizeof h.action, j, "action", true, e);
    if (rc == 0) {
        size_t n = strcspn(h.action, ".");
        snprintf(h.object, sizeof h.object, "%.*s", (int)PS_MIN(n, sizeof h.object - 1), h.action);
        rc = copy_str(h.event_code, sizeof h.event_code, j, "event_code", true, e);
    }
    if (rc == 0)
        rc = parse_data(&h, json_object_get(j, "data"), e);
    if (rc == 0)
        rc = copy_str(h.delivery_id, sizeof h.delivery_id, j, "delivery_id", false, e);
    if (rc == 0 && !h.delivery_id[0] &&
        body_digest_id(h.delivery_id, sizeof h.delivery_id, body, len) < 0)
        rc = err_set(e, ERR_CRYPTO, "SHA-256 failed");
    if (rc == 0)
        h.timestamp_ms = read_timestamp(json_object_get(j, "timestamp"));
    json_decref(j);
    if (rc == 0)
        *out = h;
    return rc;
}

/* ---------------------------------------------------------------- verification */

static const crypto_webhook_verifier *key_for(const pl_webhook *w, const char *event_code)
{
    const crypto_webhook_verifier *fallback = NULL;
    for (size_t i = 0; i < w->n_keys; i++) {
        if (!w->keys[i].event_code)
            fallback = w->keys[i].v;
        else if (event_code && strcmp(w->keys[i].event_code, event_code) == 0)
            return w->keys[i].v;
    }
    return fallback;
}

static bool has_event_keys(const pl_webhook *w)
{
    for (size_t i = 0; i < w->n_keys; i++)
        if (w->keys[i].event_code)
            return true;
    return false;
}

int pl_webhook_verify(pl_webhook_hint *out, const pl_webhook *w, const char *sig_value,
                      const void *body, size_t len, int64_t now_ms, err *e)
{
    pl_webhook_hint h;
    bool parsed = false;
    /* The secret depends on the event, which only the body names: read it first when
     * secrets differ by event; otherwise check the signature before reading anything. */
    if (has_event_keys(w)) {
        if (pl_webhook_parse(&h, body, len, NULL) < 0)
            return err_set(e, ERR_AUTH,
                           "PheedLoop webhook: unreadable body, no event to check "
                           "the signature with");
        parsed = true;
    }
    const crypto_webhook_verifier *v = key_for(w, parsed ? h.event_code : NULL);
    if (!v)
        return err_set(e, ERR_AUTH, "PheedLoop webhook: no webhook secret configured%s%s",
                       parsed ? " for event " : "", parsed ? h.event_code : "");
    int rc = crypto_verify_webhook(v, sig_value, body, len, e);
    if (rc < 0)
        return err_wrap(e, "PheedLoop webhook (%s): ", w->header);
    if (!parsed && (rc = pl_webhook_parse(&h, body, len, e)) < 0)
        return rc;
    if (w->window_ms > 0 && h.timestamp_ms > 0) {
        int64_t skew = now_ms - h.timestamp_ms;
        if (skew > w->window_ms || -skew > w->window_ms)
            return err_set(e, ERR_AUTH,
                           "PheedLoop webhook stamped %lld s from now, outside the %lld s window",
                           (long long)(-skew / 1000), (long long)(w->window_ms / 1000));
    }
    *out = h;
    return 0;
}
