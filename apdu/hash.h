/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The protocol's hash numbers (TM_HASH_*) as OpenSSL digests, for both
 * the card side (signatures, OAEP) and the host (PSS and OAEP padding). */
#ifndef TUMAR_APDU_HASH_H
#define TUMAR_APDU_HASH_H

#include <stdint.h>

#include <openssl/evp.h>

/* The EVP_MD of a TM_HASH_* value, or NULL. */
const EVP_MD *tm_hash_md(uint8_t hash);

#endif
