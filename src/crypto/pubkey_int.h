/* pubkey_int.h: the inside of crypto_pubkey, shared by the loader and the verifier. */
#ifndef PHEEDSYNC_CRYPTO_PUBKEY_INT_H
#define PHEEDSYNC_CRYPTO_PUBKEY_INT_H

#include "crypto/verify.h"

#include <openssl/evp.h>

struct crypto_pubkey {
    EVP_PKEY *pkey; /* Ed25519 or RSA, public part only */
};

#endif
