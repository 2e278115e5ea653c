/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The GOST SubjectPublicKeyInfo reader and writer (apdu/gost.c): the
 * reader never crashes; a key it accepts gives back a point that makes the
 * same key, and written again with either OID family (the NCA's, as a
 * request carries it, or TC26's) it reads back as the same key. */
#include <config.h>

#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "apdu/gost.h"
#include "apdu/rc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	EVP_PKEY *k = NULL, *again = NULL;
	uint8_t x[TM_GOST_MAX_BYTES], y[TM_GOST_MAX_BYTES];
	unsigned bits = 0, b2 = 0;

	if (tm_gost_pubkey_from_spki(data, size, &k, &bits) != TM_OK)
		return 0;
	if (tm_gost_point(k, x, y, &b2) != TM_OK || b2 != bits ||
	    tm_gost_pubkey(bits, x, y, &again) != TM_OK || EVP_PKEY_eq(k, again) != 1)
		abort();
	EVP_PKEY_free(again);
	for (int nca = 0; nca < 2; nca++) {
		X509_PUBKEY *xp = X509_PUBKEY_new();
		unsigned char *der = NULL;
		int n;
		if (xp == NULL || tm_gost_x509_pubkey(k, nca, xp) != TM_OK ||
		    (n = i2d_X509_PUBKEY(xp, &der)) <= 0 ||
		    tm_gost_pubkey_from_spki(der, (size_t)n, &again, &b2) != TM_OK || b2 != bits ||
		    EVP_PKEY_eq(k, again) != 1)
			abort();
		EVP_PKEY_free(again);
		OPENSSL_free(der);
		X509_PUBKEY_free(xp);
	}
	EVP_PKEY_free(k);
	return 0;
}
