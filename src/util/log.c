/* log.c: the process logger: JSON lines or text, with secrets redacted by key and by value. */
#include "util/log.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/jsonx.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>

#define REDACTED "[redacted]"
#define SECRET_MIN_LEN 4
#define LINE_MAX_BYTES (1024 * 1024)

/* Everything below is guarded by lock, except min_level, which is read on every call. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int min_level = LOG_INFO;
static log_format out_format = LOG_JSON;
static FILE *out_file; /* NULL: stderr */
static char **secrets; /* longest first, so that a secret containing another goes whole */
static size_t n_secrets;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};
static const char *const level_upper[] = {"DEBUG", "INFO", "WARN", "ERROR", "OFF"};

void log_setup(log_level min, log_format format, FILE *out)
{
    pthread_mutex_lock(&lock);
    atomic_store(&min_level, (int)min);
    out_format = format;
    out_file = out;
    pthread_mutex_unlock(&lock);
}

int log_level_parse(const char *name)
{
    for (size_t i = 0; name && i < PS_ARRAY_LEN(level_names); i++) {
        if (strcasecmp(name, level_names[i]) == 0)
            return (int)i;
    }
    return -1;
}

log_level log_get_level(void)
{
    return (log_level)atomic_load(&min_level);
}

void log_add_secret(const char *value)
{
    if (!value || strlen(value) < SECRET_MIN_LEN)
        return;
    pthread_mutex_lock(&lock);
    size_t len = strlen(value), at = n_secrets;
    for (size_t i = 0; i < n_secrets; i++) {
        if (strcmp(secrets[i], value) == 0)
            goto out;
        if (at == n_secrets && strlen(secrets[i]) < len)
            at = i;
    }
    char **grown = realloc(secrets, (n_secrets + 1) * sizeof *secrets);
    if (!grown)
        goto out;
    secrets = grown;
    char *copy = strdup(value);
    if (!copy)
        goto out;
    memmove(secrets + at + 1, secrets + at, (n_secrets - at) * sizeof *secrets);
    secrets[at] = copy;
    n_secrets++;
out:
    pthread_mutex_unlock(&lock);
}

void log_clear_secrets(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n_secrets; i++)
        free(secrets[i]);
    free(secrets);
    secrets = NULL;
    n_secrets = 0;
    pthread_mutex_unlock(&lock);
}

static const char *const secret_names[] = {
    "token",       "secret",      "password", "passwd", "authorization", "proxy-authorization",
    "cookie",      "set-cookie",  "key",      "apikey", "x-api-key",     "x-api-secret",
    "credentials", "private_key",
};
static const char *const secret_suffixes[] = {"token", "secret", "key", "password"};

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

bool log_key_is_secret(const char *key)
{
    if (!key)
        return false;
    for (size_t i = 0; i < PS_ARRAY_LEN(secret_names); i++) {
        if (strcasecmp(key, secret_names[i]) == 0)
            return true;
    }
    size_t n = strlen(key);
    for (size_t i = 0; i < PS_ARRAY_LEN(secret_suffixes); i++) {
        const char *suf = secret_suffixes[i];
        size_t k = strlen(suf);
        if (n <= k || !ends_with_ci(key, n, suf))
            continue;
        char before = key[n - k - 1], first = key[n - k];
        /* refresh_token, x-api-key, and camelCase accessToken / apiKey */
        if (before == '_' || before == '-')
            return true;
        if (first >= 'A' && first <= 'Z' && before >= 'a' && before <= 'z')
            return true;
    }
    return false;
}

/* Copies s with every registered secret replaced; caller holds the lock. NULL on failure. */
static char *scrub(const char *s)
{
    buf b;
    buf_init(&b, LINE_MAX_BYTES);
    const char *p = s;
    while (*p) {
        size_t hit = 0;
        for (size_t i = 0; i < n_secrets && !hit; i++) {
            size_t k = strlen(secrets[i]);
            if (strncmp(p, secrets[i], k) == 0)
                hit = k;
        }
        int rc = hit ? buf_addstr(&b, REDACTED) : buf_addc(&b, *p);
        if (rc) {
            buf_free(&b);
            return NULL;
        }
        p += hit ? hit : 1;
    }
    return buf_take(&b);
}

/* A JSON string of s, scrubbed; bytes that do not form UTF-8 become '?' rather than losing the
 * whole text. */
static json_t *scrub_string(const char *s)
{
    char *clean = scrub(s);
    if (!clean)
        return json_string(REDACTED);
    json_t *j = json_string(clean);
    if (!j) {
        for (char *p = clean; *p; p++) {
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        }
        j = json_string(clean);
    }
    free(clean);
    return j;
}

/* A redacted deep copy of v (a new reference); the caller's tree is never modified, since its
 * parts may still be shared with live data. */
