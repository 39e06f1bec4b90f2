/* metrics_int.h: the registry's representation, shared by metrics.c (registry, updates) and
 * metrics_render.c (the text format). */
#ifndef PHEEDSYNC_METRICS_INT_H
#define PHEEDSYNC_METRICS_INT_H

#include "util/metrics.h"

#include <pthread.h>
#include <stdatomic.h>

struct metric_series {
    metric *family;
    metric_series *next; /* in the family's hash chain */
    uint64_t hash;
    char **values; /* one per label name */
    /* counter: the count; gauge: the value's bits (a double); histogram: unused */
    _Atomic uint64_t value;
    /* histogram: observations per bucket, not cumulative (n_bounds + 1, the last is +Inf) */
    _Atomic uint64_t *buckets;
    _Atomic uint64_t sum_bits; /* histogram: the sum's bits (a double) */
};

struct metric {
    metrics *reg;
    metric *next; /* registration order */
    char *name;
    char *help;
    metric_type type;
    size_t n_labels;
    char *labels[METRICS_MAX_LABELS];
    size_t n_bounds;
    double bounds[METRICS_MAX_BUCKETS];
    pthread_rwlock_t lock; /* the series table */
    metric_series **slots;
    size_t n_slots;
    size_t n_series;
    metric_series *only; /* families without labels */
};

struct metrics {
    pthread_mutex_t lock; /* the family list */
    metric *first;
    metric *last;
    _Atomic uint64_t dropped; /* series refused because their family was full */
};

/* A double kept in an atomic 64-bit word. */
double metrics_bits_to_double(uint64_t bits);

#endif
