/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private-key import (C_CreateObject of CKO_PRIVATE_KEY, PKCS#11 2.40
 * §4.9, §5.7): keys made by OpenSSL go onto the models that take
 * imported keys, sign there, and OpenSSL verifies with the key it made;
 * other models, broken keys and incomplete templates are refused and
 * leave nothing on the card. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "apdu/protocol.h"
#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

static CK_OBJECT_CLASS priv_class = CKO_PRIVATE_KEY;
static CK_KEY_TYPE rsa_type = CKK_RSA, ec_type = CKK_EC;
static CK_BBOOL yes = CK_TRUE;
static CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

/* A key's parts as a PKCS#11 template, with room for them. */
struct key_template {
	CK_ATTRIBUTE a[24];
	CK_ULONG n;
	uint8_t bytes[8][520];
};

static void add(struct key_template *t, CK_ATTRIBUTE_TYPE type, void *v, CK_ULONG len)
{
	assert_true(t->n < sizeof(t->a) / sizeof(t->a[0]));
	t->a[t->n++] = (CK_ATTRIBUTE){type, v, len};
}

static void add_bn(struct key_template *t, int i, CK_ATTRIBUTE_TYPE type, EVP_PKEY *k,
		   const char *name)
{
	BIGNUM *bn = NULL;
	assert_int_equal(EVP_PKEY_get_bn_param(k, name, &bn), 1);
	int len = BN_bn2bin(bn, t->bytes[i]);
	BN_clear_free(bn);
	add(t, type, t->bytes[i], (CK_ULONG)len);
}

static void common(struct key_template *t, CK_KEY_TYPE *type)
{
	add(t, CKA_CLASS, &priv_class, sizeof(priv_class));
	add(t, CKA_KEY_TYPE, type, sizeof(*type));
	add(t, CKA_TOKEN, &yes, sizeof(yes));
	add(t, CKA_PRIVATE, &yes, sizeof(yes));
	add(t, CKA_SENSITIVE, &yes, sizeof(yes));
	add(t, CKA_SIGN, &yes, sizeof(yes));
	add(t, CKA_ID, U("\x42"), 1);
	add(t, CKA_LABEL, U("imported"), 8);
}

static void rsa_template(struct key_template *t, EVP_PKEY *k)
{
	static const CK_ATTRIBUTE_TYPE types[8] = {CKA_MODULUS, CKA_PUBLIC_EXPONENT,
						   CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2,
						   CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT};
	static const char *const names[8] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
	memset(t, 0, sizeof(*t));
	common(t, &rsa_type);
	add(t, CKA_DECRYPT, &yes, sizeof(yes));
	for (int i = 0; i < 8; i++)
		add_bn(t, i, types[i], k, names[i]);
}

static void ec_template(struct key_template *t, EVP_PKEY *k)
{
	memset(t, 0, sizeof(*t));
	common(t, &ec_type);
	add(t, CKA_EC_PARAMS, p256, sizeof(p256));
	add_bn(t, 0, CKA_VALUE, k, OSSL_PKEY_PARAM_PRIV_KEY);
}

/* The card's signature over data, checked by OpenSSL with k. */
static void sign_and_verify(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mech,
			    EVP_PKEY *k)
{
	CK_MECHANISM m = {mech, NULL, 0};
	CK_BYTE sig[512], der[600];
	CK_ULONG len = sizeof(sig);
	assert_int_equal(f->C_SignInit(s, &m, key), CKR_OK);
	assert_int_equal(f->C_Sign(s, U("document"), 8, sig, &len), CKR_OK);
	const unsigned char *to_check = sig;
	size_t check_len = len;
	if (mech == CKM_ECDSA_SHA256) {
		/* PKCS#11 gives r || s; OpenSSL wants DER. */
		ECDSA_SIG *es = ECDSA_SIG_new();
		ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
		unsigned char *p = der;
		check_len = (size_t)i2d_ECDSA_SIG(es, &p);
		ECDSA_SIG_free(es);
		to_check = der;
	}
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k), 1);
	assert_int_equal(EVP_DigestVerify(md, to_check, check_len, (const unsigned char *)"document", 8), 1);
	EVP_MD_CTX_free(md);
}

