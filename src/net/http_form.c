/* http_form.c: application/x-www-form-urlencoded decoding and RFC 3986 percent-encoding. */
#include "net/http_route.h"
#include "net/http_server.h"

/* Decodes data[start, end) ('+' is a space, "%XX" a byte) onto out, then a NUL. */
static int form_decode(buf *out, const char *data, size_t start, size_t end, err *e)
{
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = end - i >= 3 ? http_hex_value((unsigned char)data[i + 1]) : -1;
            int lo = end - i >= 3 ? http_hex_value((unsigned char)data[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return err_set(e, ERR_PARSE, "form: malformed escape at byte %zu", i);
            c = (unsigned char)(hi * 16 + lo);
            if (c == 0)
                return err_set(e, ERR_PARSE, "form: %%00 at byte %zu", i);
            i += 2;
        } else if (c == 0) {
            return err_set(e, ERR_PARSE, "form: NUL byte at byte %zu", i);
        }
        int rc = buf_addc(out, (char)c);
        if (rc)
            return err_set(e, rc, "form: out of memory");
    }
    int rc = buf_addc(out, '\0');
    return rc ? err_set(e, rc, "form: out of memory") : 0;
}

/* Decodes one "key=value" (or bare "key") pair in data[start, end) and hands it to fn. */
static int form_pair(buf *scratch, const char *data, size_t start, size_t end, bool *more,
                     bool (*fn)(void *ctx, const char *key, const char *value), void *ctx, err *e)
{
    size_t eq = start;
    while (eq < end && data[eq] != '=')
        eq++;
    buf_reset(scratch);
    int rc = form_decode(scratch, data, start, eq, e);
    if (rc)
        return rc;
    size_t key_len = scratch->len; /* includes the key's NUL */
    rc = form_decode(scratch, data, eq < end ? eq + 1 : end, end, e);
    if (rc)
        return rc;
    *more = fn(ctx, scratch->ptr, scratch->ptr + key_len);
    return 0;
}

int http_form_parse(const char *data, size_t len,
                    bool (*fn)(void *ctx, const char *key, const char *value), void *ctx, err *e)
{
    buf scratch;
    /* A decoded pair is never longer than the input, plus two NULs. */
    buf_init(&scratch, len + 2);
    int rc = 0;
    bool more = true;
    for (size_t start = 0; start < len && more && rc == 0;) {
        size_t end = start;
        while (end < len && data[end] != '&')
            end++;
        if (end > start) /* empty pairs ("a=1&&b=2", a trailing '&') carry nothing */
            rc = form_pair(&scratch, data, start, end, &more, fn, ctx, e);
        start = end + 1;
    }
    buf_free(&scratch);
    return rc;
}

int http_url_encode(buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t start_len = out->len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        int rc = keep ? buf_addc(out, (char)*p) : buf_add(out, esc, sizeof esc);
        if (rc) {
            out->len = start_len; /* leave out as it was */
            if (out->ptr)
                out->ptr[start_len] = '\0';
            return rc;
        }
    }
    return 0;
}
