/* metrics_http.h: the /metrics endpoint: a registry rendered for Prometheus over the HTTP
 * server. */
#ifndef PHEEDSYNC_METRICS_HTTP_H
#define PHEEDSYNC_METRICS_HTTP_H

#include "net/http_server.h"
#include "util/metrics.h"

/* An http_handler: ctx is the metrics registry (NULL: metrics_default()). Answers 200 with
 * the text format 0.0.4, or 500 when the answer does not fit the server's response cap. */
void ops_metrics_handler(void *ctx, const http_request *req, http_response *res);

/* Registers GET /metrics on srv, served from m (NULL: metrics_default()); as
 * http_server_route. */
int ops_metrics_route(http_server *srv, metrics *m);

#endif
