/* http_route.h: route patterns ("/contacts/{contactId}/tasks"), the pure matching of a decoded
 * request path against them, and request-path percent-decoding. No I/O, so it is fuzzed and
 * unit-tested on its own. */
#ifndef PHEEDSYNC_HTTP_ROUTE_H
#define PHEEDSYNC_HTTP_ROUTE_H

#include "net/http_server.h"
#include "util/buf.h"
#include "util/err.h"

/* Patterns have at most this many segments (the rank keeps one bit per segment). */
#define HTTP_ROUTE_MAX_SEGMENTS 64

/* Where one "{name}" parameter sits: its name in the pattern (without braces), its value in
 * the path. */
typedef struct http_route_capture {
    size_t name_off, name_len;
    size_t value_off, value_len;
} http_route_capture;

typedef struct http_route_match_result {
    size_t n_caps;
    http_route_capture caps[HTTP_MAX_PARAMS];
    /* Higher is more specific: bit (63 - i) is set when segment i is literal, so a literal
     * segment beats a parameter at the first position where two matching patterns differ. */
    uint64_t rank;
} http_route_match_result;

/* Validates a pattern: starts with '/', every "{name}" is a whole segment with a non-empty
 * name free of '{', '}' and '/', at most HTTP_MAX_PARAMS parameters and
 * HTTP_ROUTE_MAX_SEGMENTS segments. */
int http_route_check(const char *pattern, err *e);

/* Matches path[0, len) (decoded, may hold any byte) against a pattern. A "{name}" matches one
 * non-empty segment; literal segments compare byte for byte; the trailing slash counts. Fills
 * out and returns true on a match; out is untouched otherwise. */
bool http_route_match(http_route_match_result *out, const char *pattern, const char *path,
                      size_t len);

/* Percent-decodes the path part of a request target into out (which it empties first). "%XX"
 * becomes the byte; a '%' not followed by two hex digits is kept as is (as most servers do).
 * A decoded NUL byte is refused (ERR_PARSE) because the path is handed on as a C string. */
int http_path_decode(buf *out, const char *raw, size_t len, err *e);

/* The value of a hex digit, or -1. */
int http_hex_value(unsigned char c);

#endif
