/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keys as PKCS#11 sees them: a key pair is two objects (destroying one
 * half leaves the other); the attributes of §4 that may change do, those
 * that may not say so; CKA_MODIFIABLE tells the truth; session key pairs
 * (CKA_TOKEN false, §4.4) are made on the card, used like token keys,
 * and leave the card with their session, or at the next bind when the
 * process that made them died. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "apdu/protocol.h"
#include "driver/owner.h"
#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static CK_MECHANISM ec_gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
static CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

static CK_ULONG count_class(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	return find_count(s, t, 1);
}

/* An EC key pair; token says CKA_TOKEN (absent when token < 0). */
static CK_RV ec_keygen(CK_SESSION_HANDLE s, int token, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_BBOOL tok = token > 0;
	CK_ATTRIBUTE pt[] = {{CKA_EC_PARAMS, p256, sizeof(p256)}, {CKA_LABEL, U("pub"), 3},
			     {CKA_TOKEN, &tok, sizeof(tok)}};
	CK_ATTRIBUTE kt[] = {{CKA_SIGN, &yes, sizeof(yes)}, {CKA_ID, U("\x0a"), 1},
			     {CKA_TOKEN, &tok, sizeof(tok)}};
	CK_ULONG n = token < 0 ? 2 : 3;
	return f->C_GenerateKeyPair(s, &ec_gen, pt, n, kt, n, pub, priv);
}

static CK_RV sign_once(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key)
{
	CK_MECHANISM m = {CKM_ECDSA, NULL, 0};
	CK_BYTE hash[32] = {1}, sig[64];
	CK_ULONG len = sizeof(sig);
	CK_RV rv = f->C_SignInit(s, &m, key);
	return rv == CKR_OK ? f->C_Sign(s, hash, sizeof(hash), sig, &len) : rv;
}

static void test_halves_are_two_objects(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv, pub2, priv2;

	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(ec_keygen(s, 1, &pub, &priv), CKR_OK);
	assert_int_equal(ec_keygen(s, 1, &pub2, &priv2), CKR_OK);
	assert_int_not_equal(pub & 0xFFFFF0, priv & 0xFFFFF0); /* two card objects */
	/* The private key goes; its public key stays, and verifies. */
	assert_int_equal(f->C_DestroyObject(s, priv), CKR_OK);
	assert_int_equal(count_class(s, CKO_PRIVATE_KEY), 1);
	assert_int_equal(count_class(s, CKO_PUBLIC_KEY), 2);
	CK_BYTE point[80];
	CK_ATTRIBUTE ep[] = {{CKA_EC_POINT, point, sizeof(point)}};
	assert_int_equal(f->C_GetAttributeValue(s, pub, ep, 1), CKR_OK);
	assert_int_equal(f->C_DestroyObject(s, pub), CKR_OK);
	assert_int_equal(f->C_GetAttributeValue(s, pub, ep, 1), CKR_OBJECT_HANDLE_INVALID);
	/* The reverse: the public key goes, the private key still signs. */
	assert_int_equal(f->C_DestroyObject(s, pub2), CKR_OK);
	assert_int_equal(count_class(s, CKO_PUBLIC_KEY), 0);
	assert_int_equal(sign_once(s, priv2), CKR_OK);
	assert_int_equal(f->C_DestroyObject(s, priv2), CKR_OK);
	assert_int_equal(count_class(s, CKO_PRIVATE_KEY), 0);
}

