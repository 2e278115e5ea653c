/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public key template decoder: never crashes, and a key it accepts
 * encodes back to a template that decodes to the same key. */
#include <config.h>

#include <stdlib.h>

#include "apdu/buf.h"
#include "apdu/pubkey.h"
#include "apdu/rc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	EVP_PKEY *k, *again;
	struct tm_buf b;

	if (tm_pubkey_decode(data, size, &k) != TM_OK)
		return 0;
	tm_buf_init_dynamic(&b, 4096);
	tm_pubkey_encode(k, &b);
	if (!tm_buf_ok(&b) || tm_pubkey_decode(b.data, b.len, &again) != TM_OK ||
	    EVP_PKEY_eq(k, again) != 1)
		abort();
	EVP_PKEY_free(again);
	EVP_PKEY_free(k);
	tm_buf_free(&b);
	return 0;
}
