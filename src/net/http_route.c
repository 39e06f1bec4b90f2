/* http_route.c: route pattern checks, path matching and path percent-decoding. */
#include "net/http_route.h"

/* One '/'-separated segment: [start, end) within its string. */
typedef struct segment {
    size_t start, end;
} segment;

/* Reads the segment starting at *pos (just after a '/'); leaves *pos on the next '/' or end. */
static segment next_segment(const char *s, size_t len, size_t *pos)
{
    segment seg = {*pos, *pos};
    while (seg.end < len && s[seg.end] != '/')
        seg.end++;
    *pos = seg.end;
    return seg;
}

static bool is_param(const char *s, segment seg)
{
    return seg.end - seg.start >= 3 && s[seg.start] == '{' && s[seg.end - 1] == '}';
}

int http_route_check(const char *pattern, err *e)
{
    if (!pattern || pattern[0] != '/')
        return err_set(e, ERR_INVALID, "route pattern must start with '/'");
    size_t len = strlen(pattern), pos = 1, n_seg = 0, n_params = 0;
    for (;;) {
        segment seg = next_segment(pattern, len, &pos);
        if (++n_seg > HTTP_ROUTE_MAX_SEGMENTS)
            return err_set(e, ERR_INVALID, "route '%s': more than %d segments", pattern,
                           HTTP_ROUTE_MAX_SEGMENTS);
        bool param = is_param(pattern, seg);
        for (size_t i = seg.start + param; i < seg.end - param; i++)
            if (pattern[i] == '{' || pattern[i] == '}')
                return err_set(e, ERR_INVALID,
                               "route '%s': a parameter must be a whole segment \"{name}\"",
                               pattern);
        if (param && ++n_params > HTTP_MAX_PARAMS)
            return err_set(e, ERR_INVALID, "route '%s': more than %d parameters", pattern,
                           HTTP_MAX_PARAMS);
        if (pos == len)
            return 0;
        pos++; /* skip the '/' */
    }
}

bool http_route_match(http_route_match_result *out, const char *pattern, const char *path,
                      size_t len)
{
    if (!pattern || pattern[0] != '/' || len == 0 || path[0] != '/')
        return false;
    http_route_match_result m = {.n_caps = 0, .rank = 0};
    size_t plen = strlen(pattern), ppos = 1, spos = 1;
    for (unsigned i = 0;; i++) {
        if (i >= HTTP_ROUTE_MAX_SEGMENTS)
            return false;
        segment ps = next_segment(pattern, plen, &ppos);
        segment ss = next_segment(path, len, &spos);
        if (is_param(pattern, ps)) {
            if (ss.end == ss.start || m.n_caps == HTTP_MAX_PARAMS)
                return false;
            m.caps[m.n_caps++] = (http_route_capture){ps.start + 1, ps.end - ps.start - 2, ss.start,
                                                      ss.end - ss.start};
        } else {
            if (ps.end - ps.start != ss.end - ss.start ||
                memcmp(pattern + ps.start, path + ss.start, ps.end - ps.start) != 0)
                return false;
            m.rank |= UINT64_C(1) << (63 - i);
        }
        bool p_end = ppos == plen, s_end = spos == len;
        if (p_end || s_end) {
            if (p_end != s_end)
                return false;
            *out = m;
            return true;
        }
        ppos++;
        spos++;
    }
}

int http_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_path_decode(buf *out, const char *raw, size_t len, err *e)
{
    buf_reset(out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c == '%' && len - i >= 3) {
            int hi = http_hex_value((unsigned char)raw[i + 1]);
            int lo = http_hex_value((unsigned char)raw[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = (unsigned char)(hi * 16 + lo);
                i += 2;
                if (c == 0)
                    return err_set(e, ERR_PARSE, "request path: %%00 at byte %zu", i - 2);
            }
        } else if (c == 0) {
            return err_set(e, ERR_PARSE, "request path: NUL byte at byte %zu", i);
        }
        int rc = buf_addc(out, (char)c);
        if (rc)
            return err_set(e, rc, "request path: too long");
    }
    return 0;
}
