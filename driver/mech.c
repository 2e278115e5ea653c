/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "mech.h"

#include <string.h>

#include "apdu/gost.h"
#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "driver/p11_gost.h"

#define SV (CKF_SIGN | CKF_VERIFY)
#define ED (CKF_ENCRYPT | CKF_DECRYPT)

static const struct tm_mech mechs[] = {
	{.type = CKM_RSA_PKCS_KEY_PAIR_GEN, .key_alg = TM_KEY_RSA, .flags = CKF_GENERATE_KEY_PAIR},
	{.type = CKM_EC_KEY_PAIR_GEN, .key_alg = TM_KEY_EC_P256, .flags = CKF_GENERATE_KEY_PAIR},
	{.type = CKM_RSA_PKCS, .key_alg = TM_KEY_RSA, .flags = SV | ED, .card_alg = TM_ALG_RSA_PKCS1,
	 .card_dec_alg = TM_ALG_RSA_DECRYPT_PKCS1},
	{.type = CKM_SHA1_RSA_PKCS, .key_alg = TM_KEY_RSA, .flags = SV, .md = "SHA1",
	 .card_alg = TM_ALG_RSA_PKCS1, .digest_info = true},
	{.type = CKM_SHA224_RSA_PKCS, .key_alg = TM_KEY_RSA, .flags = SV, .md = "SHA224",
	 .card_alg = TM_ALG_RSA_PKCS1, .digest_info = true},
	{.type = CKM_SHA256_RSA_PKCS, .key_alg = TM_KEY_RSA, .flags = SV, .md = "SHA256",
	 .card_alg = TM_ALG_RSA_PKCS1, .digest_info = true},
	{.type = CKM_SHA384_RSA_PKCS, .key_alg = TM_KEY_RSA, .flags = SV, .md = "SHA384",
	 .card_alg = TM_ALG_RSA_PKCS1, .digest_info = true},
	{.type = CKM_SHA512_RSA_PKCS, .key_alg = TM_KEY_RSA, .flags = SV, .md = "SHA512",
	 .card_alg = TM_ALG_RSA_PKCS1, .digest_info = true},
	{.type = CKM_RSA_PKCS_PSS, .key_alg = TM_KEY_RSA, .flags = SV, .card_alg = TM_ALG_RSA_PSS,
	 .pss = true},
	{.type = CKM_SHA1_RSA_PKCS_PSS, .key_alg = TM_KEY_RSA, .flags = SV, .md = "SHA1",
	 .card_alg = TM_ALG_RSA_PSS, .pss = true},
	{.type = CKM_SHA224_RSA_PKCS_PSS, .key_alg = TM_KEY_RSA, .flags = SV, .md = "SHA224",
	 .card_alg = TM_ALG_RSA_PSS, .pss = true},
	{.type = CKM_SHA256_RSA_PKCS_PSS, .key_alg = TM_KEY_RSA, .flags = SV, .md = "SHA256",
	 .card_alg = TM_ALG_RSA_PSS, .pss = true},
	{.type = CKM_SHA384_RSA_PKCS_PSS, .key_alg = TM_KEY_RSA, .flags = SV, .md = "SHA384",
	 .card_alg = TM_ALG_RSA_PSS, .pss = true},
	{.type = CKM_SHA512_RSA_PKCS_PSS, .key_alg = TM_KEY_RSA, .flags = SV, .md = "SHA512",
	 .card_alg = TM_ALG_RSA_PSS, .pss = true},
	{.type = CKM_RSA_PKCS_OAEP, .key_alg = TM_KEY_RSA, .flags = ED,
	 .card_dec_alg = TM_ALG_RSA_DECRYPT_OAEP, .oaep = true},
	{.type = CKM_ECDSA, .key_alg = TM_KEY_EC_P256, .flags = SV, .card_alg = TM_ALG_ECDSA},
	{.type = CKM_ECDSA_SHA1, .key_alg = TM_KEY_EC_P256, .flags = SV, .md = "SHA1", .card_alg = TM_ALG_ECDSA},
	{.type = CKM_ECDSA_SHA224, .key_alg = TM_KEY_EC_P256, .flags = SV, .md = "SHA224", .card_alg = TM_ALG_ECDSA},
	{.type = CKM_ECDSA_SHA256, .key_alg = TM_KEY_EC_P256, .flags = SV, .md = "SHA256", .card_alg = TM_ALG_ECDSA},
	{.type = CKM_ECDSA_SHA384, .key_alg = TM_KEY_EC_P256, .flags = SV, .md = "SHA384", .card_alg = TM_ALG_ECDSA},
	{.type = CKM_ECDSA_SHA512, .key_alg = TM_KEY_EC_P256, .flags = SV, .md = "SHA512", .card_alg = TM_ALG_ECDSA},
	/* GOST R 34.10-2012: the raw ones sign a digest the caller made; the
	 * others hash with Streebog on the host.  PKCS#11's names for 256
	 * bits, TC26's for 512 and Streebog (driver/p11_gost.h). */
	{.type = CKM_GOSTR3410_KEY_PAIR_GEN, .key_alg = TM_KEY_GOST2012_256,
	 .flags = CKF_GENERATE_KEY_PAIR},
	{.type = CKM_GOSTR3410_512_KEY_PAIR_GEN, .key_alg = TM_KEY_GOST2012_512,
	 .flags = CKF_GENERATE_KEY_PAIR},
	{.type = CKM_GOSTR3410, .key_alg = TM_KEY_GOST2012_256, .flags = SV, .card_alg = TM_ALG_GOST},
	{.type = CKM_GOSTR3410_512, .key_alg = TM_KEY_GOST2012_512, .flags = SV,
	 .card_alg = TM_ALG_GOST},
	{.type = CKM_GOSTR3410_WITH_GOSTR3411_12_256, .key_alg = TM_KEY_GOST2012_256, .flags = SV,
	 .streebog = 256, .card_alg = TM_ALG_GOST},
	{.type = CKM_GOSTR3410_WITH_GOSTR3411_12_512, .key_alg = TM_KEY_GOST2012_512, .flags = SV,
	 .streebog = 512, .card_alg = TM_ALG_GOST},
	{.type = CKM_SHA_1, .flags = CKF_DIGEST, .md = "SHA1"},
	{.type = CKM_SHA224, .flags = CKF_DIGEST, .md = "SHA224"},
	{.type = CKM_SHA256, .flags = CKF_DIGEST, .md = "SHA256"},
	{.type = CKM_SHA384, .flags = CKF_DIGEST, .md = "SHA384"},
	{.type = CKM_SHA512, .flags = CKF_DIGEST, .md = "SHA512"},
	{.type = CKM_GOSTR3411_12_256, .flags = CKF_DIGEST, .streebog = 256},
	{.type = CKM_GOSTR3411_12_512, .flags = CKF_DIGEST, .streebog = 512},
};

