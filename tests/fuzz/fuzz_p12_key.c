/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The key-store key reader's OID mapping (tools/p12_key.c): any PKCS#8
 * never crashes it; a GOST key it accepts has a scalar in range whose
 * key pair is the one it gives, and an RSA key it accepts is RSA. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "apdu/gost.h"
#include "apdu/rc.h"
#include "fuzz.h"
#include "tools/p12_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)size);
	struct tt_p12_key k;
	uint8_t x[TM_GOST_MAX_BYTES], y[TM_GOST_MAX_BYTES], x2[TM_GOST_MAX_BYTES],
		y2[TM_GOST_MAX_BYTES];
	unsigned bits;

	if (p8 == NULL)
		return 0;
	if (tt_p12_key_read(p8, &k, NULL) == TM_OK) {
		if (k.gost_bits) {
			EVP_PKEY *again = NULL;
			if (tm_gost_from_scalar(k.gost_bits, k.gost_d, k.gost_bits / 8, &again) != TM_OK ||
			    tm_gost_point(k.key, x, y, &bits) != TM_OK || bits != k.gost_bits ||
			    tm_gost_point(again, x2, y2, &bits) != TM_OK ||
			    memcmp(x, x2, bits / 8) != 0 || memcmp(y, y2, bits / 8) != 0)
				abort();
			EVP_PKEY_free(again);
		} else if (k.key == NULL || !EVP_PKEY_is_a(k.key, "RSA")) {
			abort();
		}
	} else if (k.key != NULL) {
		abort(); /* a refusal leaves nothing behind */
	}
	tt_p12_key_clear(&k);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return 0;
}
