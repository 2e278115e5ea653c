/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mechanisms the module offers, as one table: what each one does on
 * the host (hashing, verifying, encrypting with the public key) and on
 * the card (signing, decrypting). */
#ifndef TUMAR_DRIVER_MECH_H
#define TUMAR_DRIVER_MECH_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "driver/p11.h"
#include "driver/token.h"

struct tm_mech {
	CK_MECHANISM_TYPE type;
	uint8_t key_alg;       /* TM_KEY_*, 0 for digests */
	CK_FLAGS flags;        /* CKF_SIGN, CKF_DECRYPT, ... (CKF_HW added for card work) */
	const char *md;        /* the host hash, or NULL */
	unsigned streebog;     /* or Streebog of this size (gost-engine, apdu/gost.h) */
	uint8_t card_alg;      /* TM_ALG_* for signing on the card */
	uint8_t card_dec_alg;  /* TM_ALG_* for decrypting on the card */
	bool digest_info;      /* RSA PKCS#1 v1.5 over a DigestInfo */
	bool pss, oaep;
};

/* NULL for a type the module does not know, and for the GOST ones when
 * gost-engine is not installed. */
const struct tm_mech *tm_mech_find(CK_MECHANISM_TYPE type);

/* A GOST key or Streebog mechanism (those need gost-engine). */
bool tm_mech_is_gost(const struct tm_mech *m);

/* An EVP_MD_CTX set up for the mechanism's host hash: TM_OK or a tm_rc. */
int tm_mech_digest_init(const struct tm_mech *m, EVP_MD_CTX *ctx);

/* The mechanisms a token offers, by its algorithms; *n in, count out. */
CK_RV tm_mech_list(const struct tm_token *t, CK_MECHANISM_TYPE *list, CK_ULONG *n);
CK_RV tm_mech_info(const struct tm_token *t, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info);

/* The protocol's hash number for a CKM_SHA* / CKG_MGF1_* value, or 0. */
uint8_t tm_mech_hash_of(CK_MECHANISM_TYPE hash);
uint8_t tm_mech_hash_of_mgf(CK_RSA_PKCS_MGF_TYPE mgf);

#endif
