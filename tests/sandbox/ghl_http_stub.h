/* ghl_http_stub.h: unit-test stand-ins for net/http_server.h's request and response helpers. */
#ifndef PHEEDSYNC_TESTS_GHL_HTTP_STUB_H
#define PHEEDSYNC_TESTS_GHL_HTTP_STUB_H

#include "net/http_server.h"

/* What req->conn points to: NULL-terminated name, value, name, value, ... arrays. */
typedef struct stub_conn {
    const char *const *headers;
    const char *const *query;
} stub_conn;

void stub_response_init(http_response *res);
void stub_response_free(http_response *res);
const char *stub_response_header(const http_response *res, const char *name);

#endif
