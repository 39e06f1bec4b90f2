/* log.h: the logger: JSON lines (or plain text for a terminal), levels, and redaction of secrets
 * by key name and by registered value. Thread-safe. */
#ifndef PHEEDSYNC_LOG_H
#define PHEEDSYNC_LOG_H

#include "util/common.h"

#include <jansson.h>

typedef enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF } log_level;
typedef enum log_format { LOG_JSON = 0, LOG_TEXT } log_format;

/* Configures the process logger (default: LOG_INFO, JSON, stderr). out is not closed. */
void log_setup(log_level min, log_format format, FILE *out);
/* "debug" | "info" | "warn" | "error" | "off"; returns -1 when unknown. */
int log_level_parse(const char *name);
log_level log_get_level(void);

/* Every later occurrence of value (length >= 4) in any logged text is replaced by "[redacted]".
 * Tokens, secrets and keys are registered as soon as they are read. */
void log_add_secret(const char *value);
/* Forgets every registered secret (tests). */
void log_clear_secrets(void);
/* True when a field with this key always has its value redacted (token, secret, password,
 * authorization, api_key, ... case-insensitive, also as a suffix like "refresh_token"). */
bool log_key_is_secret(const char *key);

/* One record: {"ts": ISO, "level": "info", "msg": msg, ...fields}. fields (may be NULL) is an
 * object whose members are added; it is consumed (decref'd). Secret keys are redacted at any
 * depth. */
void log_write(log_level level, const char *msg, json_t *fields);
/* printf-style shorthands with no fields. */
void log_debugf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_infof(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