static CK_ULONG private_keys(CK_SESSION_HANDLE s)
{
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &priv_class, sizeof(priv_class)}};
	return find_count(s, t, 1);
}

/* An RSA key through C_CreateObject on this model's applet: checked
 * before the login, made, signing, marked as imported, secret. */
static CK_SESSION_HANDLE rsa_import(const char *model)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	struct key_template t;
	CK_OBJECT_HANDLE h;
	CK_BBOOL local = CK_TRUE, always = CK_TRUE, never = CK_TRUE, sens = CK_FALSE;

	assert_non_null(k);
	rsa_template(&t, k);
	start(model);
	CK_SESSION_HANDLE s = open_rw();
	/* The template is checked before the login (§5.1's order). */
	assert_int_equal(f->C_CreateObject(s, t.a, t.n - 1, &h), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->C_CreateObject(s, t.a, t.n, &h), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(f->C_CreateObject(s, t.a, t.n, &h), CKR_OK);
	sign_and_verify(s, h, CKM_SHA256_RSA_PKCS, k);
	CK_ATTRIBUTE a[] = {{CKA_LOCAL, &local, 1}, {CKA_ALWAYS_SENSITIVE, &always, 1},
			    {CKA_NEVER_EXTRACTABLE, &never, 1}, {CKA_SENSITIVE, &sens, 1}};
	assert_int_equal(f->C_GetAttributeValue(s, h, a, 4), CKR_OK);
	assert_int_equal(local, CK_FALSE);
	assert_int_equal(always, CK_FALSE);
	assert_int_equal(never, CK_FALSE);
	assert_int_equal(sens, CK_TRUE);
	CK_BYTE d[300];
	CK_ATTRIBUTE secret[] = {{CKA_PRIVATE_EXPONENT, d, sizeof(d)}};
	assert_int_equal(f->C_GetAttributeValue(s, h, secret, 1), CKR_ATTRIBUTE_SENSITIVE);
	assert_int_equal(private_keys(s), 1);
	EVP_PKEY_free(k);
	return s;
}

static void test_rsa_import(void **state)
{
	(void)state;
	rsa_import("tumar-full");
	/* The Tumar applet holds the private key alone: C_CreateObject
	 * makes one object. */
	assert_int_equal(tm_test_reader_objects(0, TM_OBJF_IMPORTED), 1);
}

/* JaCarta's LASER applet: the key object by UPDATE KO (80 24), its
 * attribute files saying CKA_LOCAL false, read back so by a new bind. */