#define N_MECHS (sizeof(mechs) / sizeof(mechs[0]))

bool tm_mech_is_gost(const struct tm_mech *m)
{
	return m->streebog != 0 || m->key_alg == TM_KEY_GOST2012_256 ||
	       m->key_alg == TM_KEY_GOST2012_512;
}

/* The GOST mechanisms exist only where gost-engine loads. */
static bool usable(const struct tm_mech *m)
{
	return !tm_mech_is_gost(m) || tm_gost_available();
}

const struct tm_mech *tm_mech_find(CK_MECHANISM_TYPE type)
{
	for (size_t i = 0; i < N_MECHS; i++)
		if (mechs[i].type == type)
			return usable(&mechs[i]) ? &mechs[i] : NULL;
	return NULL;
}

int tm_mech_digest_init(const struct tm_mech *m, EVP_MD_CTX *ctx)
{
	if (m->streebog)
		return tm_gost_digest_init(ctx, m->streebog);
	const EVP_MD *md = m->md ? EVP_get_digestbyname(m->md) : NULL;
	return md != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1 ? TM_OK : TM_ERR_NOT_FOUND;
}

static bool token_has(const struct tm_token *t, uint8_t key_alg, CK_ULONG *min, CK_ULONG *max)
{
	for (size_t i = 0; i < t->info.n_algs; i++) {
		if (t->info.algs[i].key_alg == key_alg) {
			*min = t->info.algs[i].min_bits;
			*max = t->info.algs[i].max_bits;
			return true;
		}
	}
	return false;
}

CK_RV tm_mech_list(const struct tm_token *t, CK_MECHANISM_TYPE *list, CK_ULONG *n)
{
	CK_ULONG count = 0, min, max;

	for (size_t i = 0; i < N_MECHS; i++) {
		if ((mechs[i].key_alg && !token_has(t, mechs[i].key_alg, &min, &max)) ||
		    !usable(&mechs[i]))
			continue;
		if (list != NULL && count < *n)
			list[count] = mechs[i].type;
		count++;
	}
	CK_RV rv = list != NULL && count > *n ? CKR_BUFFER_TOO_SMALL : CKR_OK;
	*n = count;
	return rv;
}

CK_RV tm_mech_info(const struct tm_token *t, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info)
{
	const struct tm_mech *m = tm_mech_find(type);
	CK_ULONG min = 0, max = 0;

	if (m == NULL || (m->key_alg && !token_has(t, m->key_alg, &min, &max)))
		return CKR_MECHANISM_INVALID;
	info->ulMinKeySize = min;
	info->ulMaxKeySize = max;
	/* Signing, decrypting and key generation happen on the card; the
	 * rest (verify, encrypt, digest) on the host with OpenSSL. */
	info->flags = m->flags;
	if (m->flags & (CKF_SIGN | CKF_DECRYPT | CKF_GENERATE_KEY_PAIR))
		info->flags |= CKF_HW;
	if (m->key_alg == TM_KEY_EC_P256)
		info->flags |= CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
	return CKR_OK;
}

uint8_t tm_mech_hash_of(CK_MECHANISM_TYPE hash)
{
	switch (hash) {
	case CKM_SHA_1: return TM_HASH_SHA1;
	case CKM_SHA224: return TM_HASH_SHA224;
	case CKM_SHA256: return TM_HASH_SHA256;
	case CKM_SHA384: return TM_HASH_SHA384;
	case CKM_SHA512: return TM_HASH_SHA512;
	default: return 0;
	}
}

uint8_t tm_mech_hash_of_mgf(CK_RSA_PKCS_MGF_TYPE mgf)
{
	switch (mgf) {
	case CKG_MGF1_SHA1: return TM_HASH_SHA1;
	case CKG_MGF1_SHA224: return TM_HASH_SHA224;
	case CKG_MGF1_SHA256: return TM_HASH_SHA256;
	case CKG_MGF1_SHA384: return TM_HASH_SHA384;
	case CKG_MGF1_SHA512: return TM_HASH_SHA512;
	default: return 0;
	}
}
