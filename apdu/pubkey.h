/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The protocol's public key template, ISO 7816-8 7F49: {81 modulus,
 * 82 exponent} for RSA, {86 uncompressed point} for EC P-256, {06 TC26 key
 * OID, 86 uncompressed point} for GOST (apdu/gost.h), to and from OpenSSL
 * keys.  The emulator writes it; the driver and tools read it.
 */
#ifndef TUMAR_APDU_PUBKEY_H
#define TUMAR_APDU_PUBKEY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "apdu/buf.h"

/* Appends 7F49 {...} for an RSA, P-256 or GOST key; errors stick to out. */
void tm_pubkey_encode(EVP_PKEY *key, struct tm_buf *out);

/* The first 7F49 in buf, as a public key.  TM_OK, TM_ERR_NOT_FOUND (no
 * 7F49), TM_ERR_MALFORMED (not a valid RSA, P-256 or GOST public key). */
int tm_pubkey_decode(const uint8_t *buf, size_t len, EVP_PKEY **out);

/* An RSA public key from its modulus and exponent (big-endian), built
 * engine-safe as tm_pubkey_decode builds it; NULL unless 1024 to 4096
 * bits with an odd exponent. */
EVP_PKEY *tm_pubkey_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len);

#endif