static void test_rsa_import_laser(void **state)
{
	(void)state;
	CK_SESSION_HANDLE s = rsa_import("jacarta-pki");
	CK_BBOOL local = CK_TRUE;
	CK_ATTRIBUTE a[] = {{CKA_LOCAL, &local, 1}};
	CK_OBJECT_HANDLE h;
	CK_ULONG n;

	(void)s;
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	s = open_rw();
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &priv_class, sizeof(priv_class)}};
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(f->C_FindObjectsInit(s, t, 1), CKR_OK);
	assert_int_equal(f->C_FindObjects(s, &h, 1, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	assert_int_equal(f->C_GetAttributeValue(s, h, a, 1), CKR_OK);
	assert_int_equal(local, CK_FALSE);
}

static void test_ec_import_and_session_key(void **state)
{
	(void)state;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	struct key_template t;
	CK_OBJECT_HANDLE h;

	assert_non_null(k);
	ec_template(&t, k);
	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(f->C_CreateObject(s, t.a, t.n, &h), CKR_OK);
	sign_and_verify(s, h, CKM_ECDSA_SHA256, k);
	/* CKA_TOKEN false: a session private key, on the card until its
	 * session closes. */
	CK_BBOOL session = CK_FALSE;
	t.a[2].pValue = &session;
	CK_SESSION_HANDLE s2 = open_rw();
	assert_int_equal(f->C_CreateObject(s2, t.a, t.n, &h), CKR_OK);
	assert_int_equal(tm_test_reader_objects(0, TM_OBJF_IMPORTED | TM_OBJF_TEMPORARY), 1);
	sign_and_verify(s, h, CKM_ECDSA_SHA256, k);
	assert_int_equal(f->C_CloseSession(s2), CKR_OK);
	assert_int_equal(tm_test_reader_objects(0, TM_OBJF_IMPORTED), 1);
	EVP_PKEY_free(k);
}

/* eToken takes no extended APDUs: the import is a chain of commands,
 * each of them sensitive. */
static void test_chained_import(void **state)
{
	(void)state;
	EVP_PKEY *k = EVP_RSA_gen(2048);
	struct key_template t;
	CK_OBJECT_HANDLE h;

	rsa_template(&t, k);
	start("etoken-pro-72k");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	unsigned long before = tm_test_reader_apdus(0);
	assert_int_equal(f->C_CreateObject(s, t.a, t.n, &h), CKR_OK);
	assert_true(tm_test_reader_apdus(0) - before >= 5); /* > 1 kB in 255-byte pieces */
	sign_and_verify(s, h, CKM_SHA256_RSA_PKCS, k);
	EVP_PKEY_free(k);
}

static void test_refusals_leave_nothing(void **state)
{
	(void)state;
	EVP_PKEY *k = EVP_RSA_gen(2048);
	struct key_template t;
	CK_OBJECT_HANDLE h;

	rsa_template(&t, k);
	/* A model whose cards make their keys only. */
	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	assert_int_equal(f->C_CreateObject(s, t.a, t.n, &h), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(tm_test_reader_objects(0, 0), 0);
	teardown(NULL);
	/* Parts that do not make one key: the card says so. */
	start("jacarta-pki");
	s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	t.bytes[3][10] ^= 1; /* the first prime */
	assert_int_equal(f->C_CreateObject(s, t.a, t.n, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	t.bytes[3][10] ^= 1;
	/* A size the token does not hold; a curve it does not have. */
	EVP_PKEY *small = EVP_RSA_gen(768);
	struct key_template ts;
	rsa_template(&ts, small);
	assert_int_equal(f->C_CreateObject(s, ts.a, ts.n, &h), CKR_TEMPLATE_INCONSISTENT);
	EVP_PKEY_free(small);
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	struct key_template te;
	ec_template(&te, ec);
	CK_BYTE p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
	te.a[te.n - 2] = (CK_ATTRIBUTE){CKA_EC_PARAMS, p384, sizeof(p384)};
	assert_int_equal(f->C_CreateObject(s, te.a, te.n, &h), CKR_CURVE_NOT_SUPPORTED);
	EVP_PKEY_free(ec);
	assert_int_equal(tm_test_reader_objects(0, 0), 0);
	assert_int_equal(private_keys(s), 0);
	/* No secret keys, on the card or in the module (out of scope). */
	CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
	CK_KEY_TYPE aes = CKK_AES;
	CK_BBOOL on_token = CK_TRUE;
	CK_ATTRIBUTE st[] = {{CKA_CLASS, &secret, sizeof(secret)}, {CKA_KEY_TYPE, &aes, sizeof(aes)},
			     {CKA_VALUE, U("0123456789abcdef"), 16}, {CKA_TOKEN, &on_token, 1}};
	assert_int_equal(f->C_CreateObject(s, st, 4, &h), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(f->C_CreateObject(s, st, 3, &h), CKR_TEMPLATE_INCONSISTENT);
	/* A token public key: only key generation makes those. */
	CK_OBJECT_CLASS pub = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE pt[] = {{CKA_CLASS, &pub, sizeof(pub)}, {CKA_KEY_TYPE, &rsa_type, sizeof(rsa_type)},
			     t.a[9], t.a[10], {CKA_TOKEN, &on_token, 1}};
	assert_int_equal(f->C_CreateObject(s, pt, 5, &h), CKR_TEMPLATE_INCONSISTENT);
	/* And the good key still goes in after all that. */
	assert_int_equal(f->C_CreateObject(s, t.a, t.n, &h), CKR_OK);
	EVP_PKEY_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rsa_import, teardown),
		cmocka_unit_test_teardown(test_rsa_import_laser, teardown),
		cmocka_unit_test_teardown(test_ec_import_and_session_key, teardown),
		cmocka_unit_test_teardown(test_chained_import, teardown),
		cmocka_unit_test_teardown(test_refusals_leave_nothing, teardown),
	};
	return cmocka_run_group_tests_name("p11_import", tests, setup, NULL);
}
