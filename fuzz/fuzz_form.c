/* fuzz_form.c: http_form_parse on arbitrary bytes, and the encode-then-parse round trip. */
#include "fuzz/fuzz.h"
#include "net/http_server.h"

typedef struct seen {
    size_t pairs;
    const char *want_value; /* round trip: the only value expected */
    bool matched;
} seen;

static bool on_pair(void *ctx, const char *key, const char *value)
{
    seen *s = ctx;
    s->pairs++;
    /* Touch every byte so that ASan sees any overread of the decoded strings. */
    volatile size_t n = strlen(key) + strlen(value);
    (void)n;
    if (s->want_value)
        s->matched = strcmp(key, "k") == 0 && strcmp(value, s->want_value) == 0;
    return s->pairs < 1000;
}

/* Encoding then parsing any C string gives the string back. */
static void round_trip(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return;
    memcpy(s, data, size);
    s[size] = '\0';
    buf enc;
    buf_init(&enc, 3 * size + 8);
    if (buf_addstr(&enc, "k=") == 0 && http_url_encode(&enc, s) == 0) {
        seen r = {.want_value = s};
        err e = {0};
        if (http_form_parse(enc.ptr, enc.len, on_pair, &r, &e) != 0 || r.pairs != 1 || !r.matched)
            abort();
    }
    buf_free(&enc);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    seen s = {0};
    err e = {0};
    int rc = http_form_parse((const char *)data, size, on_pair, &s, &e);
    if (rc != 0 && (rc != ERR_PARSE || e.msg[0] == '\0'))
        abort();
    round_trip(data, size);
    return 0;
}
