/* alert_monitor.c: alerts as [alert] configures them: the evaluator, the log, and the sender;
 * and the JSON form of an alert. */
#include "ops/alert.h"
#include "util/clock.h"
#include "util/log.h"

#include <unistd.h>

struct alert_monitor {
    alert_eval *eval;
    alert_sender *sender;
    int64_t window_ms;
    char host[256];
};

static int set_time(json_t *j, const char *key, int64_t ms)
{
    char iso[CLOCK_ISO_LEN];
    clock_format_iso(ms, iso);
    return json_object_set_new(j, key, json_string(iso));
}

json_t *alert_event_json(const alert_event *ev, const char *host)
{
    char text[ALERT_TEXT_MAX + 300];
    if (host && *host)
        snprintf(text, sizeof text, "pheedsync on %s: %s", host, ev->text);
    else
        snprintf(text, sizeof text, "pheedsync: %s", ev->text);
    json_t *j = json_object();
    if (!j)
        return NULL;
    int rc = json_object_set_new(j, "text", json_string(text));
    rc |= json_object_set_new(j, "status", json_string(ev->firing ? "firing" : "resolved"));
    rc |= json_object_set_new(j, "condition", json_string(alert_condition_name(ev->condition)));
    rc |= json_object_set_new(j, "service", *ev->service ? json_string(ev->service) : json_null());
    rc |= json_object_set_new(j, "value", json_real(ev->value));
    rc |= json_object_set_new(j, "threshold", json_real(ev->threshold));
    rc |= set_time(j, "started_at", ev->started_ms);
    rc |= set_time(j, "at", ev->at_ms);
    rc |= json_object_set_new(j, "host", host && *host ? json_string(host) : json_null());
    rc |= json_object_set_new(j, "source", json_string("pheedsync"));
    if (rc) {
        json_decref(j);
        return NULL;
    }
    return j;
}

int alert_monitor_new(alert_monitor **out, const config *cfg, err *e)
{
    alert_monitor *m = calloc(1, sizeof *m);
    if (!m)
        return err_set(e, ERR_NOMEM, "out of memory");
    alert_rules rules;
    alert_rules_from_config(&rules, cfg);
    m->window_ms = config_int(cfg, "alert", "window") * 1000;
    if (gethostname(m->host, sizeof m->host) != 0)
        m->host[0] = '\0';
    m->host[sizeof m->host - 1] = '\0';
    alert_sender_options so = {
        .url = config_str(cfg, "alert", "url"),
        .command = config_str(cfg, "alert", "command"),
    };
    int rc = alert_eval_new(&m->eval, &rules, e);
    if (rc == 0)
        rc = alert_sender_new(&m->sender, &so, e);
    if (rc != 0) {
        alert_monitor_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

size_t alert_monitor_feed(alert_monitor *m, const alert_obs *obs, int64_t now_ms)
{
    alert_event events[ALERT_MAX_EVENTS];
    size_t n = alert_eval_feed(m->eval, obs, now_ms, events);
    for (size_t i = 0; i < n; i++) {
        json_t *j = alert_event_json(&events[i], m->host);
        if (!j) {
            log_errorf("alert: out of memory: %s", events[i].text);
            continue;
        }
        json_t *fields = json_pack("{s:s, s:s, s:s}", "alert", events[i].text, "condition",
                                   alert_condition_name(events[i].condition), "status",
                                   events[i].firing ? "firing" : "resolved");
        if (fields && *events[i].service)
            json_object_set_new(fields, "service", json_string(events[i].service));
        log_write(events[i].firing ? LOG_WARN : LOG_INFO, "alert", fields);
        alert_sender_post(m->sender, j);
        json_decref(j);
    }
    return n;
}

size_t alert_monitor_active(const alert_monitor *m)
{
    return alert_eval_active(m->eval);
}

int64_t alert_monitor_window_ms(const alert_monitor *m)
{
    return m->window_ms;
}

alert_sender *alert_monitor_sender(alert_monitor *m)
{
    return m->sender;
}

void alert_monitor_free(alert_monitor *m)
{
    if (!m)
        return;
    alert_sender_free(m->sender);
    alert_eval_free(m->eval);
    free(m);
}
