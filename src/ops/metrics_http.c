/* metrics_http.c: serves a metrics registry at /metrics. */
#include "ops/metrics_http.h"

void ops_metrics_handler(void *ctx, const http_request *req, http_response *res)
{
    metrics *m = ctx ? ctx : metrics_default();
    buf_reset(&res->body);
    if (metrics_render(m, &res->body) != 0) {
        http_response_text(res, 500, "text/plain", "metrics: too large to render\n");
        return;
    }
    res->status = 200;
    http_response_header(res, "Content-Type", METRICS_CONTENT_TYPE);
}

int ops_metrics_route(http_server *srv, metrics *m)
{
    return http_server_route(srv, "GET", "/metrics", "metrics", ops_metrics_handler, m);
}
