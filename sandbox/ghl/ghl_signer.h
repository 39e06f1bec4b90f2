/* ghl_signer.h: the HighLevel emulator's webhook signatures: Ed25519 (X-GHL-Signature) and the
 * legacy RSA-SHA256 (X-WH-Signature), over the raw body, base64; keys made at start. */
#ifndef PHEEDSYNC_SANDBOX_GHL_SIGNER_H
#define PHEEDSYNC_SANDBOX_GHL_SIGNER_H

#include "util/err.h"

typedef struct sbx_ghl_signer sbx_ghl_signer;

int sbx_ghl_signer_new(sbx_ghl_signer **out, err *e);
/* The same with the Ed25519 key made from a 32-byte RFC 8032 seed (reproducible demos, test
 * vectors); the RSA key is still fresh. */
int sbx_ghl_signer_new_with_ed25519_seed(sbx_ghl_signer **out, const unsigned char seed[32], err *e);
void sbx_ghl_signer_free(sbx_ghl_signer *s);
/* Both signatures of body, base64, malloc'd (free() them). */
int sbx_ghl_signer_sign(sbx_ghl_signer *s, const char *body, size_t len, char **ed25519_b64,
                    char **rsa_b64, err *e);
/* The public keys as PEM (SubjectPublicKeyInfo), and the Ed25519 one as bare base64 SPKI. */
const char *sbx_ghl_signer_ed25519_pem(const sbx_ghl_signer *s);
const char *sbx_ghl_signer_ed25519_spki_b64(const sbx_ghl_signer *s);
const char *sbx_ghl_signer_rsa_pem(const sbx_ghl_signer *s);

#endif
