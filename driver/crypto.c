/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signing, verifying, encryption, decryption, digests and random numbers
 * (PKCS#11 2.40 §5.10-5.15).  The card signs and decrypts; the host
 * hashes, verifies and encrypts with OpenSSL.  Size queries are answered
 * before any card operation. */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "apdu/gost.h"
#include "apdu/rc.h"
#include "driver/ckr.h"
#include "driver/gost_attr.h"
#include "driver/log.h"
#include "driver/mech.h"
#include "driver/module.h"
#include "driver/object.h"
#include "driver/session_object.h"

static const CK_FLAGS kind_flag[TM_OP_KINDS] = {
	[TM_OP_SIGN] = CKF_SIGN, [TM_OP_VERIFY] = CKF_VERIFY, [TM_OP_ENCRYPT] = CKF_ENCRYPT,
	[TM_OP_DECRYPT] = CKF_DECRYPT, [TM_OP_DIGEST] = CKF_DIGEST,
};

static void op_end(struct tm_op_state *op)
{
	EVP_MD_CTX_free(op->md);
	EVP_PKEY_free(op->pub);
	OPENSSL_cleanse(op, sizeof(*op));
}

/* The operation goes on as single-part (the one-shot call) or as
 * multi-part (Update, Final), as its first call after Init made it; the
 * other kind of call answers CKR_OPERATION_ACTIVE.  That ends it, as
 * every error but CKR_BUFFER_TOO_SMALL does (§5.11 C_Sign, C_SignFinal:
 * "always terminates the active signing operation unless it returns
 * CKR_BUFFER_TOO_SMALL or is a successful call to determine the length";
 * the same in §5.8-5.12) -- and pkcs11-tool's own test counts on it: a
 * C_SignFinal after a C_Sign, then C_SignInit again. */
static CK_RV take_part(struct tm_op_state *op, bool one_shot)
{
	if (one_shot ? op->multi : op->single) {
		op_end(op);
		return CKR_OPERATION_ACTIVE;
	}
	if (one_shot)
		op->single = true;
	else
		op->multi = true;
	return CKR_OK;
}

/* The card algorithm's parameters from the mechanism's (PSS, OAEP). */
static CK_RV take_params(struct tm_op_state *op, enum tm_op_kind kind, const CK_MECHANISM *m)
{
	const struct tm_mech *mech = op->mech;

	op->card_op.alg = kind == TM_OP_DECRYPT ? mech->card_dec_alg : mech->card_alg;
	op->card_op.salt_len = -1;
	if (mech->pss) {
		const CK_RSA_PKCS_PSS_PARAMS *p = m->pParameter;
		if (p == NULL || m->ulParameterLen != sizeof(*p))
			return CKR_MECHANISM_PARAM_INVALID;
		op->card_op.hash = tm_mech_hash_of(p->hashAlg);
		op->card_op.mgf_hash = tm_mech_hash_of_mgf(p->mgf);
		/* The mechanism's own hash and the parameter's must agree. */
		const struct tm_mech *h = tm_mech_find(p->hashAlg);
		if (!op->card_op.hash || !op->card_op.mgf_hash || p->sLen > 512 ||
		    (mech->md && (h == NULL || strcmp(h->md, mech->md) != 0)))
			return CKR_MECHANISM_PARAM_INVALID;
		op->card_op.salt_len = (int)p->sLen;
	} else if (mech->oaep) {
		const CK_RSA_PKCS_OAEP_PARAMS *p = m->pParameter;
		if (p == NULL || m->ulParameterLen != sizeof(*p))
			return CKR_MECHANISM_PARAM_INVALID;
		op->card_op.hash = tm_mech_hash_of(p->hashAlg);
		op->card_op.mgf_hash = tm_mech_hash_of_mgf(p->mgf);
		if (!op->card_op.hash || !op->card_op.mgf_hash ||
		    (p->source != 0 && p->source != CKZ_DATA_SPECIFIED) ||
		    p->ulSourceDataLen > sizeof(op->label) ||
		    (p->ulSourceDataLen && p->pSourceData == NULL))
			return CKR_MECHANISM_PARAM_INVALID;
		if (p->ulSourceDataLen)
			memcpy(op->label, p->pSourceData, p->ulSourceDataLen);
		op->card_op.label = op->label;
		op->card_op.label_len = p->ulSourceDataLen;
	} else if (m->ulParameterLen != 0) {
		return CKR_MECHANISM_PARAM_INVALID;
	}
	return CKR_OK;
}

/* A key handle that finds nothing: if it names a private key and nobody
 * is logged in (the login was lost, say to a reset by another
 * application), say that, so the application logs in again. */
static CK_RV missing_key(const struct tm_slot *slot, const struct tm_token *t, CK_OBJECT_HANDLE h)
{
	uint16_t ref;
	enum tm_view view;

	if (!t->user_in && tm_handle_split(h, (CK_SLOT_ID)(slot - tm_mod.slots), &ref, &view) &&
	    view == TM_VIEW_PRIVATE)
		return CKR_USER_NOT_LOGGED_IN;
	return CKR_KEY_HANDLE_INVALID;
}

/* A signature or decryption by the card's key: one APDU, sent without a
 * PC/SC transaction when the key is cached (tm_token_begin_bare).  A
 * reset by another application seen there is taken back and the
 * operation tried once more; the card then says whether we are still
 * logged in.  *rv gets CKR_OK or the key's absence; the return is the
 * card's tm_rc. */
static int key_op(struct tm_slot *slot, CK_OBJECT_HANDLE key, bool decrypt,
		  const struct tm_card_op *cop, const uint8_t *in, size_t n, uint8_t *out,
		  size_t *out_len, CK_RV *rv)
{
	struct tm_token *t = slot->token;
	size_t cap = *out_len;
	enum tm_view view;
	int rc = tm_token_begin_bare(t);

	for (int attempt = 0; rc == TM_OK && attempt < 2; attempt++) {
		struct tm_card_object *o = tm_object_get(slot, key, &view);
		if (o == NULL) {
			*rv = missing_key(slot, t, key);
			tm_token_end(t);
			return TM_OK;
		}
		*out_len = cap;
		rc = (decrypt ? t->drv->decrypt : t->drv->sign)(t, o->ref, cop, in, n, out, out_len);
		bool again = rc == TM_ERR_CARD_RESET && t->bare_reset && attempt == 0;
		tm_token_end(t);
		if (!again)
			return rc;
		rc = tm_token_begin(t); /* takes the card back */
	}
	return rc;
}

/* A session public key (session_object.c) for verifying or encrypting
 * on the host: its OpenSSL key goes into the operation. */
static CK_RV session_key(struct tm_slot *slot, enum tm_op_kind kind, CK_OBJECT_HANDLE hKey,
			 struct tm_op_state *op)
{
	struct tm_session_object *o = tm_sobj_get(slot, hKey, slot->token->user_in);
	uint8_t alg = 0;
	EVP_PKEY *pub = o ? tm_sobj_public_key(o, &alg) : NULL;
	CK_RV rv = CKR_OK;

	if (pub == NULL)
		rv = CKR_KEY_HANDLE_INVALID;
	else if (kind == TM_OP_SIGN || kind == TM_OP_DECRYPT)
		rv = CKR_KEY_TYPE_INCONSISTENT; /* a public key does not sign */
	else if (alg != op->mech->key_alg)
		rv = CKR_KEY_TYPE_INCONSISTENT;
	else if (!tm_sobj_allows(o, kind == TM_OP_VERIFY ? CKA_VERIFY : CKA_ENCRYPT))
		rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
	if (rv != CKR_OK) {
		EVP_PKEY_free(pub);
		return rv;
	}
	op->key = hKey;
	op->pub = pub;
	return CKR_OK;
}

static CK_RV op_init(CK_SESSION_HANDLE h, enum tm_op_kind kind, const CK_MECHANISM *m,
		     CK_OBJECT_HANDLE hKey)
{
	struct tm_session *se;
	struct tm_slot *slot;
	enum tm_view view;
	CK_RV rv;

	if ((rv = tm_session_begin(h, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_op_state *op = &se->ops[kind];
	struct tm_token *t = slot->token;
	const struct tm_mech *mech = m ? tm_mech_find(m->mechanism) : NULL;
	if (m == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (op->active)
		rv = CKR_OPERATION_ACTIVE;
	else if (mech == NULL || !(mech->flags & kind_flag[kind]))
		rv = CKR_MECHANISM_INVALID;
	if (rv != CKR_OK) {
		tm_session_end(slot);
		return rv;
	}
	memset(op, 0, sizeof(*op));
	op->mech = mech;
	if (kind != TM_OP_DIGEST && tm_sobj_handle(hKey)) {
		rv = session_key(slot, kind, hKey, op);
		if (rv == CKR_OK)
			rv = take_params(op, kind, m);
	} else if (kind != TM_OP_DIGEST) {
		/* A cached key is looked up without the card or pcscd. */
		int rc = tm_token_begin_bare(t);
		struct tm_card_object *o = NULL;
		if (rc == TM_OK) {
			o = tm_object_get(slot, hKey, &view);
			tm_token_end(t);
		}
		if (rc != TM_OK)
			rv = tm_card_failed(slot, rc);
		else if (o == NULL)
			rv = missing_key(slot, t, hKey);
		else if (o->cls != TM_OBJ_KEY_PAIR && o->cls != TM_OBJ_PUBLIC_KEY)
			rv = CKR_KEY_HANDLE_INVALID;
		else if (o->key_alg != mech->key_alg)
			rv = CKR_KEY_TYPE_INCONSISTENT;
		else if ((kind == TM_OP_SIGN || kind == TM_OP_DECRYPT) && view != TM_VIEW_PRIVATE)
			rv = CKR_KEY_TYPE_INCONSISTENT; /* a public key does not sign */
		else if (((kind == TM_OP_SIGN || kind == TM_OP_VERIFY) && !(o->usage & TM_USAGE_SIGN)) ||
			 ((kind == TM_OP_DECRYPT || kind == TM_OP_ENCRYPT) && !(o->usage & TM_USAGE_DECRYPT)))
			rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
		if (rv == CKR_OK && o != NULL) {
			op->key = hKey;
			if (EVP_PKEY_up_ref(o->pub))
				op->pub = o->pub;
			rv = take_params(op, kind, m);
		}
	}
	if (rv == CKR_OK && (mech->md != NULL || mech->streebog)) {
		op->md = EVP_MD_CTX_new();
		if (op->md == NULL || tm_mech_digest_init(mech, op->md) != TM_OK)
			rv = CKR_HOST_MEMORY;
	}
	if (rv == CKR_OK)
		op->active = true;
	else
		op_end(op);
	tm_session_end(slot);
	return rv;
}

/* --- Helpers ----------------------------------------------------------- */

/* The OpenSSL name of a TM_HASH_* value. */
static const char *hash_name(uint8_t hash)
{
	static const char *names[] = {NULL, "SHA1", "SHA224", "SHA256", "SHA384", "SHA512"};
	return hash < sizeof(names) / sizeof(names[0]) ? names[hash] : NULL;
}


static size_t sig_len_of(const struct tm_op_state *op)
{
	unsigned gost = tm_gost_key_bits(op->mech->key_alg);
	if (gost)
		return gost / 4; /* s || r, each the size of the key */
	return op->mech->key_alg == TM_KEY_EC_P256 ? 64 : (size_t)EVP_PKEY_get_size(op->pub);
}

/* DigestInfo (RFC 8017 §9.2) by OpenSSL's own encoder: X509_SIG is that
 * structure. */
static int digest_info(const char *md_name, const uint8_t *hash, size_t hlen, uint8_t *out,
		       size_t *len)
{
	X509_SIG *sig = X509_SIG_new();
	X509_ALGOR *alg;
	ASN1_OCTET_STRING *digest;
	int n = -1;

	if (sig == NULL)
		return -1;
	X509_SIG_getm(sig, &alg, &digest);
	if (X509_ALGOR_set0(alg, OBJ_nid2obj(EVP_MD_get_type(EVP_get_digestbyname(md_name))),
			    V_ASN1_NULL, NULL) &&
	    ASN1_OCTET_STRING_set(digest, hash, (int)hlen) && i2d_X509_SIG(sig, NULL) <= 128) {
		unsigned char *p = out;
		n = i2d_X509_SIG(sig, &p);
	}
	X509_SIG_free(sig);
	if (n <= 0)
		return -1;
	*len = (size_t)n;
	return 0;
}

/* What the card (or the verifier) is given: the hash, wrapped for
 * *_RSA_PKCS, or the caller's data for the raw mechanisms. */
static CK_RV card_input(struct tm_op_state *op, const uint8_t *data, size_t n, bool final,
			uint8_t *in, size_t *in_len)
{
	uint8_t hash[EVP_MAX_MD_SIZE];
	unsigned hlen = 0;

	if (op->mech->md == NULL && !op->mech->streebog) {
		if (final) {
			data = op->raw;
			n = op->raw_len;
		}
		if (n > sizeof(op->raw))
			return CKR_DATA_LEN_RANGE;
		memcpy(in, data, n);
		*in_len = n;
		return CKR_OK;
	}
	if ((!final && EVP_DigestUpdate(op->md, data, n) != 1) ||
	    EVP_DigestFinal_ex(op->md, hash, &hlen) != 1)
		return CKR_FUNCTION_FAILED;
	if (op->mech->digest_info)
		return digest_info(op->mech->md, hash, hlen, in, in_len) == 0 ? CKR_OK
									 : CKR_FUNCTION_FAILED;
	memcpy(in, hash, hlen);
	*in_len = hlen;
	return CKR_OK;
}

/* CKM_GOSTR3410[_512] sign and verify a digest of exactly the key's size
 * (PKCS#11 2.40 §2.4.8); the hashing mechanisms make one. */
static CK_RV gost_input_ok(const struct tm_op_state *op, size_t in_len)
{
	unsigned bits = tm_gost_key_bits(op->mech->key_alg);
	return bits == 0 || in_len == bits / 8 ? CKR_OK : CKR_DATA_LEN_RANGE;
}

/* --- Sign ---------------------------------------------------------------- */

CK_RV C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return op_init(h, TM_OP_SIGN, m, k);
}

static CK_RV sign(CK_SESSION_HANDLE h, const uint8_t *data, CK_ULONG n, bool final,
		  CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(h, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_op_state *op = &se->ops[TM_OP_SIGN];
	rv = op->active ? take_part(op, !final) : CKR_OPERATION_NOT_INITIALIZED;
	if (rv != CKR_OK) {
		tm_session_end(slot);
		return rv;
	}
	if (sig_len == NULL || (!final && data == NULL && n)) {
		op_end(op);
		tm_session_end(slot);
		return CKR_ARGUMENTS_BAD;
	}
	size_t need = sig_len_of(op);
	/* A size query, or a buffer too small: no card work, op kept. */
	if (sig == NULL || *sig_len < need) {
		rv = sig == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
		*sig_len = need;
		tm_session_end(slot);
		return rv;
	}
	uint8_t in[600];
	size_t in_len = 0, out_len = *sig_len;
	struct tm_token *t = slot->token;
	rv = card_input(op, data, n, final, in, &in_len);
	if (rv == CKR_OK && op->mech->card_alg == TM_ALG_RSA_PKCS1 && in_len + 11 > need)
		rv = CKR_DATA_LEN_RANGE;
	if (rv == CKR_OK)
		rv = gost_input_ok(op, in_len);
	if (rv == CKR_OK) {
		int rc = key_op(slot, op->key, false, &op->card_op, in, in_len, sig, &out_len, &rv);
		if (rc == TM_ERR_SECURITY_STATUS) {
			/* The card forgot our login (reset, or another
			 * application logged out): say so plainly. */
			t->user_in = false;
			rv = CKR_USER_NOT_LOGGED_IN;
		} else if (rc != TM_OK) {
			rv = tm_card_failed(slot, rc);
		} else if (rv == CKR_OK) {
			*sig_len = out_len;
		}
	}
	OPENSSL_cleanse(in, sizeof(in));
	op_end(op);
	tm_session_end(slot);
	return rv;
}

CK_RV C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
	     CK_ULONG_PTR pulSignatureLen)
{
	return sign(h, pData, ulDataLen, false, pSignature, pulSignatureLen);
}

static CK_RV update(CK_SESSION_HANDLE h, enum tm_op_kind kind, const uint8_t *data, CK_ULONG n)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(h, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_op_state *op = &se->ops[kind];
	if (!op->active) {
		tm_session_end(slot);
		return CKR_OPERATION_NOT_INITIALIZED;
	}
	if ((rv = take_part(op, false)) != CKR_OK) {
		tm_session_end(slot);
		return rv;
	}
	if (data == NULL && n)
		rv = CKR_ARGUMENTS_BAD;
	else if (op->md == NULL && (kind == TM_OP_SIGN || kind == TM_OP_VERIFY)) {
		/* Raw mechanisms: gather the input; the card signs it whole. */
		if (n > sizeof(op->raw) - op->raw_len)
			rv = CKR_DATA_LEN_RANGE;
		else if (n) {
			memcpy(op->raw + op->raw_len, data, n);
			op->raw_len += n;
		}
	} else if (op->md == NULL)
		rv = CKR_MECHANISM_INVALID; /* no multi-part RSA encryption */
	else if (EVP_DigestUpdate(op->md, data, n) != 1)
		rv = CKR_FUNCTION_FAILED;
	if (rv != CKR_OK)
		op_end(op);
	tm_session_end(slot);
	return rv;
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return update(h, TM_OP_SIGN, pPart, ulPartLen);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	return sign(h, NULL, 0, true, pSignature, pulSignatureLen);
}

/* --- Verify (host, with the public key) ---------------------------------- */

CK_RV C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return op_init(h, TM_OP_VERIFY, m, k);
}

/* GOST through gost-engine (apdu/gost.c), which owns the key's type. */
static CK_RV gost_verify(struct tm_op_state *op, const uint8_t *in, size_t in_len,
			 const uint8_t *sig, size_t sig_len)
{
	CK_RV rv = gost_input_ok(op, in_len);
	if (rv == CKR_OK && tm_gost_verify(op->pub, in, in_len, TM_GOST_RFC4491, sig, sig_len) != TM_OK)
		rv = CKR_SIGNATURE_INVALID;
	return rv;
}

static CK_RV verify_with(struct tm_op_state *op, const uint8_t *in, size_t in_len,
			 const uint8_t *sig, size_t sig_len)
{
	if (sig_len != sig_len_of(op))
		return CKR_SIGNATURE_LEN_RANGE;
	if (tm_gost_key_bits(op->mech->key_alg))
		return gost_verify(op, in, in_len, sig, sig_len);

	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(op->pub, NULL);
	uint8_t der[160];
	CK_RV rv = CKR_FUNCTION_FAILED;

	if (ctx == NULL || EVP_PKEY_verify_init(ctx) <= 0)
		goto done;
	if (op->mech->key_alg == TM_KEY_EC_P256) {
		/* r || s to the DER OpenSSL verifies. */
		ECDSA_SIG *s = ECDSA_SIG_new();
		BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
		unsigned char *p = der;
		int n = s && r && ss && ECDSA_SIG_set0(s, r, ss) ? i2d_ECDSA_SIG(s, &p) : -1;
		if (n <= 0) {
			BN_free(r);
			BN_free(ss);
		}
		ECDSA_SIG_free(s);
		if (n <= 0)
			goto done;
		sig = der;
		sig_len = (size_t)n;
	} else if (op->mech->pss) {
		const EVP_MD *md = EVP_get_digestbyname(hash_name(op->card_op.hash));
		const EVP_MD *mgf = EVP_get_digestbyname(hash_name(op->card_op.mgf_hash));
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
		    EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, op->card_op.salt_len) <= 0)
			goto done;
	} else if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) {
		goto done;
	}
	rv = EVP_PKEY_verify(ctx, sig, sig_len, in, in_len) == 1 ? CKR_OK : CKR_SIGNATURE_INVALID;
done:
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

static CK_RV verify(CK_SESSION_HANDLE h, const uint8_t *data, CK_ULONG n, bool final,
		    const uint8_t *sig, CK_ULONG sig_len)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(h, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_op_state *op = &se->ops[TM_OP_VERIFY];
	rv = op->active ? take_part(op, !final) : CKR_OPERATION_NOT_INITIALIZED;
	if (rv != CKR_OK) {
		tm_session_end(slot);
		return rv;
	}
	uint8_t in[600];
	size_t in_len;
	if (sig == NULL || (!final && data == NULL && n))
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = card_input(op, data, n, final, in, &in_len);
	if (rv == CKR_OK)
		rv = verify_with(op, in, in_len, sig, sig_len);
	op_end(op);
	tm_session_end(slot);
	return rv;
}

CK_RV C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
	       CK_ULONG ulSignatureLen)
{
	return verify(h, pData, ulDataLen, false, pSignature, ulSignatureLen);
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return update(h, TM_OP_VERIFY, pPart, ulPartLen);
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	return verify(h, NULL, 0, true, pSignature, ulSignatureLen);
}

