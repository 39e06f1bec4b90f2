/* ghl_webhook.c: verifying HighLevel webhook deliveries and reading them into hints. */
#include "ghl/ghl_webhook.h"
#include "crypto/verify.h"
#include "util/clock.h"
#include "util/jsonx.h"

struct ghl_webhook_verifier {
    crypto_webhook_verifier *ed, *rsa; /* either may be NULL */
    int64_t window_ms;
};

/* Copies obj[key] (a string, or absent) into out; ERR_PARSE when of another type or too long. */
static int copy_str(char *out, size_t cap, const json_t *obj, const char *key, err *e)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return err_set(e, ERR_PARSE, "webhook field '%s': must be a string", key);
    size_t n = json_string_length(v);
    if (n >= cap)
        return err_set(e, ERR_PARSE, "webhook field '%s': longer than %zu bytes", key, cap - 1);
    if (memchr(json_string_value(v), '\0', n))
        return err_set(e, ERR_PARSE, "webhook field '%s': holds a NUL byte", key);
    memcpy(out, json_string_value(v), n + 1);
    return 0;
}

static bool is_contact_event(const char *type)
{
    return strncmp(type, "Contact", 7) == 0;
}

static int read_hint(ghl_hint *h, const json_t *j, err *e)
{
    if (!json_is_string(json_object_get(j, "type")))
        return err_set(e, ERR_PARSE, "webhook: no \"type\"");
    int rc = copy_str(h->type, sizeof h->type, j, "type", e);
    if (rc == 0)
        rc = copy_str(h->location_id, sizeof h->location_id, j, "locationId", e);
    if (rc == 0)
        rc = copy_str(h->webhook_id, sizeof h->webhook_id, j, "webhookId", e);
    /* Appointment events nest the record under "appointment". */
    const json_t *rec = json_object_get(j, "appointment");
    if (rec && !json_is_null(rec) && !json_is_object(rec))
        return err_set(e, ERR_PARSE, "webhook field 'appointment': must be an object");
    if (!rec || json_is_null(rec))
        rec = j;
    if (rc == 0)
        rc = copy_str(h->id, sizeof h->id, rec, "id", e);
    if (rc == 0)
        rc = copy_str(h->contact_id, sizeof h->contact_id, rec, "contactId", e);
    if (rc == 0 && !h->contact_id[0] && is_contact_event(h->type))
        memcpy(h->contact_id, h->id, sizeof h->id);
    const json_t *ts = json_object_get(j, "timestamp");
    if (rc == 0 && ts && !json_is_null(ts)) {
        if (json_is_string(ts)) {
            if (clock_parse_iso(&h->timestamp_ms, json_string_value(ts), NULL) != 0)
                rc = err_set(e, ERR_PARSE, "webhook field 'timestamp': not an ISO 8601 time");
        } else if (json_is_integer(ts)) {
            h->timestamp_ms = json_integer_value(ts); /* Unix milliseconds */
        } else {
            rc = err_set(e, ERR_PARSE, "webhook field 'timestamp': must be a string");
        }
    }
    return rc;
}

int ghl_webhook_parse(ghl_hint *out, const char *body, size_t len, err *e)
{
    json_t *j = NULL;
    if (jsonx_parse(&j, body, len, "webhook body", e) != 0)
        return e ? (e->code = ERR_PARSE) : ERR_PARSE;
    ghl_hint h;
    memset(&h, 0, sizeof h);
    int rc = json_is_object(j) ? read_hint(&h, j, e)
                               : err_set(e, ERR_PARSE, "webhook body: not a JSON object");
    json_decref(j);
    if (rc == 0)
        *out = h;
    return rc;
}

/* A verifier for one algorithm from configuration, or HighLevel's built-in key. *out stays
 * NULL (and 0 is returned) when neither is available. */
