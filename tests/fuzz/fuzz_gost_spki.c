/* The GOST SubjectPublicKeyInfo reader (apdu/gost.c): never crashes, and
 * a key it accepts gives back a point that makes the same key. */
#include <config.h>

#include <stdlib.h>

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
	EVP_PKEY_free(k);
	return 0;
}