/* --- Encrypt (host) and decrypt (card) ----------------------------------- */

CK_RV C_EncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return op_init(h, TM_OP_ENCRYPT, m, k);
}

CK_RV C_Encrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
		CK_BYTE_PTR pEncrypted, CK_ULONG_PTR pulEncryptedLen)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(h, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_op_state *op = &se->ops[TM_OP_ENCRYPT];
	rv = op->active ? take_part(op, true) : CKR_OPERATION_NOT_INITIALIZED;
	if (rv != CKR_OK) {
		tm_session_end(slot);
		return rv;
	}
	size_t k = (size_t)EVP_PKEY_get_size(op->pub);
	if (pulEncryptedLen == NULL || (pData == NULL && ulDataLen)) {
		rv = CKR_ARGUMENTS_BAD;
	} else if (pEncrypted == NULL || *pulEncryptedLen < k) {
		rv = pEncrypted == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
		*pulEncryptedLen = k;
		tm_session_end(slot);
		return rv;
	} else {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(op->pub, NULL);
		size_t out = *pulEncryptedLen;
		rv = CKR_FUNCTION_FAILED;
		if (ctx && EVP_PKEY_encrypt_init(ctx) > 0) {
			int ok = 1;
			if (op->mech->oaep) {
				ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
				     EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_get_digestbyname(hash_name(op->card_op.hash))) > 0 &&
				     EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_get_digestbyname(hash_name(op->card_op.mgf_hash))) > 0;
				if (ok && op->card_op.label_len) {
					void *l = OPENSSL_memdup(op->label, op->card_op.label_len);
					ok = l && EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, l, (int)op->card_op.label_len) > 0;
				}
			} else {
				ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
			}
			if (ok)
				rv = EVP_PKEY_encrypt(ctx, pEncrypted, &out, pData, ulDataLen) > 0
					     ? CKR_OK : CKR_DATA_LEN_RANGE;
			if (rv == CKR_OK)
				*pulEncryptedLen = out;
		}
		EVP_PKEY_CTX_free(ctx);
	}
	op_end(op);
	tm_session_end(slot);
	return rv;
}