static void test_attributes_change(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE subject[] = {0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03,
			     0x0c, 0x04, 'T', 'e', 's', 't'};
	char start_date[8] = {'2', '0', '2', '6', '1', '2', '0', '1'};
	CK_BYTE got[64];
	CK_BBOOL mod = CK_FALSE;

	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(ec_keygen(s, 1, &pub, &priv), CKR_OK);
	/* Modifiable unless the template says otherwise (§4.4's default). */
	CK_ATTRIBUTE m[] = {{CKA_MODIFIABLE, &mod, sizeof(mod)}};
	assert_int_equal(f->C_GetAttributeValue(s, pub, m, 1), CKR_OK);
	assert_int_equal(mod, CK_TRUE);
	/* Subject, dates and ID of keys are the application's (attributes
	 * marked 8 in §4.7-§4.9), each half on its own. */
	CK_ATTRIBUTE set[] = {{CKA_SUBJECT, subject, sizeof(subject)},
			      {CKA_START_DATE, start_date, 8}, {CKA_ID, U("\x0b"), 1}};
	assert_int_equal(f->C_SetAttributeValue(s, pub, set, 3), CKR_OK);
	CK_ATTRIBUTE g[] = {{CKA_SUBJECT, got, sizeof(got)}};
	assert_int_equal(f->C_GetAttributeValue(s, pub, g, 1), CKR_OK);
	assert_int_equal(g[0].ulValueLen, sizeof(subject));
	assert_memory_equal(got, subject, sizeof(subject));
	g[0].ulValueLen = sizeof(got);
	assert_int_equal(f->C_GetAttributeValue(s, priv, g, 1), CKR_OK);
	assert_int_equal(g[0].ulValueLen, 0);
	CK_ATTRIBUTE d[] = {{CKA_START_DATE, got, sizeof(got)}, {CKA_ID, got + 16, 16}};
	assert_int_equal(f->C_GetAttributeValue(s, pub, d, 2), CKR_OK);
	assert_int_equal(d[0].ulValueLen, 8);
	assert_memory_equal(got, start_date, 8);
	assert_int_equal(d[1].ulValueLen, 1);
	assert_int_equal(got[16], 0x0b);
	/* What stays as it is says so; a date that is not one is refused. */
	CK_ATTRIBUTE ro[] = {{CKA_KEY_TYPE, got, sizeof(CK_KEY_TYPE)}};
	assert_int_equal(f->C_SetAttributeValue(s, pub, ro, 1), CKR_ATTRIBUTE_READ_ONLY);
	CK_ATTRIBUTE bad_date[] = {{CKA_END_DATE, U("tomorrow"), 8}};
	assert_int_equal(f->C_SetAttributeValue(s, pub, bad_date, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	CK_ATTRIBUTE none[] = {{CKA_APPLICATION, U("x"), 1}};
	assert_int_equal(f->C_SetAttributeValue(s, pub, none, 1), CKR_ATTRIBUTE_TYPE_INVALID);

	/* CKA_MODIFIABLE false: kept, and no change is let through. */
	CK_OBJECT_HANDLE pub2, priv2;
	CK_ATTRIBUTE pt[] = {{CKA_EC_PARAMS, p256, sizeof(p256)}, {CKA_TOKEN, &yes, 1},
			     {CKA_MODIFIABLE, &no, 1}};
	CK_ATTRIBUTE kt[] = {{CKA_SIGN, &yes, 1}, {CKA_TOKEN, &yes, 1}, {CKA_MODIFIABLE, &no, 1}};
	assert_int_equal(f->C_GenerateKeyPair(s, &ec_gen, pt, 3, kt, 3, &pub2, &priv2), CKR_OK);
	mod = CK_TRUE;
	assert_int_equal(f->C_GetAttributeValue(s, priv2, m, 1), CKR_OK);
	assert_int_equal(mod, CK_FALSE);
	CK_ATTRIBUTE lab[] = {{CKA_LABEL, U("new"), 3}};
	assert_int_equal(f->C_SetAttributeValue(s, priv2, lab, 1), CKR_ACTION_PROHIBITED);
	/* It got its default ID all the same (SHA-1 of the point). */
	CK_ATTRIBUTE id[] = {{CKA_ID, got, sizeof(got)}};
	assert_int_equal(f->C_GetAttributeValue(s, priv2, id, 1), CKR_OK);
	assert_int_equal(id[0].ulValueLen, 20);
}

static void test_certificate_attributes(void **state)
{
	(void)state;
	/* A certificate whose subject the application rewrites: the value
	 * keeps its own, CKA_SUBJECT answers the application's. */
	unsigned char *der = NULL;
	int len = make_cert(&der);
	assert_true(len > 0);
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_TOKEN, &yes, 1},
			    {CKA_MODIFIABLE, &yes, 1}, {CKA_VALUE, der, (CK_ULONG)len}};
	CK_OBJECT_HANDLE h;
	CK_BYTE got[256];

	start("jacarta-pki");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(f->C_CreateObject(s, t, 4, &h), CKR_OK);
	CK_ATTRIBUTE set[] = {{CKA_SUBJECT, U("\x30\x00"), 2}, {CKA_END_DATE, U("20301231"), 8},
			      {CKA_ID, U("\x0c"), 1}};
	assert_int_equal(f->C_SetAttributeValue(s, h, set, 3), CKR_OK);
	CK_ATTRIBUTE g[] = {{CKA_SUBJECT, got, sizeof(got)}, {CKA_END_DATE, got + 100, 8}};
	assert_int_equal(f->C_GetAttributeValue(s, h, g, 2), CKR_OK);
	assert_int_equal(g[0].ulValueLen, 2);
	assert_memory_equal(got + 100, "20301231", 8);
	/* A token data object made without CKA_MODIFIABLE is modifiable
	 * (§4.4's default), and says so. */
	CK_OBJECT_CLASS data = CKO_DATA;
	CK_ATTRIBUTE dt[] = {{CKA_CLASS, &data, sizeof(data)}, {CKA_TOKEN, &yes, 1},
			     {CKA_VALUE, U("note"), 4}};
	CK_OBJECT_HANDLE d;
	CK_BBOOL mod = CK_FALSE;
	CK_ATTRIBUTE m[] = {{CKA_MODIFIABLE, &mod, 1}};
	assert_int_equal(f->C_CreateObject(s, dt, 3, &d), CKR_OK);
	assert_int_equal(f->C_GetAttributeValue(s, d, m, 1), CKR_OK);
	assert_int_equal(mod, CK_TRUE);
	CK_ATTRIBUTE issuer[] = {{CKA_ISSUER, U("\x30\x00"), 2}};
	assert_int_equal(f->C_SetAttributeValue(s, h, issuer, 1), CKR_ATTRIBUTE_READ_ONLY);
	OPENSSL_free(der);
}

