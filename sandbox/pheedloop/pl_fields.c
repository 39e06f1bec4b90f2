/* pl_fields.c: the PheedLoop emulator's field checks, worded as Django REST Framework words them
 * (DRF trims strings, turns numbers into strings and ignores unknown keys). */
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"

#include <ctype.h>

#define S255(n, req)                                                                               \
    {                                                                                              \
        n, SBX_PL_F_STR, req, false, !(req), 255                                                   \
    }

const sbx_pl_field sbx_pl_attendee_fields[] = {
    {"code_internal", SBX_PL_F_STR, false, true, true, 255},
    S255("first_name", true),
    S255("last_name", true),
    {"email", SBX_PL_F_EMAIL, true, false, false, 254},
    S255("organization", false),
    S255("title", false),
    {"address_phone", SBX_PL_F_STR, false, false, true, 50},
    S255("address_line_1", false),
    S255("address_line_2", false),
    S255("address_city", false),
    S255("address_state", false),
    {"address_zip", SBX_PL_F_STR, false, false, true, 20},
    S255("address_country", false),
    {"about", SBX_PL_F_STR, false, false, true, 0},
    S255("linkedin", false),
    S255("designations", false),
    {"dietary_restrictions", SBX_PL_F_STR, false, false, true, 0},
    {"accessibility_requirements", SBX_PL_F_STR, false, false, true, 0},
    {"profile_visible", SBX_PL_F_BOOL, false, false, false, 0},
    {"tags", SBX_PL_F_LIST, false, false, false, 0},
    {"contact_groups", SBX_PL_F_LIST, false, true, false, 0},
    {"contact_organization", SBX_PL_F_ANY, false, true, false, 0},
    {"membership_tier", SBX_PL_F_ANY, false, true, false, 0},
    {"metadata", SBX_PL_F_OBJECT, false, true, false, 0},
    {"code_badge", SBX_PL_F_STR, false, true, true, 255},
    {"external_qr_code_url", SBX_PL_F_STR, false, true, true, 500},
};
const size_t sbx_pl_attendee_fields_n = PS_ARRAY_LEN(sbx_pl_attendee_fields);

const sbx_pl_field sbx_pl_member_fields[] = {
    {"code_internal", SBX_PL_F_STR, false, true, true, 255},
    S255("first_name", true),
    S255("last_name", true),
    {"email", SBX_PL_F_EMAIL, true, false, false, 254},
    S255("organization", false),
    S255("title", false),
    {"address_phone", SBX_PL_F_STR, false, false, true, 50},
    S255("address_line_1", false),
    S255("address_line_2", false),
    S255("address_city", false),
    S255("address_state", false),
    {"address_zip", SBX_PL_F_STR, false, false, true, 20},
    S255("address_country", false),
    {"about", SBX_PL_F_STR, false, false, true, 0},
    S255("linkedin", false),
    {"metadata", SBX_PL_F_OBJECT, false, true, false, 0},
    {"contact_groups", SBX_PL_F_LIST, false, true, false, 0},
    {"memberships", SBX_PL_F_LIST, false, true, false, 0},
};
const size_t sbx_pl_member_fields_n = PS_ARRAY_LEN(sbx_pl_member_fields);

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The trimmed string form of a scalar, malloc'd; NULL for non-scalars. */
static char *str_form(const json_t *v)
{
    char num[64];
    const char *s;
    if (json_is_string(v)) {
        s = json_string_value(v);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        s = num;
    } else if (json_is_real(v)) {
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        s = num;
    } else {
        return NULL;
    }
    while (is_space(*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && is_space(s[len - 1]))
        len--;
    char *out = malloc(len + 1);
    if (out) {
        memcpy(out, s, len);
        out[len] = '\0';
    }
    return out;
}

static bool email_local_ok(const char *s, size_t len)
{
    static const char extra[] = "!#$%&'*+/=?^_`{|}~.-";
    if (len == 0 || len > 64 || s[0] == '.' || s[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && !strchr(extra, c))
            return false;
        if (c == '.' && i + 1 < len && s[i + 1] == '.')
            return false;
    }
    return true;
}

static bool email_domain_ok(const char *s, size_t len)
{
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.') {
            unsigned char c = (unsigned char)s[i];
            if (!isalnum(c) && c != '-' && c < 0x80)
                return false;
            continue;
        }
        size_t n = i - start;
        if (n == 0 || n > 63 || s[start] == '-' || s[i - 1] == '-')
            return false;
        labels++;
        if (i == len && n < 2) /* the top-level domain has at least two characters */
            return false;
        start = i + 1;
    }
    return labels >= 2;
}

/* Close to Django's EmailValidator for what people type (no quoted local parts). */
static bool email_valid(const char *s)
{
    const char *at = strrchr(s, '@');
    if (!at || strchr(s, '@') != at)
        return false;
    return email_local_ok(s, (size_t)(at - s)) && email_domain_ok(at + 1, strlen(at + 1));
}

