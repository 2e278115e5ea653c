/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Session objects (PKCS#11 2.40 §4.4 CKA_TOKEN false, §6.7): made by any
 * session, read-only ones too; seen by every session of the application,
 * private ones only while logged in; gone when their session closes, at
 * C_CloseAllSessions, C_Finalize and when the card goes; never on the
 * card. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

static CK_OBJECT_CLASS data_class = CKO_DATA, cert_class = CKO_CERTIFICATE,
		       pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY;
static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

static CK_SESSION_HANDLE open_ro(void)
{
	CK_SESSION_HANDLE s;
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	return s;
}

static CK_ATTRIBUTE session_only[] = {{CKA_TOKEN, &no, sizeof(no)}};

static void test_data_objects(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE h, copy;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &data_class, sizeof(data_class)},
			    {CKA_VALUE, U("hello"), 5}, {CKA_LABEL, U("note"), 4}};
	CK_BBOOL token = CK_TRUE;
	char label[16];
	CK_ULONG size;

	start("kaztoken");
	CK_SESSION_HANDLE ro = open_ro(), other = open_ro();
	assert_int_equal(find_count(ro, session_only, 1), 0); /* the card's directory, read once */
	unsigned long apdus = tm_test_reader_apdus(0);
	/* A read-only session, not logged in: CKA_TOKEN absent means false. */
	assert_int_equal(f->C_CreateObject(ro, t, 3, &h), CKR_OK);
	CK_ATTRIBUTE get[] = {{CKA_TOKEN, &token, sizeof(token)}, {CKA_LABEL, label, sizeof(label)}};
	assert_int_equal(f->C_GetAttributeValue(other, h, get, 2), CKR_OK);
	assert_int_equal(token, CK_FALSE);
	assert_int_equal(get[1].ulValueLen, 4);
	assert_int_equal(find_count(other, session_only, 1), 1);
	assert_int_equal(f->C_GetObjectSize(ro, h, &size), CKR_OK);
	assert_true(size >= 9);
	/* Changes: the label yes, the class no. */
	CK_ATTRIBUTE relabel[] = {{CKA_LABEL, U("renamed"), 7}};
	assert_int_equal(f->C_SetAttributeValue(other, h, relabel, 1), CKR_OK);
	get[1].ulValueLen = sizeof(label);
	assert_int_equal(f->C_GetAttributeValue(ro, h, get, 2), CKR_OK);
	assert_memory_equal(label, "renamed", 7);
	CK_ATTRIBUTE reclass[] = {{CKA_CLASS, &cert_class, sizeof(cert_class)}};
	assert_int_equal(f->C_SetAttributeValue(ro, h, reclass, 1), CKR_ATTRIBUTE_READ_ONLY);
	/* A copy with another label; destroyed again. */
	assert_int_equal(f->C_CopyObject(ro, h, t + 2, 1, &copy), CKR_OK);
	assert_int_equal(find_count(ro, session_only, 1), 2);
	assert_int_equal(f->C_DestroyObject(ro, copy), CKR_OK);
	assert_int_equal(f->C_DestroyObject(ro, copy), CKR_OBJECT_HANDLE_INVALID);
	/* None of it touched the card (the directory was cached). */
	assert_int_equal(tm_test_reader_apdus(0), apdus);
	/* Bad templates: a value without a pointer, more attributes than an
	 * object holds. */
	CK_ATTRIBUTE no_ptr[] = {{CKA_CLASS, &data_class, sizeof(data_class)}, {CKA_VALUE, NULL, 5}};
	assert_int_equal(f->C_CreateObject(ro, no_ptr, 2, &copy), CKR_ATTRIBUTE_VALUE_INVALID);
	CK_ATTRIBUTE many[60];
	for (size_t i = 0; i < 60; i++)
		many[i] = (CK_ATTRIBUTE){CKA_VENDOR_DEFINED + i, NULL, 0};
	many[0] = t[0];
	assert_int_equal(f->C_CreateObject(ro, many, 60, &copy), CKR_DEVICE_MEMORY);
	/* Fixed ones: not modifiable, not destroyable. */
	CK_OBJECT_HANDLE fixed;
	CK_ATTRIBUTE ft[] = {{CKA_CLASS, &data_class, sizeof(data_class)},
			     {CKA_MODIFIABLE, &no, sizeof(no)}, {CKA_DESTROYABLE, &no, sizeof(no)}};
	assert_int_equal(f->C_CreateObject(ro, ft, 3, &fixed), CKR_OK);
	assert_int_equal(f->C_SetAttributeValue(ro, fixed, relabel, 1), CKR_ACTION_PROHIBITED);
	assert_int_equal(f->C_DestroyObject(ro, fixed), CKR_ACTION_PROHIBITED);
	/* The owner closes: its objects go; the other session stays. */
	assert_int_equal(f->C_CloseSession(ro), CKR_OK);
	assert_int_equal(f->C_GetAttributeValue(other, h, get, 1), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(find_count(other, session_only, 1), 0);
}