static void test_session_key_pairs(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;
	CK_BBOOL token = CK_TRUE;
	CK_ATTRIBUTE tok[] = {{CKA_TOKEN, &token, sizeof(token)}};

	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw(), ro;
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	/* CKA_TOKEN absent is false (§4.4): a session key pair, made in a
	 * read-only session too (§6.7). */
	assert_int_equal(ec_keygen(ro, -1, &pub, &priv), CKR_OK);
	assert_int_equal(f->C_GetAttributeValue(s, priv, tok, 1), CKR_OK);
	assert_int_equal(token, CK_FALSE);
	assert_int_equal(sign_once(s, priv), CKR_OK); /* usable from any session */
	assert_int_equal(count_class(s, CKO_PRIVATE_KEY), 1);
	/* One half a token object, the other not: the card makes both alike. */
	CK_OBJECT_HANDLE a, b;
	CK_ATTRIBUTE pt[] = {{CKA_EC_PARAMS, p256, sizeof(p256)}, {CKA_TOKEN, &yes, 1}};
	CK_ATTRIBUTE kt[] = {{CKA_SIGN, &yes, 1}, {CKA_TOKEN, &no, 1}};
	assert_int_equal(f->C_GenerateKeyPair(s, &ec_gen, pt, 2, kt, 2, &a, &b),
			 CKR_TEMPLATE_INCONSISTENT);
	/* The read-only session closes: its keys leave the card. */
	unsigned long before = tm_test_reader_apdus(0);
	assert_int_equal(f->C_CloseSession(ro), CKR_OK);
	assert_true(tm_test_reader_apdus(0) > before);
	assert_int_equal(count_class(s, CKO_PRIVATE_KEY), 0);
	assert_int_equal(count_class(s, CKO_PUBLIC_KEY), 0);
	assert_int_equal(sign_once(s, priv), CKR_KEY_HANDLE_INVALID);
	/* Nor are they on the card for the next process. */
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(count_class(s, CKO_PRIVATE_KEY), 0);
	/* C_Finalize with a session key open deletes it too. */
	assert_int_equal(ec_keygen(s, 0, &pub, &priv), CKR_OK);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(count_class(s, CKO_PRIVATE_KEY), 0);
	assert_int_equal(count_class(s, CKO_PUBLIC_KEY), 0);
}

/* The hex of a GENERATE of a temporary EC key owned by a process that
 * has ended: this process's boot and PID with another start time. */
static void dead_owner_generate(char *hex, size_t cap)
{
	uint8_t owner[TM_OWNER_LEN];
	tm_owner_self(owner);
	owner[TM_OWNER_LEN - 1] ^= 0x55;
	char o[2 * TM_OWNER_LEN + 1];
	for (size_t i = 0; i < TM_OWNER_LEN; i++)
		snprintf(o + 2 * i, 3, "%02X", owner[i]);
	/* E2 { C7 02, C8 0100, C5 01, C2 06 (modifiable, temporary), C9 owner }
	 * (OPENSSL_hexstr2buf takes no spaces) */
	size_t e2 = 3 + 4 + 3 + 3 + 2 + TM_OWNER_LEN;
	snprintf(hex, cap, "00460000%02zXE2%02zXC70102C8020100C50101C20106C9%02X%s00",
		 e2 + 2, e2, TM_OWNER_LEN, o);
}