static int make_one(crypto_webhook_verifier **out, crypto_sig_alg alg, const char *cfg_name,
                    const char *value, err *e)
{
    crypto_pubkey *key = NULL;
    int rc;
    if (value && *value) {
        rc = crypto_pubkey_load_named(&key, cfg_name, value, e);
    } else {
        rc = crypto_pubkey_ghl_default(&key, alg, NULL);
        if (rc != 0)
            return 0;
    }
    if (rc == 0)
        rc = crypto_verifier_new_pubkey(out, alg, key, e);
    crypto_pubkey_free(key);
    return rc;
}

int ghl_webhook_verifier_new(ghl_webhook_verifier **out, const ghl_webhook_config *cfg, err *e)
{
    ghl_webhook_verifier *v = calloc(1, sizeof *v);
    if (!v)
        return err_set(e, ERR_NOMEM, "out of memory");
    v->window_ms = cfg->window_ms ? cfg->window_ms : 300000;
    int rc = make_one(&v->ed, CRYPTO_SIG_ED25519, "[ghl] webhook_public_key", cfg->ed25519_key, e);
    if (rc == 0)
        rc = make_one(&v->rsa, CRYPTO_SIG_RSA_SHA256, "[ghl] webhook_rsa_public_key", cfg->rsa_key,
                      e);
    if (rc == 0 && !v->ed && !v->rsa)
        rc = err_set(e, ERR_CONFIG,
                     "[ghl] webhook_public_key: no key to check HighLevel webhooks with; set it "
                     "to the Ed25519 public key from HighLevel's webhook documentation");
    if (rc != 0) {
        ghl_webhook_verifier_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

void ghl_webhook_verifier_free(ghl_webhook_verifier *v)
{
    if (!v)
        return;
    crypto_verifier_free(v->ed);
    crypto_verifier_free(v->rsa);
    free(v);
}

bool ghl_webhook_verifier_has(const ghl_webhook_verifier *v, bool ed25519)
{
    return ed25519 ? v->ed != NULL : v->rsa != NULL;
}

static int check_signature(bool *out_ed, const ghl_webhook_verifier *v, const char *ed_sig,
                           const char *rsa_sig, const void *body, size_t len, err *e)
{
    if (ed_sig && v->ed) {
        *out_ed = true;
        return crypto_verify_webhook(v->ed, ed_sig, body, len, e);
    }
    if (rsa_sig && v->rsa) {
        *out_ed = false;
        return crypto_verify_webhook(v->rsa, rsa_sig, body, len, e);
    }
    if (ed_sig || rsa_sig)
        return err_set(e, ERR_AUTH, "webhook signed with a key type that is not configured (%s)",
                       ed_sig ? GHL_WEBHOOK_ED25519_HEADER : GHL_WEBHOOK_RSA_HEADER);
    return err_set(e, ERR_AUTH, "webhook without %s or %s", GHL_WEBHOOK_ED25519_HEADER,
                   GHL_WEBHOOK_RSA_HEADER);
}

int ghl_webhook_verify(ghl_hint *out, bool *out_ed25519, const ghl_webhook_verifier *v,
                       const char *ed_sig, const char *rsa_sig, const void *body, size_t len,
                       int64_t now_ms, err *e)
{
    bool ed = false;
    int rc = check_signature(&ed, v, ed_sig, rsa_sig, body, len, e);
    if (rc != 0)
        return rc;
    ghl_hint h;
    if ((rc = ghl_webhook_parse(&h, body, len, e)) != 0)
        return rc;
    if (v->window_ms >= 0) {
        if (h.timestamp_ms == 0)
            return err_set(e, ERR_AUTH,
                           "webhook without a timestamp: refused as a possible "
                           "replay");
        int64_t skew = now_ms - h.timestamp_ms;
        if (skew > v->window_ms || -skew > v->window_ms)
            return err_set(e, ERR_AUTH,
                           "webhook timestamp is %lld s away from now (window %lld s): refused "
                           "as a possible replay",
                           (long long)(skew / 1000), (long long)(v->window_ms / 1000));
    }
    *out = h;
    if (out_ed25519)
        *out_ed25519 = ed;
    return 0;
}