static void test_private_session_objects(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE h;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &data_class, sizeof(data_class)},
			    {CKA_PRIVATE, &yes, sizeof(yes)}, {CKA_VALUE, U("secret"), 6}};
	CK_ATTRIBUTE get[] = {{CKA_VALUE, NULL, 0}};

	start("kaztoken");
	CK_SESSION_HANDLE s = open_ro();
	assert_int_equal(f->C_CreateObject(s, t, 3, &h), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(login(s, "12345678"), CKR_OK);
	assert_int_equal(f->C_CreateObject(s, t, 3, &h), CKR_OK);
	assert_int_equal(find_count(s, session_only, 1), 1);
	/* Logged out it is not seen, nor gone. */
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(find_count(s, session_only, 1), 0);
	assert_int_equal(f->C_GetAttributeValue(s, h, get, 1), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(login(s, "12345678"), CKR_OK);
	assert_int_equal(f->C_GetAttributeValue(s, h, get, 1), CKR_OK);
	assert_int_equal(get[0].ulValueLen, 6);
	/* A private copy needs the login too. */
	CK_OBJECT_HANDLE c;
	assert_int_equal(f->C_CopyObject(s, h, NULL, 0, &c), CKR_OK);
	assert_int_equal(f->C_CopyObject(s, h, t, 1, &c), CKR_ATTRIBUTE_READ_ONLY);
	CK_ATTRIBUTE to_token[] = {{CKA_TOKEN, &yes, sizeof(yes)}};
	assert_int_equal(f->C_CopyObject(s, h, to_token, 1, &c), CKR_TEMPLATE_INCONSISTENT);
}

static void test_certificates_and_public_keys(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE h;
	CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	CK_KEY_TYPE rsa = CKK_RSA;
	unsigned char *der = NULL;
	int n = make_cert(&der);

	assert_true(n > 0);
	start("jacarta-pki");
	CK_SESSION_HANDLE s = open_ro();
	CK_ATTRIBUTE cert[] = {{CKA_CLASS, &cert_class, sizeof(cert_class)},
			       {CKA_CERTIFICATE_TYPE, &x509, sizeof(x509)}, {CKA_VALUE, der, (CK_ULONG)n}};
	assert_int_equal(f->C_CreateObject(s, cert, 3, &h), CKR_OK);
	assert_int_equal(f->C_CreateObject(s, cert, 2, &h), CKR_TEMPLATE_INCOMPLETE);
	cert[2].ulValueLen = 10; /* not DER of a certificate */
	assert_int_equal(f->C_CreateObject(s, cert, 3, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	CK_ATTRIBUTE find_cert[] = {{CKA_CLASS, &cert_class, sizeof(cert_class)}};
	assert_int_equal(find_count(s, find_cert, 1), 1);
	OPENSSL_free(der);

	CK_ATTRIBUTE pub[] = {{CKA_CLASS, &pub_class, sizeof(pub_class)}, {CKA_KEY_TYPE, &rsa, sizeof(rsa)},
			      {CKA_MODULUS, U("\xC1\x02\x03\x04"), 4}, {CKA_PUBLIC_EXPONENT, U("\x01\x00\x01"), 3}};
	assert_int_equal(f->C_CreateObject(s, pub, 4, &h), CKR_OK);
	assert_int_equal(f->C_CreateObject(s, pub, 3, &h), CKR_TEMPLATE_INCOMPLETE);
	CK_ATTRIBUTE remod[] = {{CKA_MODULUS, U("\xC5"), 1}};
	assert_int_equal(f->C_SetAttributeValue(s, h, remod, 1), CKR_ATTRIBUTE_READ_ONLY);
	/* A private key has no place in the module's memory: it goes to
	 * the card (test_p11_import.c), and without its parts it is
	 * incomplete. */
	CK_ATTRIBUTE priv[] = {{CKA_CLASS, &priv_class, sizeof(priv_class)}, {CKA_KEY_TYPE, &rsa, sizeof(rsa)}};
	assert_int_equal(f->C_CreateObject(s, priv, 2, &h), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(find_count(s, session_only, 1), 2);
}

/* A session public key verifies and encrypts on the host: here the
 * card's own public key, read and made again as a session object. */
static void test_session_public_key_in_use(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv, spub;
	CK_BYTE mod[256], exp[8], sig[256], ct[128], pt[128];
	CK_ULONG sig_len = sizeof(sig), ct_len = sizeof(ct), pt_len = sizeof(pt);
	CK_KEY_TYPE rsa = CKK_RSA;
	CK_MECHANISM sha256_rsa = {CKM_SHA256_RSA_PKCS, NULL, 0}, rsa_pkcs = {CKM_RSA_PKCS, NULL, 0};

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	CK_ATTRIBUTE get[] = {{CKA_MODULUS, mod, sizeof(mod)}, {CKA_PUBLIC_EXPONENT, exp, sizeof(exp)}};
	assert_int_equal(f->C_GetAttributeValue(s, pub, get, 2), CKR_OK);
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &pub_class, sizeof(pub_class)}, {CKA_KEY_TYPE, &rsa, sizeof(rsa)},
			    {CKA_MODULUS, mod, get[0].ulValueLen}, {CKA_PUBLIC_EXPONENT, exp, get[1].ulValueLen}};
	assert_int_equal(f->C_CreateObject(s, t, 4, &spub), CKR_OK);
	assert_int_equal(f->C_SignInit(s, &sha256_rsa, priv), CKR_OK);
	assert_int_equal(f->C_Sign(s, U("document"), 8, sig, &sig_len), CKR_OK);
	assert_int_equal(f->C_VerifyInit(s, &sha256_rsa, spub), CKR_OK);
	assert_int_equal(f->C_Verify(s, U("document"), 8, sig, sig_len), CKR_OK);
	assert_int_equal(f->C_VerifyInit(s, &sha256_rsa, spub), CKR_OK);
	assert_int_equal(f->C_Verify(s, U("documenT"), 8, sig, sig_len), CKR_SIGNATURE_INVALID);
	assert_int_equal(f->C_EncryptInit(s, &rsa_pkcs, spub), CKR_OK);
	assert_int_equal(f->C_Encrypt(s, U("EDS"), 3, ct, &ct_len), CKR_OK);
	assert_int_equal(f->C_DecryptInit(s, &rsa_pkcs, priv), CKR_OK);
	assert_int_equal(f->C_Decrypt(s, ct, ct_len, pt, &pt_len), CKR_OK);
	assert_memory_equal(pt, "EDS", 3);
	/* A public key does not sign; a key that says no verification does not verify. */
	assert_int_equal(f->C_SignInit(s, &sha256_rsa, spub), CKR_KEY_TYPE_INCONSISTENT);
	CK_ATTRIBUTE no_verify[] = {{CKA_VERIFY, &no, sizeof(no)}};
	assert_int_equal(f->C_SetAttributeValue(s, spub, no_verify, 1), CKR_OK);
	assert_int_equal(f->C_VerifyInit(s, &sha256_rsa, spub), CKR_KEY_FUNCTION_NOT_PERMITTED);
}

/* The same with an EC P-256 key: CKA_EC_POINT as DER (§2.3.3). */
static void test_session_ec_key_verifies(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv, spub;
	CK_BYTE params[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
	CK_BYTE point[80], sig[72];
	CK_ULONG sig_len = sizeof(sig);
	CK_KEY_TYPE ec = CKK_EC;
	CK_ATTRIBUTE pt[] = {{CKA_EC_PARAMS, params, sizeof(params)}};
	CK_ATTRIBUTE kt[] = {{CKA_SIGN, &yes, sizeof(yes)}, {CKA_ID, U("\x02"), 1}};
	CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0}, ecdsa = {CKM_ECDSA_SHA256, NULL, 0};

	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(f->C_GenerateKeyPair(s, &gen, pt, 1, kt, 2, &pub, &priv), CKR_OK);
	CK_ATTRIBUTE get[] = {{CKA_EC_POINT, point, sizeof(point)}};
	assert_int_equal(f->C_GetAttributeValue(s, pub, get, 1), CKR_OK);
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &pub_class, sizeof(pub_class)}, {CKA_KEY_TYPE, &ec, sizeof(ec)},
			    {CKA_EC_PARAMS, params, sizeof(params)}, {CKA_EC_POINT, point, get[0].ulValueLen}};
	assert_int_equal(f->C_CreateObject(s, t, 4, &spub), CKR_OK);
	assert_int_equal(f->C_SignInit(s, &ecdsa, priv), CKR_OK);
	assert_int_equal(f->C_Sign(s, U("document"), 8, sig, &sig_len), CKR_OK);
	assert_int_equal(f->C_VerifyInit(s, &ecdsa, spub), CKR_OK);
	assert_int_equal(f->C_Verify(s, U("document"), 8, sig, sig_len), CKR_OK);
	/* A point off the curve makes a key that cannot be used. */
	point[get[0].ulValueLen - 1] ^= 1;
	assert_int_equal(f->C_CreateObject(s, t, 4, &spub), CKR_OK);
	assert_int_equal(f->C_VerifyInit(s, &ecdsa, spub), CKR_KEY_HANDLE_INVALID);
}

