/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PSS and OAEP for a card that pads only PKCS#1 v1.5 (LASER, §7): the
 * host encodes (EMSA-PSS) or decodes (EME-OAEP) and the card does the
 * raw RSA operation (PSO 800C).  The encodings are OpenSSL's own
 * RSA_padding_add_PKCS1_PSS_mgf1 and RSA_padding_check_PKCS1_OAEP_mgf1:
 * deprecated in OpenSSL 3 with no EVP replacement for a key the host does
 * not hold, and still the library's code rather than ours.  This file
 * alone uses them, hence the suppression.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "apdu/hash.h"
#include "apdu/rc.h"
#include "driver/laser.h"

int tm_laser_pss_encode(EVP_PKEY *pub, const struct tm_card_op *op, const uint8_t *hash, size_t n,
			uint8_t *em, size_t *em_len)
{
	const RSA *rsa = pub ? EVP_PKEY_get0_RSA(pub) : NULL;
	const EVP_MD *md = tm_hash_md(op->hash), *mgf = op->mgf_hash ? tm_hash_md(op->mgf_hash) : md;

	if (rsa == NULL || md == NULL || mgf == NULL || n != (size_t)EVP_MD_get_size(md))
		return TM_ERR_ARGS;
	size_t k = (size_t)RSA_size(rsa);
	if (*em_len < k)
		return TM_ERR_BUFFER_TOO_SMALL;
	/* salt_len -1: the hash's length (RSA_PSS_SALTLEN_DIGEST). */
	if (RSA_padding_add_PKCS1_PSS_mgf1((RSA *)(uintptr_t)rsa, em, hash, md, mgf,
					   op->salt_len < 0 ? -1 : op->salt_len) != 1)
		return TM_ERR_ARGS;
	*em_len = k;
	return TM_OK;
}

int tm_laser_oaep_decode(EVP_PKEY *pub, const struct tm_card_op *op, const uint8_t *em,
			 size_t em_len, uint8_t *out, size_t *out_len)
{
	const RSA *rsa = pub ? EVP_PKEY_get0_RSA(pub) : NULL;
	/* PKCS#1's default OAEP hash is SHA-1. */
	const EVP_MD *md = tm_hash_md(op->hash ? op->hash : TM_HASH_SHA1);
	const EVP_MD *mgf = op->mgf_hash ? tm_hash_md(op->mgf_hash) : md;

	if (rsa == NULL || md == NULL || mgf == NULL || em_len != (size_t)RSA_size(rsa) ||
	    *out_len > 0x7FFFFFFF)
		return TM_ERR_ARGS;
	int n = RSA_padding_check_PKCS1_OAEP_mgf1(out, (int)*out_len, em, (int)em_len, (int)em_len,
						  op->label, (int)op->label_len, md, mgf);
	if (n < 0)
		return TM_ERR_WRONG_DATA; /* the padding did not check out */
	*out_len = (size_t)n;
	return TM_OK;
}
