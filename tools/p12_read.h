/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tumar-tool: a PKCS#12 key store as the NCA hands it out (the file
 * "Personal computer" store, RSA_*.p12, AUTH_RSA_*.p12, GOST512_*.p12):
 * its MAC checked with the password, its bags decrypted by OpenSSL
 * (SHA-1 MAC, 3DES key bags, RC2-40 certificate bags: the legacy
 * provider), its keys read by tools/p12_key.h.  Everything stays in
 * memory; the keys are wiped when the store is freed.
 */
#ifndef TUMAR_TOOLS_P12_READ_H
#define TUMAR_TOOLS_P12_READ_H

#include <stddef.h>

#include <openssl/x509.h>

#include "tools/p12_key.h"

#define TT_P12_MAX_KEYS 8

struct tt_p12 {
	struct tt_p12_key keys[TT_P12_MAX_KEYS];
	int n_keys;
	STACK_OF(X509) *certs; /* every certificate in the store */
};

/* Reads a store.  TM_OK; TM_ERR_PIN_INCORRECT when the password does not
 * open it (its MAC does not verify); TM_ERR_MALFORMED or another error
 * with *why a sentence for the user.  Free s with tt_p12_free either way. */
int tt_p12_read(const unsigned char *der, size_t len, const char *password, struct tt_p12 *s,
		const char **why);
void tt_p12_free(struct tt_p12 *s);

#endif
