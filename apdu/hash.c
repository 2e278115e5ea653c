/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "hash.h"

#include "apdu/protocol.h"

const EVP_MD *tm_hash_md(uint8_t hash)
{
	switch (hash) {
	case TM_HASH_SHA1: return EVP_sha1();
	case TM_HASH_SHA224: return EVP_sha224();
	case TM_HASH_SHA256: return EVP_sha256();
	case TM_HASH_SHA384: return EVP_sha384();
	case TM_HASH_SHA512: return EVP_sha512();
	default: return NULL;
	}
}
