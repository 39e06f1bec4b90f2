/* capture_hooks.c: setting webhooks up: the HighLevel check from the configuration, and
 * PheedLoop REST hook subscriptions for every synced event, made idempotently. */
#include "engine/capture.h"
#include "util/log.h"

const char *const capture_pl_actions[] = {
    "registration.created", "registration.updated", "registration.deleted", "attendee.created",
    "attendee.updated",     "attendee.deleted",     "checkin.created",      "checkin.deleted",
};
const size_t capture_pl_actions_n = PS_ARRAY_LEN(capture_pl_actions);

int capture_ghl_verifier_from_config(ghl_webhook_verifier **out, const config *cfg, err *e)
{
    int64_t window_s = config_int(cfg, "ghl", "webhook_window");
    ghl_webhook_config wc = {
        .ed25519_key = config_str(cfg, "ghl", "webhook_public_key"),
        .rsa_key = config_str(cfg, "ghl", "webhook_rsa_public_key"),
        /* In the file 0 means "not checked"; the verifier reads 0 as its default. */
        .window_ms = window_s > 0 ? window_s * 1000 : -1,
    };
    return ghl_webhook_verifier_new(out, &wc, e);
}

/* The actions already sent to endpoint: have[i] for capture_pl_actions[i]. */
static int existing_hooks(bool *have, pl_client *pl, const char *event, const char *endpoint,
                          err *e)
{
    pl_iter *it = NULL;
    pl_hook h;
    int rc = pl_client_hooks(&it, pl, event, GOVERNOR_LANE_LIVE, e);
    while (rc == 0 && (rc = pl_iter_next_hook(&h, it, e)) == 1) {
        rc = 0;
        bool ours = h.endpoint && strcmp(h.endpoint, endpoint) == 0;
        for (size_t i = 0; ours && h.action && i < capture_pl_actions_n; i++)
            if (strcmp(h.action, "*") == 0 || strcmp(h.action, capture_pl_actions[i]) == 0)
                have[i] = true;
        pl_hook_free(&h);
    }
    pl_iter_free(it);
    return rc;
}

static int register_event(size_t *added, pl_client *pl, const char *event, const char *endpoint,
                          err *e)
{
    bool have[PS_ARRAY_LEN(capture_pl_actions)] = {false};
    int rc = existing_hooks(have, pl, event, endpoint, e);
    for (size_t i = 0; rc == 0 && i < capture_pl_actions_n; i++) {
        if (have[i])
            continue;
        pl_hook h;
        rc = pl_client_subscribe_hook(&h, pl, event, capture_pl_actions[i], endpoint, NULL, e);
        if (rc == 0) {
            (*added)++;
            log_write(LOG_INFO, "PheedLoop REST hook subscribed",
                      json_pack("{s:s, s:s, s:s}", "event", event, "action", capture_pl_actions[i],
                                "endpoint", endpoint));
            pl_hook_free(&h);
        }
    }
    return rc != 0 ? err_wrap(e, "event %s: ", event) : 0;
}

int capture_register_pl_hooks(size_t *out_added, pl_client *pl, const char *const *events,
                              const char *endpoint, err *e)
{
    if (!endpoint || !*endpoint)
        return err_set(e, ERR_CONFIG,
                       "[server] public_url: needed to subscribe PheedLoop webhooks; set it to "
                       "the URL where PheedLoop reaches this server");
    size_t added = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && events && events[i]; i++)
        rc = register_event(&added, pl, events[i], endpoint, e);
    if (rc == 0 && out_added)
        *out_added = added;
    return rc;
}
