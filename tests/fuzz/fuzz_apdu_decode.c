/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Command and response APDU decoding: never reads past the input, and
 * whatever it accepts encodes back to an APDU with the same meaning. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/rc.h"
#include "fuzz.h"

static uint8_t out[TM_APDU_MAX_COMMAND];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tm_apdu a, b;
	bool ext;
	size_t len;

	if (tm_apdu_decode(data, size, &a, &ext) == TM_OK) {
		if (tm_apdu_encode(&a, out, sizeof(out), &len) != TM_OK)
			abort();
		/* The extended form of lengths that fit the short form is
		 * legal but not canonical: only the meaning must survive. */
		if (ext == tm_apdu_is_extended(&a) &&
		    (len != size || memcmp(out, data, size) != 0))
			abort();
		if (tm_apdu_decode(out, len, &b, NULL) != TM_OK || b.nc != a.nc ||
		    b.ne != a.ne || b.ins != a.ins ||
		    (a.nc && memcmp(a.data, b.data, a.nc) != 0))
			abort();
	}

	const uint8_t *rdata;
	size_t rlen;
	uint16_t sw;
	if (tm_rapdu_split(data, size, &rdata, &rlen, &sw) == TM_OK &&
	    rlen + 2 != size)
		abort();
	return 0;
}
