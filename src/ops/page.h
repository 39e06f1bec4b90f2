/* page.h: the status page: plain HTML, one script and one style sheet, compiled into the binary
 * from src/ops/page_assets/ (page_assets/embed.py writes them out as C arrays at build time), so
 * pheedsync serves it with no file and no outside address. The page reads the JSON API of
 * admin_http.h; its Content-Security-Policy allows nothing but this origin. */
#ifndef PHEEDSYNC_OPS_PAGE_H
#define PHEEDSYNC_OPS_PAGE_H

#include "net/http_server.h"

typedef struct ops_page_asset {
    const char *name;         /* file name in page_assets/: "index.html", "page.js", ... */
    const char *content_type; /* "text/html; charset=utf-8", ... */
    const char *data;         /* len bytes, NUL after them */
    size_t len;
} ops_page_asset;

/* Generated (page_assets.c). */
extern const ops_page_asset ops_page_assets[];
extern const size_t ops_page_assets_len;

/* The asset named name, or NULL. */
const ops_page_asset *ops_page_asset_find(const char *name);

/* Registers GET / (index.html) and GET /NAME for every other asset; as http_server_route. */
int ops_page_mount(http_server *srv);

#endif