static int bool_form(const json_t *v)
{
    static const char *const yes[] = {"true", "True", "TRUE", "1", "yes", "Yes", "YES",
                                      "on",   "On",   "ON",   "y", "Y",   "t",   "T"};
    static const char *const no[] = {"false", "False", "FALSE", "0", "no", "No", "NO",
                                     "off",   "Off",   "OFF",   "n", "N",  "f",  "F"};
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
        return (int)json_integer_value(v);
    if (!json_is_string(v))
        return -1;
    for (size_t i = 0; i < PS_ARRAY_LEN(yes); i++) {
        if (strcmp(json_string_value(v), yes[i]) == 0)
            return 1;
        if (strcmp(json_string_value(v), no[i]) == 0)
            return 0;
    }
    return -1;
}

bool sbx_pl_date_valid(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int64_t ms;
    err e;
    return clock_parse_iso(&ms, s, &e) == 0;
}

static bool time_valid(const char *s)
{
    size_t len = strlen(s);
    if (len != 5 && len != 8)
        return false;
    for (size_t i = 0; i < len; i++) {
        bool colon = i == 2 || i == 5;
        if (colon ? s[i] != ':' : !isdigit((unsigned char)s[i]))
            return false;
    }
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    int sec = len == 8 ? (s[6] - '0') * 10 + (s[7] - '0') : 0;
    return h < 24 && m < 60 && sec < 60;
}

static const char *check_str(const sbx_pl_field *f, const json_t *v, char *msg, size_t msg_len)
{
    char *s = str_form(v);
    if (!s)
        return "Not a valid string.";
    const char *bad = NULL;
    if (!*s && !f->allow_blank)
        bad = "This field may not be blank.";
    else if (f->max_len && utf8_chars(s) > f->max_len) {
        snprintf(msg, msg_len, "Ensure this field has no more than %zu characters.", f->max_len);
        bad = msg;
    } else if (*s && f->kind == SBX_PL_F_EMAIL && !email_valid(s))
        bad = "Enter a valid email address.";
    else if (*s && f->kind == SBX_PL_F_DATE && !sbx_pl_date_valid(s))
        bad = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";
    else if (*s && f->kind == SBX_PL_F_TIME && !time_valid(s))
        bad = "Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]].";
    free(s);
    return bad;
}

/* The message for one present value, or NULL when it is acceptable. */
static const char *check_one(const sbx_pl_field *f, const json_t *v, char *msg, size_t msg_len)
{
    if (json_is_null(v))
        return f->nullable ? NULL : "This field may not be null.";
    switch (f->kind) {
    case SBX_PL_F_STR:
    case SBX_PL_F_EMAIL:
    case SBX_PL_F_DATE:
    case SBX_PL_F_TIME:
        return check_str(f, v, msg, msg_len);
    case SBX_PL_F_BOOL:
        return bool_form(v) < 0 ? "Must be a valid boolean." : NULL;
    case SBX_PL_F_LIST:
        if (json_is_array(v))
            return NULL;
        snprintf(msg, msg_len, "Expected a list of items but got type \"%s\".",
                 sbx_pl_json_type_name(v));
        return msg;
    case SBX_PL_F_OBJECT:
        if (json_is_object(v))
            return NULL;
        snprintf(msg, msg_len, "Expected a dictionary of items but got type \"%s\".",
                 sbx_pl_json_type_name(v));
        return msg;
    case SBX_PL_F_ANY:
        return NULL;
    }
    return NULL;
}

void sbx_pl_fields_check(const sbx_pl_field *fields, size_t n, const json_t *body, bool create,
                         json_t **errors)
{
    char msg[160];
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(body, fields[i].name);
        if (!v) {
            if (create && fields[i].required)
                sbx_pl_add_error(errors, fields[i].name, "This field is required.");
            continue;
        }
        const char *bad = check_one(&fields[i], v, msg, sizeof msg);
        if (bad)
            sbx_pl_add_error(errors, fields[i].name, bad);
    }
}

json_t *sbx_pl_field_value(const sbx_pl_field *f, const json_t *v)
{
    if (json_is_null(v))
        return json_null();
    switch (f->kind) {
    case SBX_PL_F_STR:
    case SBX_PL_F_EMAIL:
    case SBX_PL_F_DATE:
    case SBX_PL_F_TIME: {
        char *s = str_form(v);
        json_t *out = s ? json_string(s) : json_null();
        free(s);
        return out ? out : json_null();
    }
    case SBX_PL_F_BOOL:
        return json_boolean(bool_form(v) == 1);
    default:
        return json_deep_copy(v);
    }
}

bool sbx_pl_fields_apply(const sbx_pl_field *fields, size_t n, json_t *rec, const json_t *body,
                         const char *skip)
{
    bool changed = false;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(body, fields[i].name);
        if (!v || (skip && strcmp(skip, fields[i].name) == 0))
            continue;
        json_t *nv = sbx_pl_field_value(&fields[i], v);
        if (!nv)
            continue;
        if (!json_equal(json_object_get(rec, fields[i].name), nv))
            changed = true;
        json_object_set_new(rec, fields[i].name, nv);
    }
    return changed;
}
