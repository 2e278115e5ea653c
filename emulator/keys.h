/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The card's cryptography, all through OpenSSL 3's EVP interface: key
 * generation, signatures and decryption (apdu/pubkey.c encodes public
 * keys).
 * Functions answer with the status word the applet sends.
 */
#ifndef TUMAR_EMU_KEYS_H
#define TUMAR_EMU_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "apdu/buf.h"
#include "apdu/hash.h"
#include "emulator/applet.h"

/* A new key (TM_KEY_RSA with e = 65537, TM_KEY_EC_P256, or a GOST key of
 * TM_KEY_GOST2012_*'s size), or NULL. */
EVP_PKEY *tm_key_generate(uint8_t key_alg, unsigned bits);

/* What GENERATE calls: tm_key_generate, unless a harness that runs the
 * applet thousands of times a second (the fuzzer) hands out keys it made
 * once. */
extern EVP_PKEY *(*tm_key_generator)(uint8_t key_alg, unsigned bits);

/* Signs in with p (TM_ALG_RSA_PKCS1, _PSS, _ECDSA, _GOST). 9000, 6A80 (input
 * or parameters do not fit), 6F00. */
uint16_t tm_key_sign(EVP_PKEY *k, const struct tm_op_params *p,
		     const uint8_t *in, size_t n, struct tm_buf *out);

/* Decrypts in with p (TM_ALG_RSA_DECRYPT_PKCS1, _OAEP). 9000, 6A80. */
uint16_t tm_key_decrypt(EVP_PKEY *k, const struct tm_op_params *p,
			const uint8_t *in, size_t n, struct tm_buf *out);

/* The raw RSA private operation (no padding) on exactly one modulus
 * length of input below the modulus.  9000, 6A80. */
uint16_t tm_key_raw(EVP_PKEY *k, const uint8_t *in, size_t n, struct tm_buf *out);

/* A key pair from named parameters (OSSL_PKEY_PARAM_*), pairwise
 * checked; NULL when the parts do not make one key. */
EVP_PKEY *tm_key_from_params(const char *type, OSSL_PARAM_BLD *bld);


#endif
