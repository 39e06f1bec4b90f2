/* ghl_setup.c: building the HighLevel token manager and its dependencies from configuration. */
#include "ghl/ghl_setup.h"

static int open_tokens(ghl_setup *s, const config *cfg, const crypto_key *key, const char *pit,
                       err *e)
{
    ghl_tokens_config tc = {
        .store_url = config_str(cfg, "store", "url"),
        .key = key,
        .app = {.base_url = s->base_url,
                .client_id = config_str(cfg, "ghl", "client_id"),
                .client_secret = config_str(cfg, "ghl", "client_secret"),
                .http = s->http},
    };
    if (s->pit) {
        tc.pit = pit ? pit : config_str(cfg, "ghl", "token");
        if (!tc.pit || !*tc.pit)
            return err_set(e, ERR_CONFIG,
                           "[ghl] auth = token needs [ghl] token (best passed as "
                           "PHEEDSYNC_GHL_TOKEN)");
        tc.key = NULL;
    } else if (!key) {
        return err_set(e, ERR_CONFIG, "[ghl] auth = oauth needs the sealing key for its tokens");
    }
    return ghl_tokens_new(&s->tokens, &tc, e);
}

static int setup_open(ghl_setup *out, const config *cfg, http_client *http, const crypto_key *key,
                      const char *pit, err *e)
{
    ghl_setup s = {0};
    s.base_url = config_str(cfg, "ghl", "base_url");
    s.location_id = config_str(cfg, "ghl", "location_id");
    s.pit = config_int(cfg, "ghl", "auth") == 1; /* "oauth|token" */
    s.http = http;
    s.own_http = !http;
    int rc = http ? 0 : http_client_new(&s.http, NULL, e);
    if (rc == 0)
        rc = open_tokens(&s, cfg, key, pit, e);
    if (rc != 0) {
        ghl_setup_close(&s);
        return rc;
    }
    *out = s;
    return 0;
}

int ghl_setup_open(ghl_setup *out, const config *cfg, http_client *http, const crypto_key *key,
                   err *e)
{
    return setup_open(out, cfg, http, key, NULL, e);
}

int ghl_setup_open_pit(ghl_setup *out, const config *cfg, http_client *http, const char *pit,
                       err *e)
{
    if (config_int(cfg, "ghl", "auth") != 1)
        return err_set(e, ERR_CONFIG, "a link's own token needs [ghl] auth = token");
    return setup_open(out, cfg, http, NULL, pit, e);
}

void ghl_setup_close(ghl_setup *s)
{
    if (!s)
        return;
    ghl_tokens_free(s->tokens);
    if (s->own_http)
        http_client_free(s->http);
    memset(s, 0, sizeof *s);
}
