/* fuzz_pl_webhook.c: PheedLoop webhook deliveries on arbitrary bytes: the parse into a hint,
 * the check with one secret for every event and with per-event secrets, and capture. Input:
 * the signature header value up to the first newline, then the body. A correct signature of a
 * body that parses must always pass; of one that does not, never. */
#include "fuzz/fuzz.h"
#include "pheedloop/pl_webhook.h"
#include "util/log.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char SECRET[] = "fuzz-pheedloop-secret";

/* Made once and never changed, so inputs stay independent. */
static struct {
    pl_webhook *single; /* SECRET for every event, no window, capture on */
    pl_webhook *per;    /* EVE1 has its own secret, every other event SECRET; window on */
} W;

static void setup_once(void)
{
    if (W.single)
        return;
    FILE *null = fopen("/dev/null", "w");
    if (!null)
        abort();
    log_setup(LOG_INFO, LOG_JSON, null); /* capture writes through the logger's redaction */
    pl_webhook_config one = {.secret = SECRET, .window_ms = -1, .capture = true};
    pl_webhook_secret eve1 = {"EVE1", "eve1-secret"};
    pl_webhook_config per = {.secret = SECRET, .event_secrets = &eve1, .n_event_secrets = 1};
    if (pl_webhook_new(&W.single, &one, NULL) != 0 || pl_webhook_new(&W.per, &per, NULL) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    const uint8_t *nl = memchr(data, '\n', size);
    size_t hlen = nl ? (size_t)(nl - data) : size;
    char *header = strndup((const char *)data, hlen);
    const uint8_t *body = nl ? nl + 1 : data + size;
    size_t len = nl ? size - hlen - 1 : 0;
    if (!header)
        return 0;
    pl_webhook_hint h;
    int parsed = pl_webhook_parse(&h, body, len, NULL);
    if (parsed == 0 && (!h.action[0] || !h.event_code[0] || !h.delivery_id[0]))
        abort();
    (void)pl_webhook_verify(&h, W.single, header, body, len, 1798761600000LL, NULL);
    (void)pl_webhook_verify(&h, W.per, header, body, len, 1798761600000LL, NULL);
    pl_webhook_header_kv kv = {"X-PheedLoop-Signature", header};
    pl_webhook_capture(W.single, "POST", "/fuzz", &kv, 1, body, len, -9, "fuzz");

    unsigned char mac[32];
    unsigned int mac_len = 0;
    char hex[65];
    if (!HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), body, len, mac, &mac_len))
        abort();
    for (unsigned int i = 0; i < mac_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    int rc = pl_webhook_verify(&h, W.single, hex, body, len, 0, NULL);
    if ((rc == 0) != (parsed == 0))
        abort();
    free(header);
    return 0;
}
