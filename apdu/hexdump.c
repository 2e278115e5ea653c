/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "hexdump.h"

#include <openssl/crypto.h>

#include "rc.h"

int tm_hexdump_pairs(const char *p, size_t len, size_t n, uint8_t *out)
{
	if (n > 0 && len < 3 * n - 1)
		return TM_ERR_MALFORMED;
	/* All checked before any is written: a line that fails leaves no
	 * bytes of it behind (they may be a PIN's). */
	for (size_t i = 0; i < n; i++)
		if (OPENSSL_hexchar2int((unsigned char)p[3 * i]) < 0 ||
		    OPENSSL_hexchar2int((unsigned char)p[3 * i + 1]) < 0 ||
		    (3 * i + 2 < len && p[3 * i + 2] != ' '))
			return TM_ERR_MALFORMED;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(OPENSSL_hexchar2int((unsigned char)p[3 * i]) << 4 |
				   OPENSSL_hexchar2int((unsigned char)p[3 * i + 1]));
	return TM_OK;
}
