/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: objects on the token (tools/tool_objects.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "apdu/gost.h"
#include "driver/p11_gost.h"
#include "tools/tool_keylist.h"
#include "tools/tool_objects.h"

int tt_find(struct tt_token *t, CK_OBJECT_CLASS cls, const char *label, const unsigned char *id,
	    size_t id_len, CK_OBJECT_HANDLE *out, int max)
{
	CK_ATTRIBUTE tmpl[3] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_ULONG n = 1, found = 0;
	unsigned char want_id[64];
	char want_label[80];
	CK_RV rv;

	if (label != NULL) {
		CK_ULONG len = tt_text(want_label, sizeof(want_label), label);
		tmpl[n++] = (CK_ATTRIBUTE){CKA_LABEL, want_label, len};
	}
	if (id != NULL) {
		if (id_len > sizeof(want_id))
			return 0; /* no token keeps IDs that long */
		memcpy(want_id, id, id_len);
		tmpl[n++] = (CK_ATTRIBUTE){CKA_ID, want_id, id_len};
	}
	rv = t->f->C_FindObjectsInit(t->s, tmpl, n);
	if (rv == CKR_OK) {
		rv = t->f->C_FindObjects(t->s, out, (CK_ULONG)max, &found);
		t->f->C_FindObjectsFinal(t->s);
	}
	if (rv != CKR_OK) {
		if (!tt_note_failure(t, rv))
			tt_fail("looking for objects", rv);
		return -1;
	}
	return (int)found;
}

unsigned char *tt_attr(struct tt_token *t, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, size_t *len)
{
	CK_ATTRIBUTE a = {type, NULL, 0};
	unsigned char *v;

	CK_RV rv;

	*len = 0;
	if ((rv = t->f->C_GetAttributeValue(t->s, h, &a, 1)) != CKR_OK ||
	    a.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
		tt_note_failure(t, rv);
		return NULL;
	}
	if ((v = malloc(a.ulValueLen + 1)) == NULL)
		return NULL;
	a.pValue = v;
	if ((rv = t->f->C_GetAttributeValue(t->s, h, &a, 1)) != CKR_OK) {
		tt_note_failure(t, rv);
		free(v);
		return NULL;
	}
	v[a.ulValueLen] = '\0'; /* so labels read as strings */
	*len = a.ulValueLen;
	return v;
}

void tt_label(struct tt_token *t, CK_OBJECT_HANDLE h, char *out, size_t out_size)
{
	size_t len;
	unsigned char *v = tt_attr(t, h, CKA_LABEL, &len);

	snprintf(out, out_size, "%s", v ? (char *)v : "");
	free(v);
}

void tt_hex(char *out, const unsigned char *id, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
	out[2 * len] = '\0';
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *b)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(b);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *k = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return k;
}

static EVP_PKEY *rsa_pubkey(struct tt_token *t, CK_OBJECT_HANDLE h)
{
	size_t nl, el;
	unsigned char *n = tt_attr(t, h, CKA_MODULUS, &nl), *e = tt_attr(t, h, CKA_PUBLIC_EXPONENT, &el);
	BIGNUM *bn = n ? BN_bin2bn(n, (int)nl, NULL) : NULL, *be = e ? BN_bin2bn(e, (int)el, NULL) : NULL;
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	EVP_PKEY *k = NULL;

	if (bn && be && b && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, be))
		k = from_params("RSA", b);
	OSSL_PARAM_BLD_free(b);
	BN_free(bn);
	BN_free(be);
	free(n);
	free(e);
	return k;
}

static EVP_PKEY *ec_pubkey(struct tt_token *t, CK_OBJECT_HANDLE h)
{
	size_t pl, ql;
	unsigned char *params = tt_attr(t, h, CKA_EC_PARAMS, &pl), *point = tt_attr(t, h, CKA_EC_POINT, &ql);
	const unsigned char *p = params, *q = point;
	ASN1_OBJECT *curve = params ? d2i_ASN1_OBJECT(NULL, &p, (long)pl) : NULL;
	ASN1_OCTET_STRING *os = point ? d2i_ASN1_OCTET_STRING(NULL, &q, (long)ql) : NULL;
	const char *group = curve ? OBJ_nid2sn(OBJ_obj2nid(curve)) : NULL;
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	EVP_PKEY *k = NULL;

	if (group && os && b &&
	    OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, ASN1_STRING_get0_data(os),
					     (size_t)ASN1_STRING_length(os)))
		k = from_params("EC", b);
	OSSL_PARAM_BLD_free(b);
	ASN1_OBJECT_free(curve);
	ASN1_OCTET_STRING_free(os);
	free(params);
	free(point);
	return k;
}

