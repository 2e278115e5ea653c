/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: a certificate installed next to its key (tools/tool_certs.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "tools/tool_certs.h"
#include "tools/tool_import.h"
#include "tools/tool_objects.h"

/* The key object whose key is the certificate's (public, or an imported
 * private key found by its ID); 0 when none. */
static CK_OBJECT_HANDLE matching_key(struct tt_token *t, X509 *x, int *keys)
{
	CK_OBJECT_HANDLE pubs[TT_MAX_OBJECTS], found = 0;
	EVP_PKEY *want = tt_cert_key(x);
	int n = tt_find(t, CKO_PUBLIC_KEY, NULL, NULL, 0, pubs, TT_MAX_OBJECTS);

	*keys = n < 0 ? 0 : n;
	for (int i = 0; want != NULL && i < n && found == 0; i++) {
		EVP_PKEY *k = tt_pubkey(t, pubs[i]);
		if (k != NULL && EVP_PKEY_eq(k, want) == 1)
			found = pubs[i];
		EVP_PKEY_free(k);
	}
	/* An imported key has no public-key object; its ID is the SHA-1
	 * of its public key (tools/tool_import.h), a 160-bit match. */
	unsigned char id[20];
	if (found == 0 && want != NULL && tt_key_id(want, id) &&
	    tt_find(t, CKO_PRIVATE_KEY, NULL, id, sizeof(id), pubs, 1) == 1) {
		found = pubs[0];
	}
	EVP_PKEY_free(want);
	return found;
}

/* The certificate object as PKCS#11 §4.6.3 has it: besides the value,
 * CKA_SUBJECT, CKA_ISSUER and CKA_SERIAL_NUMBER, which other vendors'
 * modules (SoftHSM2) do not fill in themselves and which programs (NSS,
 * Java) search by. */
static int create(struct tt_token *t, X509 *x, unsigned char *der, int der_len,
		  const char *label, unsigned char *id, size_t id_len, CK_OBJECT_HANDLE *h)
{
	char lab[80];
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ct = CKC_X_509;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	unsigned char *subject = NULL, *issuer = NULL, *serial = NULL;
	int subject_len = i2d_X509_NAME(X509_get_subject_name(x), &subject);
	int issuer_len = i2d_X509_NAME(X509_get_issuer_name(x), &issuer);
	int serial_len = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &serial);
	CK_ATTRIBUTE tmpl[] = {
		{CKA_CLASS, &cls, sizeof(cls)},
		{CKA_CERTIFICATE_TYPE, &ct, sizeof(ct)},
		{CKA_TOKEN, &yes, sizeof(yes)},
		{CKA_PRIVATE, &no, sizeof(no)},
		{CKA_LABEL, lab, 0},
		{CKA_ID, id, id_len},
		{CKA_VALUE, der, (CK_ULONG)der_len},
		{CKA_SUBJECT, subject, (CK_ULONG)subject_len},
		{CKA_ISSUER, issuer, (CK_ULONG)issuer_len},
		{CKA_SERIAL_NUMBER, serial, (CK_ULONG)serial_len},
	};
	CK_RV rv = CKR_HOST_MEMORY;

	tmpl[4].ulValueLen = tt_text(lab, sizeof(lab), label);
	if (subject_len > 0 && issuer_len > 0 && serial_len > 0)
		rv = t->f->C_CreateObject(t->s, tmpl, sizeof(tmpl) / sizeof(tmpl[0]), h);
	OPENSSL_free(subject);
	OPENSSL_free(issuer);
	OPENSSL_free(serial);
	return rv == CKR_OK ? TT_OK : tt_fail("writing the certificate to the token", rv);
}

int tt_install(struct tt_token *t, X509 *x, bool replace, char *label, size_t label_size,
	       bool *already)
{
	CK_OBJECT_HANDLE key;
	char end[40];
	int keys;

	*already = false;
	if (tt_days_left(x, end, sizeof(end)) < 0) {
		tt_err("the certificate ended on %s: an ended certificate cannot sign; "
		       "ask the CA for a new one (tumar-tool reissue helps while one is valid)", end);
		return TT_USAGE;
	}
	if ((key = matching_key(t, x, &keys)) == 0 && t->failed)
		return tt_token_failure(t);
	if (key == 0) {
		tt_err("this certificate is for another key: none of the %d key%s on this token has "
		       "its public key.  Was the request made on another token, or is it someone "
		       "else's certificate?", keys, keys == 1 ? "" : "s");
		return TT_USAGE;
	}
	return tt_install_at(t, x, key, replace, label, label_size, already);
}

int tt_install_at(struct tt_token *t, X509 *x, CK_OBJECT_HANDLE key, bool replace, char *label,
		  size_t label_size, bool *already)
{
	CK_OBJECT_HANDLE old[4];
	unsigned char *der = NULL, *id = NULL;
	int der_len, n, rc = TT_OK;
	size_t id_len;

	*already = false;
	tt_label(t, key, label, label_size);
	id = tt_attr(t, key, CKA_ID, &id_len);
	der_len = i2d_X509(x, &der);
	if (id == NULL || der_len <= 0) {
		rc = tt_fail("reading the key's ID", CKR_GENERAL_ERROR);
		goto out;
	}
	n = tt_find(t, CKO_CERTIFICATE, NULL, id, id_len, old, 4);
	for (int i = 0; i < n; i++) {
		X509 *have = tt_cert(t, old[i]);
		bool same = have != NULL && X509_cmp(have, x) == 0;
		X509_free(have);
		if (same) {
			*already = true;
			goto out; /* nothing to do: success */
		}
	}
	if (n > 0 && !replace) {
		tt_err("the %s key already has another certificate; --replace puts this one "
		       "in its place", label);
		rc = TT_USAGE;
		goto out;
	}
	/* The new one first: a failure leaves the old one in place. */
	CK_OBJECT_HANDLE created = CK_INVALID_HANDLE;
	if ((rc = create(t, x, der, der_len, label, id, id_len, &created)) != TT_OK)
		goto out;
	for (int i = 0; i < n; i++) {
		CK_RV rv = t->f->C_DestroyObject(t->s, old[i]);
		if (rv != CKR_OK) {
			/* Two certificates for one key would be worse than
			 * the old one kept: take the new one away again. */
			rc = tt_fail("removing the replaced certificate", rv);
			if (created != CK_INVALID_HANDLE)
				t->f->C_DestroyObject(t->s, created);
			break;
		}
	}
out:
	OPENSSL_free(der);
	free(id);
	return rc;
}