/* RSA encryption and decryption are single-part (PKCS#11 2.40 §2.1):
 * an Update or Final ends the operation with CKR_MECHANISM_INVALID. */
static CK_RV single_part_only(CK_SESSION_HANDLE h, enum tm_op_kind kind)
{
	CK_RV rv = update(h, kind, NULL, 0);
	return rv == CKR_OPERATION_NOT_INITIALIZED || rv == CKR_SESSION_HANDLE_INVALID ||
			       rv == CKR_CRYPTOKI_NOT_INITIALIZED || rv == CKR_OPERATION_ACTIVE
		       ? rv
		       : CKR_MECHANISM_INVALID;
}

CK_RV C_EncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR a, CK_ULONG b, CK_BYTE_PTR c, CK_ULONG_PTR d)
{
	(void)a; (void)b; (void)c; (void)d;
	return single_part_only(h, TM_OP_ENCRYPT);
}

CK_RV C_EncryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR a, CK_ULONG_PTR b)
{
	(void)a; (void)b;
	return single_part_only(h, TM_OP_ENCRYPT);
}

CK_RV C_DecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return op_init(h, TM_OP_DECRYPT, m, k);
}

CK_RV C_Decrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR pEncrypted, CK_ULONG ulEncryptedLen,
		CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(h, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_op_state *op = &se->ops[TM_OP_DECRYPT];
	rv = op->active ? take_part(op, true) : CKR_OPERATION_NOT_INITIALIZED;
	if (rv != CKR_OK) {
		tm_session_end(slot);
		return rv;
	}
	size_t k = (size_t)EVP_PKEY_get_size(op->pub);
	if (pulDataLen == NULL || pEncrypted == NULL) {
		op_end(op);
		tm_session_end(slot);
		return CKR_ARGUMENTS_BAD;
	}
	/* The plaintext is at most k bytes: that answers a size query, and a
	 * buffer of k always suffices.  A smaller one is refused before the
	 * card works, so no plaintext needs keeping. */
	if (pData == NULL || *pulDataLen < k) {
		rv = pData == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
		*pulDataLen = k;
		tm_session_end(slot);
		return rv;
	}
	if (ulEncryptedLen != k) {
		op_end(op);
		tm_session_end(slot);
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	}
	size_t out = *pulDataLen;
	int rc = key_op(slot, op->key, true, &op->card_op, pEncrypted, ulEncryptedLen, pData, &out, &rv);
	if (rc == TM_ERR_WRONG_DATA)
		rv = CKR_ENCRYPTED_DATA_INVALID; /* the padding did not check out */
	else if (rc != TM_OK)
		rv = tm_card_failed(slot, rc);
	else if (rv == CKR_OK)
		*pulDataLen = out;
	op_end(op);
	tm_session_end(slot);
	return rv;
}

