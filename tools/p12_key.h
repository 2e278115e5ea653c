/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tumar-tool: the private key of a key-store bag (PKCS#8), read the way
 * the NCA writes it.  RSA keys are OpenSSL's to read; a GOST key carries
 * the NCA's algorithm OID (1.2.398.3.10.1.1.2.x), which OpenSSL does not
 * know, so its OID and parameter set are mapped here to TC26's and its
 * scalar is read in the forms gost-engine and KalkanCrypt write
 * (../shared/kz-gost.md).
 */
#ifndef TUMAR_TOOLS_P12_KEY_H
#define TUMAR_TOOLS_P12_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "apdu/gost.h"

struct tt_p12_key {
	EVP_PKEY *key;                   /* the key pair (RSA or GOST) */
	unsigned gost_bits;              /* a GOST key's size, else 0 */
	uint8_t gost_d[TM_GOST_MAX_BYTES]; /* its scalar, big-endian, gost_bits / 8 */
};

/* Reads p8 into k.  TM_OK; TM_ERR_MALFORMED for a GOST key that breaks
 * its format (a parameter set other than A, a scalar out of range, a
 * masked CryptoPro key); TM_ERR_FUNC_NOT_SUPPORTED for an algorithm the
 * NCA does not issue (neither RSA nor GOST R 34.10-2015); TM_ERR_NOT_FOUND
 * without gost-engine.  why (may be NULL) gets a sentence for the user. */
int tt_p12_key_read(const PKCS8_PRIV_KEY_INFO *p8, struct tt_p12_key *k, const char **why);

/* Frees the key and wipes the scalar. */
void tt_p12_key_clear(struct tt_p12_key *k);

/* The size of a GOST key algorithm OID, the NCA's or TC26's (256 or 512),
 * else 0. */
unsigned tt_gost_key_oid_bits(const ASN1_OBJECT *alg);

#endif
