/* metrics.c: the metrics registry: families, their series found by a small hash, and lock-free
 * updates of a series once it exists. */
#include "util/metrics_int.h"

#include <math.h>

const double METRICS_LATENCY_BUCKETS[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                          0.5,   1,    2.5,   5,    10,  30};
const size_t METRICS_LATENCY_BUCKETS_LEN = PS_ARRAY_LEN(METRICS_LATENCY_BUCKETS);

#define INITIAL_SLOTS 16

double metrics_bits_to_double(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static uint64_t double_to_bits(double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

int metrics_new(metrics **out, err *e)
{
    metrics *m = calloc(1, sizeof *m);
    if (!m)
        return err_set(e, ERR_NOMEM, "out of memory");
    pthread_mutex_init(&m->lock, NULL);
    atomic_init(&m->dropped, 0);
    *out = m;
    return 0;
}

static void series_free(metric_series *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->family->n_labels; i++)
        free(s->values[i]);
    free(s->values);
    free(s->buckets);
    free(s);
}

static void family_free(metric *f)
{
    for (size_t i = 0; i < f->n_slots; i++) {
        metric_series *s = f->slots[i];
        while (s) {
            metric_series *next = s->next;
            series_free(s);
            s = next;
        }
    }
    free(f->slots);
    series_free(f->only);
    for (size_t i = 0; i < f->n_labels; i++)
        free(f->labels[i]);
    pthread_rwlock_destroy(&f->lock);
    free(f->name);
    free(f->help);
    free(f);
}

void metrics_free(metrics *m)
{
    if (!m)
        return;
    metric *f = m->first;
    while (f) {
        metric *next = f->next;
        family_free(f);
        f = next;
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static metrics *default_registry;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void default_create(void)
{
    if (metrics_new(&default_registry, NULL) != 0)
        default_registry = NULL;
}

metrics *metrics_default(void)
{
    pthread_once(&default_once, default_create);
    return default_registry;
}

static bool name_char(char c, bool first, bool colon)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
        return true;
    if (c == ':')
        return colon;
    return !first && c >= '0' && c <= '9';
}

static bool valid_name(const char *s, size_t len, bool colon)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!name_char(s[i], i == 0, colon))
            return false;
    return true;
}

/* The label names of spec ("a,b") into f, checked. */
static int parse_labels(metric *f, const char *spec, err *e)
{
    const char *p = spec ? spec : "";
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, ",");
        size_t len = n;
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (!valid_name(p, len, false) || (len >= 2 && p[0] == '_' && p[1] == '_'))
            return err_set(e, ERR_INVALID, "metric %s: bad label name '%.*s'", f->name, (int)n, p);
        if (f->type == METRIC_HISTOGRAM && len == 2 && !memcmp(p, "le", 2))
            return err_set(e, ERR_INVALID, "metric %s: the label 'le' is reserved", f->name);
        if (f->n_labels == METRICS_MAX_LABELS)
            return err_set(e, ERR_LIMIT, "metric %s: more than %d labels", f->name,
                           METRICS_MAX_LABELS);
        for (size_t i = 0; i < f->n_labels; i++)
            if (strlen(f->labels[i]) == len && !memcmp(f->labels[i], p, len))
                return err_set(e, ERR_INVALID, "metric %s: label '%.*s' twice", f->name, (int)len,
                               p);
        f->labels[f->n_labels] = strndup(p, len);
        if (!f->labels[f->n_labels])
            return err_set(e, ERR_NOMEM, "out of memory");
        f->n_labels++;
        p += n + (p[n] == ',');
    }
    return 0;
}

static int set_bounds(metric *f, const double *bounds, size_t n, err *e)
{
    if (!bounds) {
        bounds = METRICS_LATENCY_BUCKETS;
        n = METRICS_LATENCY_BUCKETS_LEN;
    }
    if (n > METRICS_MAX_BUCKETS)
        return err_set(e, ERR_LIMIT, "metric %s: more than %d buckets", f->name,
                       METRICS_MAX_BUCKETS);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1])))
            return err_set(e, ERR_INVALID,
                           "metric %s: bucket bounds must be finite and strictly increasing",
                           f->name);
        f->bounds[i] = bounds[i];
    }
    f->n_bounds = n;
    return 0;
}

