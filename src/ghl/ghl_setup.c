/* ghl_setup.c: building the HighLevel token manager and its dependencies from configuration. */
#include "ghl/ghl_setup.h"

int ghl_setup_key_path(buf *out, const config *cfg, err *e)
{
    const char *kf = config_str(cfg, "store", "key_file");
    if (kf && *kf)
        return buf_addstr(out, kf) ? err_set(e, ERR_LIMIT, "key_file path too long") : 0;
    const char *url = config_str(cfg, "store", "url");
    const char *path = url && strncmp(url, "sqlite:", 7) == 0 ? url + 7 : NULL;
    const char *slash = path ? strrchr(path, '/') : NULL;
    int rc = slash ? buf_addf(out, "%.*s/pheedsync.key", (int)(slash - path), path)
                   : buf_addstr(out, "pheedsync.key");
    return rc ? err_set(e, ERR_LIMIT, "key file path too long") : 0;
}

static int open_tokens(ghl_setup *s, const config *cfg, err *e)
{
    ghl_tokens_config tc = {
        .store_url = config_str(cfg, "store", "url"),
        .app = {.base_url = s->base_url,
                .client_id = config_str(cfg, "ghl", "client_id"),
                .client_secret = config_str(cfg, "ghl", "client_secret"),
                .http = s->http},
    };
    if (s->pit) {
        tc.pit = config_str(cfg, "ghl", "token");
        if (!tc.pit || !*tc.pit)
            return err_set(e, ERR_CONFIG,
                           "[ghl] auth = token needs [ghl] token (best passed as "
                           "PHEEDSYNC_GHL_TOKEN)");
        return ghl_tokens_new(&s->tokens, &tc, e);
    }
    buf path;
    buf_init(&path, 4096);
    int rc = ghl_setup_key_path(&path, cfg, e);
    if (rc == 0)
        rc = crypto_key_load(&s->key, buf_cstr(&path), e);
    buf_free(&path);
    tc.key = s->key;
    if (rc == 0)
        rc = ghl_tokens_new(&s->tokens, &tc, e);
    return rc;
}

int ghl_setup_open(ghl_setup *out, const config *cfg, http_client *http, err *e)
{
    ghl_setup s = {0};
    s.base_url = config_str(cfg, "ghl", "base_url");
    s.location_id = config_str(cfg, "ghl", "location_id");
    s.pit = config_int(cfg, "ghl", "auth") == 1; /* "oauth|token" */
    s.http = http;
    s.own_http = !http;
    int rc = http ? 0 : http_client_new(&s.http, NULL, e);
    if (rc == 0)
        rc = open_tokens(&s, cfg, e);
    if (rc != 0) {
        ghl_setup_close(&s);
        return rc;
    }
    *out = s;
    return 0;
}

void ghl_setup_close(ghl_setup *s)
{
    if (!s)
        return;
    ghl_tokens_free(s->tokens);
    crypto_key_free(s->key);
    if (s->own_http)
        http_client_free(s->http);
    memset(s, 0, sizeof *s);
}