static void test_dead_process_keys_swept(void **state)
{
	(void)state;
	char hex[256];

	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	/* Another process made a session key on the card, then died. */
	dead_owner_generate(hex, sizeof(hex));
	assert_int_equal(tm_test_reader_foreign_apdu(0, hex), 0x9000);
	assert_int_equal(tm_test_reader_objects(0, TM_OBJF_TEMPORARY), 2); /* private and public */
	/* Not ours: not seen, though it is on the card. */
	assert_int_equal(count_class(s, CKO_PRIVATE_KEY), 0);
	assert_int_equal(count_class(s, CKO_PUBLIC_KEY), 0);
	/* A key of our own a session holds stays through another bind. */
	CK_OBJECT_HANDLE pub, priv;
	assert_int_equal(ec_keygen(s, 0, &pub, &priv), CKR_OK);
	assert_int_equal(tm_test_reader_objects(0, TM_OBJF_TEMPORARY), 4);
	/* The card is pulled and put back: the module binds it again, with
	 * nobody logged in.  The dead process's keys go; ours went with the
	 * sessions the removal ended (and are swept too: no session holds
	 * them now). */
	tm_test_reader_replug(0);
	CK_SLOT_ID slots[2];
	CK_ULONG ns = 2; /* no size query first: every call looks at the readers */
	assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &ns), CKR_OK);
	assert_int_equal(ns, 1);
	assert_int_equal(f->C_GetSessionInfo(s, &(CK_SESSION_INFO){0}), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(tm_test_reader_objects(0, TM_OBJF_TEMPORARY), 0);
	assert_int_equal(tm_test_reader_objects(0, 0), 0);
}

/* A torn write: another process made a data object and died before its
 * value was written.  The card marks it incomplete; the next bind
 * deletes it (the card takes that without a PIN), and it is never
 * presented as an object. */
static void test_torn_write_swept(void **state)
{
	(void)state;
	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	/* CREATE FILE of an 817-byte certificate, then nothing. */
	assert_int_equal(tm_test_reader_foreign_apdu(0, "00E0000011620F80020331A509C10101C20100C4014300"),
			 0x9000);
	assert_int_equal(tm_test_reader_objects(0, 0), 1);
	CK_OBJECT_CLASS cert = CKO_CERTIFICATE;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cert, sizeof(cert)}};
	tm_test_reader_replug(0);
	CK_SLOT_ID slots[2];
	CK_ULONG ns = 2;
	assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &ns), CKR_OK);
	assert_int_equal(tm_test_reader_objects(0, 0), 0);
	s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(find_count(s, t, 1), 0);
}

/* Who may sweep whose session key (driver/owner.h). */
static void test_owner_rules(void **state)
{
	(void)state;
	uint8_t me[TM_OWNER_LEN], o[TM_OWNER_LEN];

	tm_owner_self(me);
	assert_true(tm_owner_is_self(me, sizeof(me)));
	assert_true(tm_owner_alive(me, sizeof(me)));
	assert_false(tm_owner_alive(me, sizeof(me) - 1));
	memcpy(o, me, sizeof(o));
	o[TM_OWNER_LEN - 1] ^= 1; /* our PID, another start: ended */
	assert_false(tm_owner_alive(o, sizeof(o)));
	assert_false(tm_owner_is_self(o, sizeof(o)));
	memcpy(o, me, sizeof(o));
	o[0] ^= 1; /* another boot */
	assert_false(tm_owner_alive(o, sizeof(o)));
	memcpy(o, me, sizeof(o));
	o[16] ^= 1; /* another PID namespace: cannot tell, so kept */
	o[TM_OWNER_LEN - 1] ^= 1;
	assert_true(tm_owner_alive(o, sizeof(o)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_halves_are_two_objects, teardown),
		cmocka_unit_test_teardown(test_attributes_change, teardown),
		cmocka_unit_test_teardown(test_certificate_attributes, teardown),
		cmocka_unit_test_teardown(test_session_key_pairs, teardown),
		cmocka_unit_test_teardown(test_dead_process_keys_swept, teardown),
		cmocka_unit_test_teardown(test_torn_write_swept, teardown),
		cmocka_unit_test(test_owner_rules),
	};
	return cmocka_run_group_tests_name("p11_keys", tests, setup, NULL);
}
