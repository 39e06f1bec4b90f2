/* testhttp.c: the blocking libcurl client that tests use, and bounded polling. */
#include "tests/support/testhttp.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>

/* Bodies and header blocks a test may receive. */
#define TH_MAX_BODY ((size_t)256 * 1024 * 1024)
#define TH_MAX_HEADERS ((size_t)1024 * 1024)

/* The public record plus a copy of the header block cut into C strings for th_header. */
typedef struct th_response_full {
    th_response pub;
    char *lookup;
    size_t lookup_len;
} th_response_full;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    atexit(curl_global_cleanup);
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    return buf_add(ctx, data, size * n) == 0 ? size * n : 0;
}

/* Keeps the last header block (after a 100 Continue there are two) with lower-cased names. */
static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    buf *h = ctx;
    size_t len = size * n;
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        buf_reset(h);
        return len;
    }
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return size * n;
    for (const char *p = data; p < colon; p++)
        if (buf_addc(h, (char)tolower((unsigned char)*p)))
            return 0;
    const char *v = colon + 1;
    while (v < data + len && (*v == ' ' || *v == '\t'))
        v++;
    if (buf_add(h, ": ", 2) || buf_add(h, v, (size_t)(data + len - v)) || buf_addc(h, '\n'))
        return 0;
    return size * n;
}

static struct curl_slist *make_headers(const char *const *headers)
{
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++) {
        struct curl_slist *next = curl_slist_append(list, headers[i]);
        if (!next)
            break;
        list = next;
    }
    return list;
}

static void finish_response(th_response_full *full, buf *body, buf *headers)
{
    th_response *r = &full->pub;
    r->body_len = body->len;
    r->body = buf_take(body);
    r->headers = buf_take(headers);
    if (r->body_len)
        r->json = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
    full->lookup_len = strlen(r->headers);
    full->lookup = strdup(r->headers);
    for (size_t i = 0; full->lookup && i < full->lookup_len; i++)
        if (full->lookup[i] == '\n')
            full->lookup[i] = '\0';
}

th_response *th_request_raw(const char *method, const char *url, const char *const *headers,
                            const void *body, size_t body_len, long timeout_ms)
{
    pthread_once(&curl_once, curl_setup);
    th_response_full *full = calloc(1, sizeof *full);
    if (!full)
        abort(); /* a test cannot go on without memory */
    th_response *r = &full->pub;
    buf b, h;
    buf_init(&b, TH_MAX_BODY);
    buf_init(&h, TH_MAX_HEADERS);
    CURL *c = curl_easy_init();
    if (!c) {
        r->curl_code = CURLE_FAILED_INIT;
        finish_response(full, &b, &h);
        return r;
    }
    struct curl_slist *list = make_headers(headers);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0 || body)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    r->curl_code = (int)curl_easy_perform(c);
    if (r->curl_code == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(list);
    finish_response(full, &b, &h);
    return r;
}

th_response *th_request(const char *method, const char *url, const char *const *headers,
                        const char *body, long timeout_ms)
{
    return th_request_raw(method, url, headers, body, body ? strlen(body) : 0, timeout_ms);
}

const char *th_header(const th_response *r, const char *name)
{
    const th_response_full *full = (const th_response_full *)r;
    size_t n = strlen(name);
    for (size_t i = 0; full->lookup && i < full->lookup_len;) {
        const char *line = full->lookup + i;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':' && line[n + 1] == ' ')
            return line + n + 2;
        i += strlen(line) + 1;
    }
    return NULL;
}

void th_response_free(th_response *r)
{
    if (!r)
        return;
    th_response_full *full = (th_response_full *)r;
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    free(full->lookup);
    free(full);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool th_wait_until(bool (*cond)(void *ctx), void *ctx, int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;
    while (!cond(ctx)) {
        if (mono_ms() >= deadline)
            return cond(ctx);
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return true;
}
