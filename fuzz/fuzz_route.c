/* fuzz_route.c: route pattern checks, path decoding and matching on arbitrary bytes.
 * Input: PATTERN '\n' RAW-PATH (the raw path is percent-decoded, then matched). */
#include "fuzz/fuzz.h"
#include "net/http_route.h"

static void check_match(const char *pattern, const char *path, size_t len)
{
    http_route_match_result m;
    if (!http_route_match(&m, pattern, path, len))
        return;
    size_t plen = strlen(pattern);
    if (m.n_caps > HTTP_MAX_PARAMS)
        abort();
    for (size_t i = 0; i < m.n_caps; i++) {
        const http_route_capture *c = &m.caps[i];
        if (c->value_len == 0 || c->value_off + c->value_len > len ||
            c->name_off + c->name_len > plen || memchr(path + c->value_off, '/', c->value_len))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t pat_len = nl ? (size_t)(nl - data) : size;
    char *pattern = malloc(pat_len + 1);
    if (!pattern)
        return 0;
    memcpy(pattern, data, pat_len);
    pattern[pat_len] = '\0';
    const char *raw = nl ? (const char *)nl + 1 : "";
    size_t raw_len = nl ? size - pat_len - 1 : 0;

    buf path;
    buf_init(&path, raw_len);
    int rc = http_path_decode(&path, raw, raw_len, NULL);
    if (rc == 0 && path.len > raw_len)
        abort();
    bool valid = http_route_check(pattern, NULL) == 0;
    check_match(pattern, raw, raw_len);
    if (rc == 0)
        check_match(pattern, buf_cstr(&path), path.len);

    /* A valid pattern without parameters is a path that it matches, all segments literal. */
    http_route_match_result self;
    if (valid && !strchr(pattern, '{') &&
        (!http_route_match(&self, pattern, pattern, strlen(pattern)) || self.n_caps != 0))
        abort();
    buf_free(&path);
    free(pattern);
    return 0;
}
