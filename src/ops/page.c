/* page.c: serves the status page's compiled-in files with headers that keep it to itself. */
#include "ops/page.h"

/* Nothing from elsewhere, no inline script, no framing. */
#define PAGE_CSP                                                                                   \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const ops_page_asset *ops_page_asset_find(const char *name)
{
    for (size_t i = 0; name && i < ops_page_assets_len; i++)
        if (strcmp(ops_page_assets[i].name, name) == 0)
            return &ops_page_assets[i];
    return NULL;
}

static void h_asset(void *ctx, const http_request *req, http_response *res)
{
    const ops_page_asset *a = ctx;
    http_response_header(res, "Content-Security-Policy", PAGE_CSP);
    http_response_header(res, "X-Content-Type-Options", "nosniff");
    http_response_header(res, "Referrer-Policy", "no-referrer");
    http_response_header(res, "X-Frame-Options", "DENY");
    http_response_header(res, "Cache-Control", "no-cache");
    http_response_text(res, 200, a->content_type, a->data);
}

int ops_page_mount(http_server *srv)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ops_page_assets_len; i++) {
        const ops_page_asset *a = &ops_page_assets[i];
        char path[128];
        bool index = strcmp(a->name, "index.html") == 0;
        snprintf(path, sizeof path, "/%s", index ? "" : a->name);
        rc = http_server_route(srv, "GET", path, index ? "page" : "page-asset", h_asset,
                               (void *)(uintptr_t)a);
    }
    return rc;
}
