/* metrics_render.c: the registry in the Prometheus text exposition format 0.0.4. */
#include "util/metrics_int.h"

#include <inttypes.h>
#include <math.h>

#define DROPPED_NAME "pheedsync_metrics_series_dropped_total"

/* A number as Prometheus parses it: the shortest of %.15g and %.17g that reads back exactly. */
static void format_double(char out[40], double v)
{
    if (isnan(v)) {
        snprintf(out, 40, "NaN");
    } else if (isinf(v)) {
        snprintf(out, 40, "%sInf", v > 0 ? "+" : "-");
    } else {
        snprintf(out, 40, "%.15g", v);
        if (strtod(out, NULL) != v)
            snprintf(out, 40, "%.17g", v);
    }
}

/* HELP text escapes backslash and newline; label values also the double quote. */
static int add_escaped(buf *b, const char *s, bool quote)
{
    int rc = 0;
    for (; *s && rc == 0; s++) {
        if (*s == '\\')
            rc = buf_add(b, "\\\\", 2);
        else if (*s == '\n')
            rc = buf_add(b, "\\n", 2);
        else if (*s == '"' && quote)
            rc = buf_add(b, "\\\"", 2);
        else
            rc = buf_addc(b, *s);
    }
    return rc;
}

/* {a="x",b="y"} with an extra le="..." for histogram buckets; nothing when there is neither. */
static int add_labels(buf *b, const metric_series *s, const char *le)
{
    const metric *f = s->family;
    if (f->n_labels == 0 && !le)
        return 0;
    int rc = buf_addc(b, '{');
    for (size_t i = 0; rc == 0 && i < f->n_labels; i++) {
        rc = buf_addf(b, "%s%s=\"", i ? "," : "", f->labels[i]);
        if (rc == 0)
            rc = add_escaped(b, s->values[i], true);
        if (rc == 0)
            rc = buf_addc(b, '"');
    }
    if (rc == 0 && le)
        rc = buf_addf(b, "%sle=\"%s\"", f->n_labels ? "," : "", le);
    return rc ? rc : buf_addc(b, '}');
}

static int add_sample(buf *b, const metric_series *s, const char *suffix, const char *le,
                      const char *value)
{
    int rc = buf_addf(b, "%s%s", s->family->name, suffix);
    if (rc == 0)
        rc = add_labels(b, s, le);
    return rc ? rc : buf_addf(b, " %s\n", value);
}

static int render_histogram(buf *b, const metric_series *s)
{
    const metric *f = s->family;
    uint64_t cumulative = 0;
    char num[40], le[40];
    int rc = 0;
    /* _count is the +Inf bucket, so a scrape racing with updates still adds up. */
    for (size_t i = 0; rc == 0 && i <= f->n_bounds; i++) {
        cumulative += atomic_load_explicit(&s->buckets[i], memory_order_relaxed);
        if (i < f->n_bounds)
            format_double(le, f->bounds[i]);
        else
            snprintf(le, sizeof le, "+Inf");
        snprintf(num, sizeof num, "%" PRIu64, cumulative);
        rc = add_sample(b, s, "_bucket", le, num);
    }
    format_double(num, metric_histogram_sum(s));
    if (rc == 0)
        rc = add_sample(b, s, "_sum", NULL, num);
    snprintf(num, sizeof num, "%" PRIu64, cumulative);
    return rc ? rc : add_sample(b, s, "_count", NULL, num);
}

static int render_series(buf *b, const metric_series *s)
{
    char num[40];
    switch (s->family->type) {
    case METRIC_COUNTER:
        snprintf(num, sizeof num, "%" PRIu64, metric_counter_value(s));
        return add_sample(b, s, "", NULL, num);
    case METRIC_GAUGE:
        format_double(num, metric_gauge_value(s));
        return add_sample(b, s, "", NULL, num);
    case METRIC_HISTOGRAM:
        return render_histogram(b, s);
    }
    return ERR_INTERNAL;
}

static int cmp_series(const void *a, const void *b)
{
    const metric_series *x = *(metric_series *const *)a, *y = *(metric_series *const *)b;
    for (size_t i = 0; i < x->family->n_labels; i++) {
        int c = strcmp(x->values[i], y->values[i]);
        if (c)
            return c;
    }
    return 0;
}

static const char *type_name(metric_type t)
{
    return t == METRIC_COUNTER ? "counter" : t == METRIC_GAUGE ? "gauge" : "histogram";
}

static int render_header(buf *b, const char *name, const char *help, metric_type type)
{
    int rc = buf_addf(b, "# HELP %s ", name);
    if (rc == 0)
        rc = add_escaped(b, help, false);
    return rc ? rc : buf_addf(b, "\n# TYPE %s %s\n", name, type_name(type));
}

/* Under the family's read lock: its series, sorted by label values. */
static int render_family(buf *b, metric *f)
{
    pthread_rwlock_rdlock(&f->lock);
    size_t n = f->only ? 1 : f->n_series;
    metric_series **all = n ? calloc(n, sizeof *all) : NULL;
    int rc = n && !all ? ERR_NOMEM : 0;
    if (all && f->only) {
        all[0] = f->only;
    } else if (all) {
        size_t k = 0;
        for (size_t i = 0; i < f->n_slots; i++)
            for (metric_series *s = f->slots[i]; s; s = s->next)
                all[k++] = s;
        qsort(all, n, sizeof *all, cmp_series);
    }
    if (rc == 0 && n)
        rc = render_header(b, f->name, f->help, f->type);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = render_series(b, all[i]);
    pthread_rwlock_unlock(&f->lock);
    free(all);
    return rc;
}

int metrics_render(metrics *m, buf *out)
{
    if (!m)
        return ERR_INVALID;
    buf b;
    buf_init(&b, out->max - out->len);
    pthread_mutex_lock(&m->lock);
    int rc = 0;
    for (metric *f = m->first; rc == 0 && f; f = f->next)
        rc = render_family(&b, f);
    pthread_mutex_unlock(&m->lock);
    if (rc == 0)
        rc = render_header(&b, DROPPED_NAME,
                           "Label combinations refused because their metric had too many.",
                           METRIC_COUNTER);
    if (rc == 0)
        rc = buf_addf(&b, DROPPED_NAME " %" PRIu64 "\n",
                      atomic_load_explicit(&m->dropped, memory_order_relaxed));
    if (rc == 0)
        rc = buf_add(out, b.ptr ? b.ptr : "", b.len);
    buf_free(&b);
    return rc;
}