static metric_series *series_new(metric *f, const char *const *values, uint64_t hash)
{
    metric_series *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->family = f;
    s->hash = hash;
    s->values = calloc(f->n_labels + 1, sizeof *s->values);
    bool ok = s->values != NULL;
    for (size_t i = 0; ok && i < f->n_labels; i++) {
        s->values[i] = strdup(values[i] ? values[i] : "");
        ok = s->values[i] != NULL;
    }
    if (ok && f->type == METRIC_HISTOGRAM) {
        s->buckets = calloc(f->n_bounds + 1, sizeof *s->buckets);
        ok = s->buckets != NULL;
    }
    if (!ok) {
        if (s->values)
            for (size_t i = 0; i < f->n_labels; i++)
                free(s->values[i]);
        free(s->values);
        free(s);
        return NULL;
    }
    atomic_init(&s->value, f->type == METRIC_GAUGE ? double_to_bits(0.0) : 0);
    atomic_init(&s->sum_bits, double_to_bits(0.0));
    return s;
}

static bool same_shape(const metric *a, const metric *b)
{
    if (a->type != b->type || a->n_labels != b->n_labels || a->n_bounds != b->n_bounds)
        return false;
    for (size_t i = 0; i < a->n_labels; i++)
        if (strcmp(a->labels[i], b->labels[i]))
            return false;
    for (size_t i = 0; i < a->n_bounds; i++)
        if (a->bounds[i] != b->bounds[i])
            return false;
    return true;
}

/* Adds f to m, or frees it and hands back the equal family already there. */
static int family_add(metric **out, metrics *m, metric *f, err *e)
{
    int rc = 0;
    pthread_mutex_lock(&m->lock);
    metric *old = m->first;
    while (old && strcmp(old->name, f->name))
        old = old->next;
    if (old && same_shape(old, f)) {
        *out = old;
    } else if (old) {
        rc = err_set(e, ERR_CONFLICT,
                     "metric %s: registered already with another type, labels "
                     "or buckets",
                     f->name);
    } else {
        if (m->last)
            m->last->next = f;
        else
            m->first = f;
        m->last = f;
        *out = f;
        f = NULL;
    }
    pthread_mutex_unlock(&m->lock);
    if (f)
        family_free(f);
    return rc;
}

static int family_register(metric **out, metrics *m, metric_type type, const char *name,
                           const char *help, const char *labels, const double *bounds,
                           size_t n_bounds, err *e)
{
    if (!m)
        return err_set(e, ERR_INVALID, "no metrics registry");
    if (!name || !valid_name(name, strlen(name), true))
        return err_set(e, ERR_INVALID, "bad metric name '%s'", name ? name : "(null)");
    metric *f = calloc(1, sizeof *f);
    if (!f)
        return err_set(e, ERR_NOMEM, "out of memory");
    pthread_rwlock_init(&f->lock, NULL);
    f->reg = m;
    f->type = type;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    int rc = f->name && f->help ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = parse_labels(f, labels, e);
    if (rc == 0 && type == METRIC_HISTOGRAM)
        rc = set_bounds(f, bounds, n_bounds, e);
    if (rc == 0 && f->n_labels == 0 && !(f->only = series_new(f, NULL, 0)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc != 0) {
        family_free(f);
        return rc;
    }
    return family_add(out, m, f, e);
}

int metrics_counter(metric **out, metrics *m, const char *name, const char *help,
                    const char *labels, err *e)
{
    return family_register(out, m, METRIC_COUNTER, name, help, labels, NULL, 0, e);
}

int metrics_gauge(metric **out, metrics *m, const char *name, const char *help, const char *labels,
                  err *e)
{
    return family_register(out, m, METRIC_GAUGE, name, help, labels, NULL, 0, e);
}

int metrics_histogram(metric **out, metrics *m, const char *name, const char *help,
                      const char *labels, const double *bounds, size_t n_bounds, err *e)
{
    return family_register(out, m, METRIC_HISTOGRAM, name, help, labels, bounds, n_bounds, e);
}

/* FNV-1a over the values, each followed by a 0xff byte (which UTF-8 text never holds). */
static uint64_t values_hash(const char *const *values, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        for (const unsigned char *p = (const unsigned char *)(values[i] ? values[i] : ""); *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        h = (h ^ 0xffu) * 1099511628211ULL;
    }
    return h;
}

static metric_series *find(const metric *f, const char *const *values, uint64_t hash)
{
    if (!f->n_slots)
        return NULL;
    for (metric_series *s = f->slots[hash % f->n_slots]; s; s = s->next) {
        if (s->hash != hash)
            continue;
        size_t i = 0;
        while (i < f->n_labels && !strcmp(s->values[i], values[i] ? values[i] : ""))
            i++;
        if (i == f->n_labels)
            return s;
    }
    return NULL;
}

/* Doubles the table when chains grow past two on average (under the write lock). */
static void maybe_grow(metric *f)
{
    if (f->n_slots && f->n_series < f->n_slots * 2)
        return;
    size_t n = f->n_slots ? f->n_slots * 2 : INITIAL_SLOTS;
    metric_series **slots = calloc(n, sizeof *slots);
    if (!slots)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < f->n_slots; i++) {
        metric_series *s = f->slots[i];
        while (s) {
            metric_series *next = s->next;
            s->next = slots[s->hash % n];
            slots[s->hash % n] = s;
            s = next;
        }
    }
    free(f->slots);
    f->slots = slots;
    f->n_slots = n;
}

