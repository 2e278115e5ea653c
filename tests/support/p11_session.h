/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the driver's unit tests (test_p11*.c): the module's function
 * list over the in-process test readers, and the steps every test starts
 * with.  They assert with cmocka, so they run inside cmocka tests only.
 */
#ifndef TUMAR_TESTS_P11_SESSION_H
#define TUMAR_TESTS_P11_SESSION_H

#include "driver/p11.h"

extern CK_FUNCTION_LIST_PTR f;

/* PKCS#11 takes non-const pointers: literals go through writable copies. */
void *U(const char *lit);
/* cmocka group setup and per-test teardown: test readers, no config. */
int setup(void **state);
int teardown(void **state);
/* Initialises the module with a card of `model` in reader 0. */
void start(const char *model);
CK_SESSION_HANDLE open_rw(void);
CK_RV login(CK_SESSION_HANDLE s, const char *pin);
/* An RSA-1024 key pair that signs and decrypts, CKA_ID 01. */
void keygen(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv);

/* How many objects the session finds with this template (64 at most). */
CK_ULONG find_count(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n);
/* A self-signed P-256 certificate made with OpenSSL, as DER (free with
 * OPENSSL_free); its length, or -1. */
int make_cert(unsigned char **der);

#endif
