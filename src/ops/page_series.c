/* page_series.c: per-minute counts over the last hour for the status page's chart. */
#include "ops/page_series.h"

#define MINUTE_MS 60000

static const char *const kind_names[OPS_SERIES_KINDS] = {"applied", "failed", "api_calls",
                                                         "webhooks"};

const char *ops_series_kind_name(ops_series_kind k)
{
    return (unsigned)k < OPS_SERIES_KINDS ? kind_names[k] : "?";
}

void ops_series_init(ops_series *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < OPS_SERIES_MINUTES; i++)
        s->minute[i] = -1;
}

static int64_t minute_of(int64_t ms)
{
    return ms >= 0 ? ms / MINUTE_MS : -((-ms + MINUTE_MS - 1) / MINUTE_MS);
}

static size_t slot_of(int64_t minute)
{
    return (size_t)(((minute % OPS_SERIES_MINUTES) + OPS_SERIES_MINUTES) % OPS_SERIES_MINUTES);
}

void ops_series_add(ops_series *s, int64_t now_ms, ops_series_kind kind, uint64_t n)
{
    if ((unsigned)kind >= OPS_SERIES_KINDS || n == 0)
        return;
    int64_t m = minute_of(now_ms);
    size_t i = slot_of(m);
    if (s->minute[i] != m) {
        if (s->minute[i] > m)
            return; /* older than the hour the ring holds */
        s->minute[i] = m;
        memset(s->count[i], 0, sizeof s->count[i]);
    }
    s->count[i][kind] += n;
}

json_t *ops_series_json(const ops_series *s, int64_t now_ms)
{
    json_t *j = json_object(), *minutes = json_array();
    json_t *cols[OPS_SERIES_KINDS];
    for (size_t k = 0; k < OPS_SERIES_KINDS; k++)
        cols[k] = json_array();
    int64_t last = minute_of(now_ms);
    for (int64_t m = last - OPS_SERIES_MINUTES + 1; m <= last; m++) {
        size_t i = slot_of(m);
        bool held = s->minute[i] == m;
        json_array_append_new(minutes, json_integer(m * MINUTE_MS));
        for (size_t k = 0; k < OPS_SERIES_KINDS; k++)
            json_array_append_new(cols[k], json_integer(held ? (json_int_t)s->count[i][k] : 0));
    }
    json_object_set_new(j, "minute_ms", minutes);
    for (size_t k = 0; k < OPS_SERIES_KINDS; k++)
        json_object_set_new(j, kind_names[k], cols[k]);
    return j;
}

uint64_t ops_delta_next(ops_delta *d, uint64_t total)
{
    uint64_t inc = d->have && total >= d->last ? total - d->last : 0;
    d->have = true;
    d->last = total;
    return inc;
}
