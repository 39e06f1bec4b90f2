/* metrics.h: a thread-safe registry of counters, gauges and histograms with labels, rendered in
 * the Prometheus text exposition format 0.0.4 for /metrics.
 *
 * A family (one metric name, one type, fixed label names) holds one series per combination of
 * label values, created on first use and kept for the registry's life, so a series pointer may
 * be cached: updating it is then one atomic operation, no lock. Finding a series takes a read
 * lock on its family and one hash probe. A family holds at most METRICS_MAX_SERIES series; past
 * that, lookups of new combinations return NULL (updates on NULL do nothing) and the refusals
 * are counted in pheedsync_metrics_series_dropped_total, so a label fed with unbounded values
 * (ids, emails: never do that) cannot eat the memory. */
#ifndef PHEEDSYNC_METRICS_H
#define PHEEDSYNC_METRICS_H

#include "util/buf.h"
#include "util/err.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_MAX_LABELS 8
#define METRICS_MAX_BUCKETS 32
#define METRICS_MAX_SERIES 10000

typedef enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM } metric_type;

typedef struct metrics metrics;             /* the registry */
typedef struct metric metric;               /* one family */
typedef struct metric_series metric_series; /* one combination of label values */

int metrics_new(metrics **out, err *e);
/* Frees every family and series: no cached pointer may be used afterwards. */
void metrics_free(metrics *m);
/* The process-wide registry, created on first use and never freed: what the daemon serves. */
metrics *metrics_default(void);

/* Registers a family, or returns the one already registered under name when its type, label
 * names (and buckets) are the same; otherwise ERR_CONFLICT. name: [a-zA-Z_:][a-zA-Z0-9_:]*;
 * labels: comma-separated label names ("service,operation,status"), NULL or "" for none;
 * help: one line (escaped on output). A family without labels has its one series at once, so it
 * renders as 0 before any update; a labelled family renders nothing until a series exists. */
int metrics_counter(metric **out, metrics *m, const char *name, const char *help,
                    const char *labels, err *e);
int metrics_gauge(metric **out, metrics *m, const char *name, const char *help, const char *labels,
                  err *e);
/* bounds: upper bounds of the buckets, strictly increasing, finite, at most METRICS_MAX_BUCKETS
 * (+Inf is implicit); NULL: METRICS_LATENCY_BUCKETS. The label "le" is reserved. */
int metrics_histogram(metric **out, metrics *m, const char *name, const char *help,
                      const char *labels, const double *bounds, size_t n_bounds, err *e);

/* Seconds, for request latencies: 5 ms to 30 s. */
extern const double METRICS_LATENCY_BUCKETS[];
extern const size_t METRICS_LATENCY_BUCKETS_LEN;

/* The series for these label values, one per label name in order (NULL values count as "").
 * NULL when f is NULL, n differs from the family's label count, or the family is full. */
metric_series *metric_with(metric *f, const char *const *values, size_t n);
/* metric_at(f, "ghl", "get-contact", "200"): the same with the values listed in place. */
#define metric_at(f, ...)                                                                          \
    metric_with((f), (const char *const[]){__VA_ARGS__},                                           \
                sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
/* The one series of a family without labels. */
metric_series *metric_only(metric *f);

/* Updates. Each does nothing on NULL, or on a series of another type. */
void metric_inc(metric_series *s);                 /* counter: +1 */
void metric_add(metric_series *s, uint64_t n);     /* counter: +n */
void metric_set(metric_series *s, double v);       /* gauge */
void metric_gauge_add(metric_series *s, double d); /* gauge: +d (negative to decrease) */
void metric_observe(metric_series *s, double v);   /* histogram: one observation */

/* Reads, for tests and for figures derived from the registry (alerts, status). 0 on NULL. */
uint64_t metric_counter_value(const metric_series *s);
double metric_gauge_value(const metric_series *s);
uint64_t metric_histogram_count(const metric_series *s);
double metric_histogram_sum(const metric_series *s);

/* Appends the whole registry in the text format 0.0.4: families in registration order, series
 * sorted by label values. ERR_LIMIT (out unchanged) when out's max is too small. */
int metrics_render(metrics *m, buf *out);

#endif
