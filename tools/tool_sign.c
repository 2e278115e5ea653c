/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: signatures made by a key on the token, in the form X.509
 * and `openssl dgst -verify` take, or for GOST the NCA's
 * (tools/tool_keys.h). */
#include <config.h>

#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "apdu/gost.h"
#include "driver/p11_gost.h"
#include "tools/tool_keys.h"

/* The card's ECDSA signature is r ‖ s; X.509 and OpenSSL want the DER
 * SEQUENCE. */
static unsigned char *ecdsa_der(const unsigned char *rs, size_t len, int *der_len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)(len / 2), NULL), *s = BN_bin2bn(rs + len / 2, (int)(len / 2), NULL);
	unsigned char *der = NULL;

	if (sig != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(sig, r, s) == 1) {
		r = s = NULL;
		*der_len = i2d_ECDSA_SIG(sig, &der);
		if (*der_len <= 0)
			der = NULL;
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return der;
}

int tt_sign_begin(struct tt_token *t, CK_OBJECT_HANDLE priv, enum tt_alg alg)
{
	static const CK_MECHANISM_TYPE types[TT_N_ALGS] = {
		[TT_RSA2048] = CKM_SHA256_RSA_PKCS, [TT_EC_P256] = CKM_ECDSA_SHA256,
		[TT_GOST512] = CKM_GOSTR3410_WITH_GOSTR3411_12_512,
		[TT_GOST256] = CKM_GOSTR3410_WITH_GOSTR3411_12_256,
	};
	CK_MECHANISM mech = {types[alg], NULL, 0};
	CK_RV rv = t->f->C_SignInit(t->s, &mech, priv);

	return rv == CKR_OK ? TT_OK : tt_fail("starting a signature on the token", rv);
}

int tt_sign_update(struct tt_token *t, unsigned char *data, size_t len)
{
	CK_RV rv = t->f->C_SignUpdate(t->s, data, (CK_ULONG)len);

	return rv == CKR_OK ? TT_OK : tt_fail("signing on the token", rv);
}

int tt_sign_finish(struct tt_token *t, enum tt_alg alg, bool nca, unsigned char **sig,
		   int *sig_len)
{
	CK_ULONG len = 0;
	unsigned char *raw = NULL;
	CK_RV rv = t->f->C_SignFinal(t->s, NULL, &len);

	*sig = NULL;
	if (rv == CKR_OK && (raw = OPENSSL_malloc(len ? len : 1)) == NULL)
		rv = CKR_HOST_MEMORY;
	if (rv == CKR_OK)
		rv = t->f->C_SignFinal(t->s, raw, &len);
	if (rv != CKR_OK) {
		OPENSSL_free(raw);
		return tt_fail("signing on the token", rv);
	}
	if (alg != TT_EC_P256) {
		/* PKCS#11 gives GOST in RFC 4491's layout; the NCA's is its
		 * byte reversal. */
		if (tt_alg_is_gost(alg) && nca)
			tm_gost_sig_convert(raw, len, raw);
		*sig = raw;
		*sig_len = (int)len;
		return TT_OK;
	}
	*sig = ecdsa_der(raw, len, sig_len);
	OPENSSL_free(raw);
	if (*sig == NULL) {
		tt_err("the token's ECDSA signature could not be encoded");
		return TT_FAILED;
	}
	return TT_OK;
}
