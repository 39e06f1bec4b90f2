/* governor.c: the rate governor's bucket: interval and daily accounting, lanes, and what the
 * answers' headers teach (see governor.h for the guarantee and why it holds). */
#include "net/governor.h"

#define DAY_MS ((int64_t)86400000)

static const char *const lane_names[GOVERNOR_LANES] = {"live", "backfill", "reconcile"};

const char *governor_lane_name(governor_lane lane)
{
    return (unsigned)lane < GOVERNOR_LANES ? lane_names[lane] : NULL;
}

int governor_lane_parse(const char *name)
{
    for (int i = 0; i < GOVERNOR_LANES; i++)
        if (name && strcmp(name, lane_names[i]) == 0)
            return i;
    return -1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t day_of(const governor_bucket *b, int64_t wall)
{
    return floor_div(wall - b->cfg.day_offset_ms, DAY_MS);
}

static void set_interval(governor_bucket *b, int64_t max, int64_t interval_ms)
{
    b->max = max;
    b->interval_ms = interval_ms;
    if (b->cfg.margin_ms < 0)
        b->margin_ms = 0;
    else if (b->cfg.margin_ms > 0)
        b->margin_ms = b->cfg.margin_ms;
    else
        b->margin_ms = PS_MAX((int64_t)5, interval_ms / 100);
}

int governor_bucket_init(governor_bucket *b, const governor_config *cfg, const clock_source *clk,
                         err *e)
{
    if (cfg->max_per_interval < 0 || (cfg->max_per_interval > 0 && cfg->interval_ms <= 0))
        return err_set(e, ERR_CONFIG, "rate limit: max_per_interval needs a positive interval_ms");
    if (cfg->daily_limit < 0 || cfg->daily_reserve < 0 || cfg->bulk_daily_headroom < 0 ||
        cfg->max_in_flight < 0)
        return err_set(e, ERR_CONFIG, "rate limit: limits and reserves must not be negative");
    for (int i = 0; i < GOVERNOR_LANES; i++)
        if (cfg->lane_share[i] < 0 || cfg->lane_share[i] > 1)
            return err_set(e, ERR_CONFIG, "rate limit: lane share of %s must be in [0, 1]",
                           lane_names[i]);
    memset(b, 0, sizeof *b);
    b->cfg = *cfg;
    set_interval(b, cfg->max_per_interval, cfg->interval_ms);
    b->daily_limit = cfg->daily_limit;
    b->probing = cfg->learn_from_headers;
    b->day = day_of(b, clock_now_ms(clk));
    return 0;
}

void governor_bucket_free(governor_bucket *b)
{
    if (!b)
        return;
    free(b->done);
    b->done = NULL;
    b->done_start = b->done_len = b->done_cap = 0;
}

/* ---- the answer times: an ascending list, trimmed from the front ---- */

static int64_t span_ms(const governor_bucket *b)
{
    return b->interval_ms + b->margin_ms;
}

static void prune(governor_bucket *b, int64_t now)
{
    /* Kept for two spans: done() looks back one span before a request's send time. */
    int64_t keep_after = now - 2 * span_ms(b);
    while (b->done_len && b->done[b->done_start] <= keep_after) {
        b->done_start++;
        b->done_len--;
    }
    if (b->done_len == 0)
        b->done_start = 0;
}

static bool push_done(governor_bucket *b, int64_t t)
{
    if (b->done_start + b->done_len == b->done_cap) {
        if (b->done_start > 0) {
            memmove(b->done, b->done + b->done_start, b->done_len * sizeof *b->done);
            b->done_start = 0;
        } else {
            size_t cap = b->done_cap ? b->done_cap * 2 : 64;
            int64_t *p = realloc(b->done, cap * sizeof *p);
            if (!p)
                return false;
            b->done = p;
            b->done_cap = cap;
        }
    }
    b->done[b->done_start + b->done_len++] = t;
    return true;
}

/* Index (from done_start) of the first answer later than t. */
static size_t first_after(const governor_bucket *b, int64_t t)
{
    size_t lo = 0, hi = b->done_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->done[b->done_start + mid] > t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* ---- the daily budget ---- */

static void roll_day(governor_bucket *b, int64_t wall)
{
    if (b->daily_blocked_until && wall >= b->daily_blocked_until) {
        /* The server named this moment as the budget's reset. */
        b->daily_blocked_until = 0;
        b->obs_valid = false;
        b->used_today = 0;
    }
    int64_t d = day_of(b, wall);
    if (d != b->day) {
        b->day = d;
        b->used_today = 0;
        b->obs_valid = false;
    }
}

static int64_t daily_left(const governor_bucket *b)
{
    if (b->obs_valid)
        return b->obs_left - (int64_t)(b->sends - b->obs_sends);
    return b->daily_limit - b->used_today;
}

int64_t governor_bucket_daily_left(governor_bucket *b, const clock_source *clk)
{
    if (b->daily_limit <= 0)
        return -1;
    roll_day(b, clock_now_ms(clk));
    return daily_left(b);
}

static int64_t daily_wait(const governor_bucket *b, int64_t wall)
{
    if (b->daily_blocked_until > wall)
        return b->daily_blocked_until - wall;
    return (b->day + 1) * DAY_MS + b->cfg.day_offset_ms - wall;
}

/* ---- check, take, done ---- */

static governor_verdict deny(int64_t wait_ms, const char *why)
{
    return (governor_verdict){.allowed = false, .wait_ms = wait_ms, .why = why};
}

int64_t governor_bucket_used(governor_bucket *b, const clock_source *clk)
{
    int64_t now = clock_mono_ms(clk);
    prune(b, now);
    return b->in_flight + (int64_t)(b->done_len - first_after(b, now - span_ms(b)));
}

static double share_of(const governor_bucket *b, governor_lane lane)
{
    double s = b->cfg.lane_share[lane];
    return s > 0 ? s : 1.0;
}

/* The interval rule; wait is when enough counted requests will have aged out. */
static governor_verdict check_interval(governor_bucket *b, governor_lane lane, int64_t now)
{
    prune(b, now);
    int64_t external = now < b->external_until ? b->external : 0;
    int64_t limit = (int64_t)((double)(b->max - external) * share_of(b, lane));
    size_t w0 = first_after(b, now - span_ms(b));
    int64_t windowed = (int64_t)(b->done_len - w0);
    int64_t used = b->in_flight + windowed;
    if (used < limit)
        return (governor_verdict){.allowed = true, .wait_ms = 0, .why = NULL};
    int64_t need = used - limit + 1; /* answers that must age out */
    int64_t wait = -1;
    if (need <= windowed)
        wait = b->done[b->done_start + w0 + (size_t)need - 1] + span_ms(b) - now;
    if (external > 0 && (wait < 0 || b->external_until - now < wait))
        wait = b->external_until - now;
    return deny(wait, "interval");
}

governor_verdict governor_bucket_check(governor_bucket *b, governor_lane lane,
                                       const clock_source *clk)
{
    int64_t now = clock_mono_ms(clk);
    if ((unsigned)lane >= GOVERNOR_LANES)
        lane = GOVERNOR_LANE_RECONCILE;
    if (now < b->blocked_until)
        return deny(b->blocked_until - now, "blocked");
    if (b->probing && b->in_flight > 0)
        return deny(-1, "probe");
    if (b->cfg.max_in_flight > 0 && b->in_flight >= b->cfg.max_in_flight)
        return deny(-1, "in_flight");
    if (b->max > 0) {
        governor_verdict v = check_interval(b, lane, now);
        if (!v.allowed)
            return v;
    }
    if (b->daily_limit > 0) {
        int64_t wall = clock_now_ms(clk);
        roll_day(b, wall);
        int64_t floor = b->cfg.daily_reserve +
                        (lane == GOVERNOR_LANE_LIVE ? 0 : b->cfg.bulk_daily_headroom);
        if (daily_left(b) <= floor)
            return deny(daily_wait(b, wall), "daily");
    }
    return (governor_verdict){.allowed = true, .wait_ms = 0, .why = NULL};
}

void governor_bucket_take(governor_bucket *b, governor_lane lane, const clock_source *clk,
                          governor_ticket *out)
{
    int64_t wall = clock_now_ms(clk);
    roll_day(b, wall);
    out->seq = b->sends++;
    out->sent_ms = clock_mono_ms(clk);
    out->day = b->day;
    out->lane = lane;
    b->in_flight++;
    b->used_today++;
}

/* Adopts the limits the server states. */
static void learn_limits(governor_bucket *b, const retry_rate_info *ri)
{
    if (ri->max > 0 && ri->interval_ms > 0 && (ri->max != b->max || ri->interval_ms != b->interval_ms))
        set_interval(b, ri->max, ri->interval_ms);
    if (ri->daily_limit > 0)
        b->daily_limit = ri->daily_limit;
}

/* Remaining lower than our own requests explain: someone else uses the budget. Our requests
 * the server may have counted with this one are those in flight and those answered within an
 * interval before it was sent. */
static void learn_external(governor_bucket *b, const governor_ticket *t, int64_t remaining,
                           int64_t now)
{
    if (b->max <= 0)
        return;
    int64_t ours = b->in_flight + (int64_t)(b->done_len - first_after(b, t->sent_ms - b->interval_ms));
    int64_t ext = (b->max - remaining) - ours;
    if (ext > 0 && (ext >= b->external || now >= b->external_until)) {
        b->external = PS_MIN(ext, b->max);
        b->external_until = now + span_ms(b);
    }
}

/* Daily-Remaining, less what may not be reflected in it yet: requests sent after this one,
 * and those still in flight (some counted twice: the estimate errs low). */
static void learn_daily(governor_bucket *b, const governor_ticket *t, int64_t left)
{
    if (t->day != b->day || (b->obs_valid && t->seq < b->obs_seq))
        return;
    b->obs_left = left - (int64_t)(b->sends - t->seq - 1) - b->in_flight;
    b->obs_sends = b->sends;
    b->obs_seq = t->seq;
    b->obs_valid = true;
}

static void after_429(governor_bucket *b, const governor_ticket *t, const retry_rate_info *ri,
                      int64_t now, int64_t wall)
{
    if (ri && ri->daily_remaining == 0) {
        b->obs_valid = true;
        b->obs_left = 0;
        b->obs_sends = b->sends;
        b->obs_seq = PS_MAX(b->obs_seq, t->seq);
        if (ri->retry_after_ms > 0)
            b->daily_blocked_until = wall + ri->retry_after_ms;
        return;
    }
    int64_t wait;
    if (ri && ri->retry_after_ms >= 0)
        wait = ri->retry_after_ms;
    else if (b->interval_ms > 0)
        wait = span_ms(b);
    else
        wait = 1000;
    b->blocked_until = PS_MAX(b->blocked_until, now + wait);
}

void governor_bucket_done(governor_bucket *b, const governor_ticket *t, const governor_result *r,
                          const clock_source *clk)
{
    int64_t now = clock_mono_ms(clk), wall = clock_now_ms(clk);
    roll_day(b, wall);
    if (b->in_flight > 0)
        b->in_flight--;
    if (!r->sent) {
        if (t->day == b->day && b->used_today > 0)
            b->used_today--;
        return;
    }
    b->probing = false;
    if (b->max > 0 && !push_done(b, now))
        b->blocked_until = PS_MAX(b->blocked_until, now + span_ms(b)); /* cannot count: pause */
    const retry_rate_info *ri = r->rate;
    bool learn = b->cfg.learn_from_headers && ri;
    if (learn)
        learn_limits(b, ri);
    if (learn && ri->remaining >= 0)
        learn_external(b, t, ri->remaining, now);
    if (learn && ri->daily_remaining >= 0 && b->daily_limit > 0)
        learn_daily(b, t, ri->daily_remaining);
    if (r->status == 429)
        after_429(b, t, ri, now, wall);
}

json_t *governor_bucket_json(governor_bucket *b, const clock_source *clk)
{
    int64_t now = clock_mono_ms(clk);
    json_t *j = json_object();
    json_object_set_new(j, "max_per_interval", json_integer(b->max));
    json_object_set_new(j, "interval_ms", json_integer(b->interval_ms));
    json_object_set_new(j, "margin_ms", json_integer(b->margin_ms));
    json_object_set_new(j, "in_flight", json_integer(b->in_flight));
    json_object_set_new(j, "used", json_integer(b->max > 0 ? governor_bucket_used(b, clk) : b->in_flight));
    json_object_set_new(j, "external", json_integer(now < b->external_until ? b->external : 0));
    json_object_set_new(j, "blocked_ms", json_integer(PS_MAX((int64_t)0, b->blocked_until - now)));
    json_object_set_new(j, "probing", json_boolean(b->probing));
    json_object_set_new(j, "sent", json_integer((json_int_t)b->sends));
    json_object_set_new(j, "daily_limit", json_integer(b->daily_limit));
    json_object_set_new(j, "daily_left", json_integer(governor_bucket_daily_left(b, clk)));
    json_object_set_new(j, "daily_reserve", json_integer(b->cfg.daily_reserve));
    return j;
}