CK_RV C_DecryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR a, CK_ULONG b, CK_BYTE_PTR c, CK_ULONG_PTR d)
{
	(void)a; (void)b; (void)c; (void)d;
	return single_part_only(h, TM_OP_DECRYPT);
}

CK_RV C_DecryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR a, CK_ULONG_PTR b)
{
	(void)a; (void)b;
	return single_part_only(h, TM_OP_DECRYPT);
}

/* --- Digest (host) ------------------------------------------------------- */

CK_RV C_DigestInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m)
{
	return op_init(h, TM_OP_DIGEST, m, CK_INVALID_HANDLE);
}

static CK_RV digest_final(CK_SESSION_HANDLE h, const uint8_t *data, CK_ULONG n, bool one_shot,
			  CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(h, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_op_state *op = &se->ops[TM_OP_DIGEST];
	rv = op->active ? take_part(op, one_shot) : CKR_OPERATION_NOT_INITIALIZED;
	if (rv != CKR_OK) {
		tm_session_end(slot);
		return rv;
	}
	size_t need = (size_t)EVP_MD_CTX_get_size(op->md);
	unsigned got;
	if (out_len == NULL || (one_shot && data == NULL && n)) {
		rv = CKR_ARGUMENTS_BAD;
	} else if (out == NULL || *out_len < need) {
		rv = out == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
		*out_len = need;
		tm_session_end(slot);
		return rv;
	} else if ((one_shot && EVP_DigestUpdate(op->md, data, n) != 1) ||
		   EVP_DigestFinal_ex(op->md, out, &got) != 1) {
		rv = CKR_FUNCTION_FAILED;
	} else {
		*out_len = got;
	}
	op_end(op);
	tm_session_end(slot);
	return rv;
}

CK_RV C_Digest(CK_SESSION_HANDLE h, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pDigest,
	       CK_ULONG_PTR pulDigestLen)
{
	return digest_final(h, pData, ulDataLen, true, pDigest, pulDigestLen);
}

CK_RV C_DigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return update(h, TM_OP_DIGEST, pPart, ulPartLen);
}