static json_t *redact(const json_t *v)
{
    if (json_is_string(v))
        return scrub_string(json_string_value(v));
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            json_array_append_new(a, redact(item));
        }
        return a;
    }
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *key;
        json_t *item;
        json_object_foreach((json_t *)(uintptr_t)v, key, item)
        {
            char *clean_key = scrub(key);
            json_t *val = !json_is_null(item) && log_key_is_secret(key) ? json_string(REDACTED)
                                                                        : redact(item);
            json_object_set_new(o, clean_key ? clean_key : REDACTED, val);
            free(clean_key);
        }
        return o;
    }
    return json_incref((json_t *)(uintptr_t)v);
}

/* Fields may not take the names of the record's own members; they are kept under "_name". */
static void merge_fields(json_t *rec, const json_t *fields)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)(uintptr_t)fields, key, val)
    {
        if (strcmp(key, "ts") && strcmp(key, "level") && strcmp(key, "msg")) {
            json_object_set(rec, key, val);
            continue;
        }
        char alt[16];
        snprintf(alt, sizeof alt, "_%s", key);
        json_object_set(rec, alt, val);
    }
}

/* A text value goes bare when that cannot be misread, JSON-quoted otherwise. */
static void text_value(buf *line, const json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        bool bare = *s != '\0';
        for (const char *p = s; *p && bare; p++)
            bare = (unsigned char)*p > ' ' && *p != '"' && *p != '=' && *p != 0x7f;
        if (bare) {
            buf_addstr(line, s);
            return;
        }
    }
    char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    buf_addstr(line, dump ? dump : "?");
    free(dump);
}

static void format_text(buf *line, const json_t *rec, const char *ts, log_level level)
{
    buf_addf(line, "%s %-5s ", ts, level_upper[level]);
    for (const char *p = json_string_value(json_object_get(rec, "msg")); p && *p; p++) {
        if (*p == '\n')
            buf_addstr(line, "\\n");
        else if (*p != '\r')
            buf_addc(line, *p);
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)(uintptr_t)rec, key, val)
    {
        if (!strcmp(key, "ts") || !strcmp(key, "level") || !strcmp(key, "msg"))
            continue;
        buf_addf(line, " %s=", key);
        text_value(line, val);
    }
}

static void emit(const json_t *rec, const char *ts, log_level level)
{
    buf line;
    buf_init(&line, LINE_MAX_BYTES + 1);
    int rc = 0;
    if (out_format == LOG_TEXT)
        format_text(&line, rec, ts, level);
    else
        rc = jsonx_dump(&line, rec);
    if (rc || line.len >= LINE_MAX_BYTES) {
        buf_reset(&line);
        buf_addf(&line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"log record too large\"}", ts,
                 level_names[level]);
    }
    buf_addc(&line, '\n');
    FILE *f = out_file ? out_file : stderr;
    fwrite(buf_cstr(&line), 1, line.len, f);
    fflush(f);
    buf_free(&line);
}

void log_write(log_level level, const char *msg, json_t *fields)
{
    if ((int)level < atomic_load(&min_level) || level < LOG_DEBUG || level >= LOG_OFF) {
        json_decref(fields);
        return;
    }
    char ts[CLOCK_ISO_LEN];
    clock_format_iso(clock_now_ms(clock_system()), ts);
    pthread_mutex_lock(&lock);
    json_t *rec = json_object();
    json_object_set_new(rec, "ts", json_string(ts));
    json_object_set_new(rec, "level", json_string(level_names[level]));
    json_object_set_new(rec, "msg", scrub_string(msg ? msg : ""));
    if (json_is_object(fields)) {
        json_t *clean = redact(fields);
        merge_fields(rec, clean);
        json_decref(clean);
    }
    emit(rec, ts, level);
    pthread_mutex_unlock(&lock);
    json_decref(rec);
    json_decref(fields);
}

__attribute__((format(printf, 2, 0))) static void write_va(log_level level, const char *fmt,
                                                           va_list ap)
{
    if ((int)level < atomic_load(&min_level))
        return;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return;
    char *msg = malloc((size_t)n + 1);
    if (!msg)
        return;
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    log_write(level, msg, NULL);
    free(msg);
}

#define LOG_SHORTHAND(name, level)                                                                 \
    void name(const char *fmt, ...)                                                                \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        write_va(level, fmt, ap);                                                                  \
        va_end(ap);                                                                                \
    }

LOG_SHORTHAND(log_debugf, LOG_DEBUG)
LOG_SHORTHAND(log_infof, LOG_INFO)
LOG_SHORTHAND(log_warnf, LOG_WARN)
LOG_SHORTHAND(log_errorf, LOG_ERROR)
