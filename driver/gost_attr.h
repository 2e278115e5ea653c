/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PKCS#11's view of a GOST R 34.10-2012 key (PKCS#11 2.40 §2.4.6 and the
 * TC26 extension, ../shared/kz-gost.md): CKA_GOSTR3410_PARAMS and
 * CKA_GOSTR3411_PARAMS as DER OIDs, CKA_VALUE of a public key as
 * x || y little-endian.  The card's keys are on TC26 parameter set A. */
#ifndef TUMAR_DRIVER_GOST_ATTR_H
#define TUMAR_DRIVER_GOST_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "driver/p11.h"

/* The TM_KEY_* of a GOST key size, and back (0 for neither). */
uint8_t tm_gost_key_alg(unsigned bits);
unsigned tm_gost_key_bits(uint8_t key_alg);

/* DER of the parameter set's OID (TC26 set A of this size), or with
 * hash true of Streebog's of this size; its length, 0 when cap is short. */
size_t tm_gost_attr_oid(unsigned bits, bool hash, uint8_t *out, size_t cap);

/* The key size a CKA_GOSTR3410_PARAMS value names: TC26's set A or the
 * NCA's OID for it; 0 for anything else. */
unsigned tm_gost_attr_params_bits(const CK_ATTRIBUTE *a);
/* Whether a CKA_GOSTR3411_PARAMS value names Streebog of this size. */
bool tm_gost_attr_hash_is(const CK_ATTRIBUTE *a, unsigned bits);

/* CKA_VALUE of a GOST public key: x || y, little-endian; its length, or
 * 0 when k is not a GOST key or cap is short. */
size_t tm_gost_attr_value(EVP_PKEY *k, uint8_t *out, size_t cap);

#endif