CK_RV C_DigestKey(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE k)
{
	(void)k;
	return tm_session_refuse(h, CKR_KEY_INDIGESTIBLE);
}

CK_RV C_DigestFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	return digest_final(h, NULL, 0, false, pDigest, pulDigestLen);
}

/* --- Random ---------------------------------------------------------- */

CK_RV C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR pRandom, CK_ULONG ulLen)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(h, &se, &slot)) != CKR_OK)
		return rv;
	if (pRandom == NULL && ulLen) {
		tm_session_end(slot);
		return CKR_ARGUMENTS_BAD;
	}
	struct tm_token *t = slot->token;
	int rc = ulLen ? tm_token_begin(t) : TM_OK;
	if (rc == TM_OK && ulLen) {
		rc = t->drv->random(t, pRandom, ulLen);
		tm_token_end(t);
	}
	rv = rc == TM_OK ? CKR_OK : tm_card_failed(slot, rc);
	tm_session_end(slot);
	return rv;
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(h, &se, &slot)) != CKR_OK)
		return rv;
	tm_session_end(slot);
	if (pSeed == NULL && ulSeedLen > 0)
		return CKR_ARGUMENTS_BAD;
	return CKR_RANDOM_SEED_NOT_SUPPORTED; /* the card's generator takes no seed */
}
