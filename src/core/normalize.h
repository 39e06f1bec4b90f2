/* normalize.h: the normal forms two records are compared in: e-mail addresses, E.164 phone
 * numbers, tags, and personal names split or joined the way HighLevel does it.
 *
 * Inputs are (pointer, length) slices: phone numbers and e-mails arrive from the network. Outputs
 * go to caller buffers; a value that does not fit is refused rather than cut. */
#ifndef PHEEDSYNC_CORE_NORMALIZE_H
#define PHEEDSYNC_CORE_NORMALIZE_H

#include "util/buf.h"
#include "util/err.h"

/* E.164: '+', up to 15 digits, and the NUL. */
#define CORE_E164_MAX 17
/* Bytes for a reason message ("too few digits for a phone number"). */
#define CORE_WHY_MAX 128

/* The characters trimming removes: ASCII whitespace (space, \t, \n, \v, \f, \r). */
bool core_is_space(char c);
/* [*s, *s + *len) without leading and trailing whitespace. */
void core_trim(const char **s, size_t *len);

/* An e-mail address as pheedsync compares it: trimmed and ASCII lower-cased. Dots and
 * +suffixes are kept (they make different mailboxes at most providers). Appends to out; an
 * address without exactly one '@' with text on both sides gives ERR_INVALID with why. */
int core_norm_email(buf *out, const char *in, size_t len, char why[CORE_WHY_MAX]);

/* A phone number in E.164 ("+14155550134"). Separators (space . - / and parentheses) are
 * dropped; "00" (and "011" when the default country is 1) means '+'; "(0)" after a country
 * code is the trunk prefix and is dropped; an extension ("x12", "ext. 12", ";ext=12") is
 * dropped. A number without a country code takes default_cc (1..999): with 1, ten digits (or
 * eleven starting with 1) that form a valid North American number; otherwise the national
 * number, its leading 0 (the trunk prefix) dropped. The NANP rule (area code and exchange start
 * with 2-9) also holds for +1 numbers. On failure: ERR_INVALID, out[0] = '\0', why says what
 * was wrong. */
int core_norm_phone(char out[CORE_E164_MAX], const char *in, size_t len, int default_cc,
                    char why[CORE_WHY_MAX]);

/* A tag as HighLevel stores it: trimmed, ASCII lower-cased. Appends to out (may be empty). */
int core_norm_tag(buf *out, const char *in, size_t len);

/* A signed duration of the configuration in seconds: "+3d", "-24h", "1h30m", "90s", "2w", or a
 * bare number of seconds; at most ten years either way. ERR_INVALID otherwise. */
int core_duration_parse(int64_t *out_s, const char *s);

/* Splits a full name as HighLevel splits `name`: the first word is the first name, the rest
 * (inner spacing collapsed) the last name. Appends to first and last. */
int core_name_split(buf *first, buf *last, const char *in, size_t len);
/* "first last", trimmed, without a stray space when one part is empty. */
int core_name_join(buf *out, const char *first, const char *last);

#endif