static metric_series *insert(metric *f, const char *const *values, uint64_t hash)
{
    pthread_rwlock_wrlock(&f->lock);
    metric_series *s = find(f, values, hash);
    if (!s && f->n_series >= METRICS_MAX_SERIES) {
        atomic_fetch_add_explicit(&f->reg->dropped, 1, memory_order_relaxed);
    } else if (!s) {
        maybe_grow(f);
        s = f->n_slots ? series_new(f, values, hash) : NULL;
        if (s) {
            s->next = f->slots[hash % f->n_slots];
            f->slots[hash % f->n_slots] = s;
            f->n_series++;
        }
    }
    pthread_rwlock_unlock(&f->lock);
    return s;
}

metric_series *metric_with(metric *f, const char *const *values, size_t n)
{
    if (!f || n != f->n_labels)
        return NULL;
    if (n == 0)
        return f->only;
    if (!values)
        return NULL;
    uint64_t hash = values_hash(values, n);
    pthread_rwlock_rdlock(&f->lock);
    metric_series *s = find(f, values, hash);
    pthread_rwlock_unlock(&f->lock);
    return s ? s : insert(f, values, hash);
}

metric_series *metric_only(metric *f)
{
    return f ? f->only : NULL;
}

static bool is(const metric_series *s, metric_type t)
{
    return s && s->family->type == t;
}

void metric_inc(metric_series *s)
{
    metric_add(s, 1);
}

void metric_add(metric_series *s, uint64_t n)
{
    if (is(s, METRIC_COUNTER))
        atomic_fetch_add_explicit(&s->value, n, memory_order_relaxed);
}

void metric_set(metric_series *s, double v)
{
    if (is(s, METRIC_GAUGE))
        atomic_store_explicit(&s->value, double_to_bits(v), memory_order_relaxed);
}

/* Adds d to the double held in *bits. */
static void add_double(_Atomic uint64_t *bits, double d)
{
    uint64_t old = atomic_load_explicit(bits, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(bits, &old,
                                                  double_to_bits(metrics_bits_to_double(old) + d),
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
}

void metric_gauge_add(metric_series *s, double d)
{
    if (is(s, METRIC_GAUGE))
        add_double(&s->value, d);
}

void metric_observe(metric_series *s, double v)
{
    if (!is(s, METRIC_HISTOGRAM) || isnan(v))
        return;
    const metric *f = s->family;
    size_t i = 0;
    while (i < f->n_bounds && v > f->bounds[i])
        i++;
    add_double(&s->sum_bits, v);
    atomic_fetch_add_explicit(&s->buckets[i], 1, memory_order_relaxed);
}

uint64_t metric_counter_value(const metric_series *s)
{
    return is(s, METRIC_COUNTER) ? atomic_load_explicit(&s->value, memory_order_relaxed) : 0;
}

double metric_gauge_value(const metric_series *s)
{
    return is(s, METRIC_GAUGE)
               ? metrics_bits_to_double(atomic_load_explicit(&s->value, memory_order_relaxed))
               : 0.0;
}

uint64_t metric_histogram_count(const metric_series *s)
{
    uint64_t n = 0;
    if (is(s, METRIC_HISTOGRAM))
        for (size_t i = 0; i <= s->family->n_bounds; i++)
            n += atomic_load_explicit(&s->buckets[i], memory_order_relaxed);
    return n;
}

double metric_histogram_sum(const metric_series *s)
{
    return is(s, METRIC_HISTOGRAM)
               ? metrics_bits_to_double(atomic_load_explicit(&s->sum_bits, memory_order_relaxed))
               : 0.0;
}
