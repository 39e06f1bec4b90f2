/* pl_webhook_capture.c: capture mode (raw PheedLoop deliveries logged for setting up the
 * signature check) and the one call a webhook route makes. */
#include "pheedloop/pl_webhook.h"
#include "crypto/codec.h"
#include "util/log.h"

#include <microhttpd.h>

static bool ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

/* Headers that may carry credentials of any kind; their values never reach the log. */
static bool header_is_secret(const char *name)
{
    static const char *const words[] = {"authorization", "cookie",   "key",    "secret",
                                        "token",         "password", "session"};
    for (size_t i = 0; i < PS_ARRAY_LEN(words); i++)
        if (ci_contains(name, words[i]))
            return true;
    return false;
}

static json_t *body_field(const void *body, size_t len, const char **key)
{
    /* Text when it is UTF-8 without NUL (what JSON bodies are), else base64. */
    json_t *s = body && !memchr(body, '\0', len) ? json_stringn(body, len) : NULL;
    if (s) {
        *key = "body";
        return s;
    }
    buf b64;
    buf_init(&b64, crypto_b64_encoded_len(len) + 1);
    crypto_b64_encode(&b64, body ? body : "", body ? len : 0);
    *key = "body_base64";
    s = json_string(buf_cstr(&b64));
    buf_free(&b64);
    return s;
}

void pl_webhook_capture(const pl_webhook *w, const char *method, const char *path,
                        const pl_webhook_header_kv *headers, size_t n_headers, const void *body,
                        size_t len, int verify_rc, const char *verify_msg)
{
    if (!w || !pl_webhook_capturing(w))
        return;
    json_t *hs = json_object();
    bool sig_seen = false;
    for (size_t i = 0; hs && i < n_headers; i++) {
        const char *name = headers[i].name ? headers[i].name : "";
        const char *value = headers[i].value ? headers[i].value : "";
        bool is_sig = strcasecmp(name, pl_webhook_header(w)) == 0;
        sig_seen |= is_sig;
        /* The signature is no secret (a MAC of the body), and setting up needs to see it. */
        json_t *v = json_string(!is_sig && header_is_secret(name) ? "[redacted]" : value);
        json_object_set_new(hs, name, v ? v : json_string("(not UTF-8)"));
    }
    const char *body_key = "body";
    json_t *bv = body_field(body, len, &body_key);
    json_t *f = json_pack(
        "{s:s, s:s?, s:s?, s:o, s:I, s:s, s:b, s:s, s:s?}", "source", "pheedloop", "method", method,
        "path", path, "headers", hs, "body_len", (json_int_t)len, "signature_header",
        pl_webhook_header(w), "signature_present", sig_seen, "verified",
        verify_rc == 0 ? "ok" : "refused", "refusal", verify_rc == 0 ? NULL : verify_msg);
    if (f && bv)
        json_object_set_new(f, body_key, bv);
    else
        json_decref(bv);
    log_write(LOG_INFO, "pheedloop webhook captured", f);
}

typedef struct header_walk {
    pl_webhook_header_kv kv[64];
    size_t n;
} header_walk;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    header_walk *hw = cls;
    if (hw->n < PS_ARRAY_LEN(hw->kv))
        hw->kv[hw->n++] = (pl_webhook_header_kv){key, value};
    return MHD_YES;
}

int pl_webhook_handle(pl_webhook_hint *out, const pl_webhook *w, const http_request *req,
                      int64_t now_ms, err *e)
{
    const char *sig = http_request_header(req, pl_webhook_header(w));
    err local = {0};
    err *ep = e ? e : &local;
    int rc = pl_webhook_verify(out, w, sig, req->body, req->body_len, now_ms, ep);
    if (pl_webhook_capturing(w)) {
        /* The server's request record offers headers by name only; capture wants all of
         * them, so walk the connection's. */
        header_walk hw = {.n = 0};
        if (req->conn)
            MHD_get_connection_values(req->conn, MHD_HEADER_KIND, collect_header, &hw);
        pl_webhook_capture(w, req->method, req->path, hw.kv, hw.n, req->body, req->body_len, rc,
                           ep->msg);
    }
    return rc;
}
