/* alert_window.c: the increase of running totals over a sliding window, from samples kept at
 * most WINDOW/SPACING apart, so that memory stays bounded however often the caller samples. */
#include "ops/alert.h"

#define SPACING 32                /* samples per window at most, after coalescing */
#define HISTORY (2 * SPACING + 2) /* a window's worth with room to spare */

typedef struct sample {
    int64_t at_ms;
    alert_totals t;
} sample;

typedef struct series {
    char name[ALERT_NAME_MAX];
    sample ring[HISTORY];
    size_t first, n;
} series;

struct alert_window {
    int64_t window_ms;
    size_t n_services;
    series services[ALERT_MAX_SERVICES];
};

int alert_window_new(alert_window **out, int64_t window_ms, err *e)
{
    if (window_ms <= 0)
        return err_set(e, ERR_INVALID, "alert window: must be positive");
    alert_window *w = calloc(1, sizeof *w);
    if (!w)
        return err_set(e, ERR_NOMEM, "out of memory");
    w->window_ms = window_ms;
    *out = w;
    return 0;
}

void alert_window_free(alert_window *w)
{
    free(w);
}

static series *find(alert_window *w, const char *name)
{
    for (size_t i = 0; i < w->n_services; i++)
        if (!strcmp(w->services[i].name, name))
            return &w->services[i];
    if (w->n_services == ALERT_MAX_SERVICES)
        return NULL;
    series *s = &w->services[w->n_services++];
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

static sample *at(series *s, size_t i)
{
    return &s->ring[(s->first + i) % HISTORY];
}

static bool went_down(const alert_totals *now, const alert_totals *before)
{
    return now->calls < before->calls || now->failures < before->failures ||
           now->rate_limited < before->rate_limited;
}

static void append(alert_window *w, series *s, int64_t now_ms, alert_totals t)
{
    /* The newest sample moves forward in place while it is younger than the spacing after the
     * one before it: the baseline keeps its resolution, the ring its size. */
    if (s->n >= 2 && now_ms - at(s, s->n - 2)->at_ms < w->window_ms / SPACING) {
        *at(s, s->n - 1) = (sample){now_ms, t};
        return;
    }
    if (s->n == HISTORY) {
        s->first = (s->first + 1) % HISTORY;
        s->n--;
    }
    *at(s, s->n++) = (sample){now_ms, t};
}

alert_totals alert_window_add(alert_window *w, const char *service, int64_t now_ms,
                              alert_totals totals)
{
    series *s = service ? find(w, service) : NULL;
    if (!s)
        return (alert_totals){0, 0, 0};
    if (s->n && went_down(&totals, &at(s, s->n - 1)->t))
        s->n = 0;
    append(w, s, now_ms, totals);
    /* Forget what is older than the baseline: the newest sample at or before now - window. */
    while (s->n >= 2 && at(s, 1)->at_ms <= now_ms - w->window_ms) {
        s->first = (s->first + 1) % HISTORY;
        s->n--;
    }
    const alert_totals *base = &at(s, 0)->t;
    return (alert_totals){totals.calls - base->calls, totals.failures - base->failures,
                          totals.rate_limited - base->rate_limited};
}