/* A GOST key from CKA_VALUE, x || y little-endian (PKCS#11 2.40 §2.4.6). */
static EVP_PKEY *gost_pubkey(struct tt_token *t, CK_OBJECT_HANDLE h, unsigned bits)
{
	size_t len, n = bits / 8;
	unsigned char *v = tt_attr(t, h, CKA_VALUE, &len);
	uint8_t x[TM_GOST_MAX_BYTES], y[TM_GOST_MAX_BYTES];
	EVP_PKEY *k = NULL;

	if (v != NULL && len == 2 * n) {
		tm_gost_sig_convert(v, n, x); /* to big-endian */
		tm_gost_sig_convert(v + n, n, y);
		tm_gost_pubkey(bits, x, y, &k);
	}
	free(v);
	return k;
}

EVP_PKEY *tt_pubkey(struct tt_token *t, CK_OBJECT_HANDLE pub)
{
	CK_KEY_TYPE kt;
	CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof(kt)};

	if (t->f->C_GetAttributeValue(t->s, pub, &a, 1) != CKR_OK)
		return NULL;
	if (kt == CKK_RSA)
		return rsa_pubkey(t, pub);
	if (kt == CKK_EC)
		return ec_pubkey(t, pub);
	if (kt == CKK_GOSTR3410_512 || kt == CKK_GOSTR3410)
		return gost_pubkey(t, pub, kt == CKK_GOSTR3410_512 ? 512 : 256);
	return NULL;
}

X509 *tt_cert(struct tt_token *t, CK_OBJECT_HANDLE cert)
{
	size_t len;
	unsigned char *der = tt_attr(t, cert, CKA_VALUE, &len);
	const unsigned char *p = der;
	X509 *x = der ? d2i_X509(NULL, &p, (long)len) : NULL;

	free(der);
	return x;
}

int tt_key_pair(struct tt_token *t, const char *label, const unsigned char *id, size_t id_len,
		CK_OBJECT_HANDLE *priv, EVP_PKEY **pub)
{
	CK_OBJECT_HANDLE keys[TT_MAX_OBJECTS], h;
	int n = tt_find(t, CKO_PRIVATE_KEY, id ? NULL : label, id, id_len, keys, TT_MAX_OBJECTS);
	int fresh = 0, pick = -1;

	if (n < 0)
		return t->failed ? tt_token_failure(t) : TT_FAILED;
	if (n == 0) {
		if (t->failed)
			return tt_token_failure(t);
		tt_err("no private key %s%s on the token (make one with tumar-tool keygen)",
		       id ? "with that ID" : "labelled ", id ? "" : label);
		return TT_USAGE;
	}
	for (int i = 0; i < n; i++) {
		size_t len;
		unsigned char *kid = tt_attr(t, keys[i], CKA_ID, &len);
		int certs = kid ? tt_find(t, CKO_CERTIFICATE, NULL, kid, len, &h, 1) : 0;
		free(kid);
		if (certs == 0) {
			fresh++;
			pick = i;
		}
	}
	if (n == 1)
		pick = 0;
	else if (fresh != 1) {
		tt_err("%d keys are labelled %s and %d have no certificate yet: choose one with --id",
		       n, label, fresh);
		static struct tt_key_entry all[TT_MAX_KEYS];
		int match[TT_MAX_KEYS], m = tt_key_list(t, all, TT_MAX_KEYS);
		m = m > 0 ? tt_key_select(all, m, label, NULL, 0, match) : 0;
		tt_key_candidates(all, match, m);
		return TT_USAGE;
	}
	*priv = keys[pick];
	size_t len;
	unsigned char *kid = tt_attr(t, *priv, CKA_ID, &len);
	int m = kid ? tt_find(t, CKO_PUBLIC_KEY, NULL, kid, len, &h, 1) : 0;
	free(kid);
	*pub = m == 1 ? tt_pubkey(t, h) : NULL;
	if (*pub == NULL) {
		if (t->failed)
			return tt_token_failure(t);
		tt_err("the key's public half is not on the token (or unreadable)");
		return TT_FAILED;
	}
	return TT_OK;
}