/* They go with C_CloseAllSessions, with the card, and with C_Finalize. */
static void test_lifetime(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE h;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &data_class, sizeof(data_class)}};
	CK_ATTRIBUTE get[] = {{CKA_CLASS, NULL, 0}};

	start("kaztoken");
	CK_SESSION_HANDLE s = open_ro();
	assert_int_equal(f->C_CreateObject(s, t, 1, &h), CKR_OK);
	assert_int_equal(f->C_CloseAllSessions(0), CKR_OK);
	s = open_ro();
	assert_int_equal(f->C_GetAttributeValue(s, h, get, 1), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->C_CreateObject(s, t, 1, &h), CKR_OK);
	tm_test_reader_insert(0, "kaztoken"); /* pulled and put back */
	CK_SLOT_INFO si;
	assert_int_equal(f->C_GetSlotInfo(0, &si), CKR_OK);
	s = open_ro();
	assert_int_equal(f->C_GetAttributeValue(s, h, get, 1), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(find_count(s, session_only, 1), 0);
	assert_int_equal(f->C_CreateObject(s, t, 1, &h), CKR_OK);
	/* C_Finalize frees them (the leak check of the sanitizer build). */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_data_objects, teardown),
		cmocka_unit_test_teardown(test_private_session_objects, teardown),
		cmocka_unit_test_teardown(test_certificates_and_public_keys, teardown),
		cmocka_unit_test_teardown(test_session_public_key_in_use, teardown),
		cmocka_unit_test_teardown(test_session_ec_key_verifies, teardown),
		cmocka_unit_test_teardown(test_lifetime, teardown),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
