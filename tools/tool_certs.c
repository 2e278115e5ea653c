/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: certificate files and what NCA certificates say
 * (tools/tool_certs.h). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "apdu/gost.h"
#include "tools/tool_certs.h"

const int tt_nca_reminders[4] = {30, 14, 10, 7};

X509 *tt_load_cert(const char *path)
{
	BIO *b = BIO_new_file(path, "rb");
	X509 *x = NULL;

	if (b == NULL) {
		tt_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (x == NULL) {
		(void)BIO_reset(b);
		x = d2i_X509_bio(b, NULL);
	}
	BIO_free(b);
	if (x == NULL)
		tt_err("%s: not an X.509 certificate (PEM or DER)", path);
	return x;
}

EVP_PKEY *tt_cert_key(X509 *x)
{
	EVP_PKEY *k = X509_get_pubkey(x);
	unsigned char *der = NULL;
	int n;

	ERR_clear_error();
	if (k != NULL || (n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der)) <= 0)
		return k;
	tm_gost_pubkey_from_spki(der, (size_t)n, &k, NULL);
	OPENSSL_free(der);
	return k;
}

long tt_days_left(X509 *x, char *end, size_t end_size)
{
	const ASN1_TIME *na = X509_get0_notAfter(x);
	int days = 0, secs = 0;
	struct tm tm;

	if (ASN1_TIME_to_tm(na, &tm) == 1)
		strftime(end, end_size, "%Y-%m-%d %H:%M UTC", &tm);
	else
		snprintf(end, end_size, "(unreadable)");
	if (ASN1_TIME_diff(&days, &secs, NULL, na) != 1)
		return -1;
	/* A part of a day that is left is not a whole day. */
	if (days > 0 && secs < 0)
		days--;
	if (days == 0 && secs < 0)
		return -1;
	return days;
}

void tt_rfc3339(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "%s", "");
}

/* The NCA's OIDs (its certificate policy; see also the Kazakh
 * government's order on EDS certificates). */
static const struct {
	const char *oid, *name;
} nca_roles[] = {
	{"1.2.398.3.3.4.1.1", "individual"},
	{"1.2.398.3.3.4.1.1.1", "individual's information system"},
	{"1.2.398.3.3.4.1.2", "organisation"},
	{"1.2.398.3.3.4.1.2.1", "first head (signs for the organisation)"},
	{"1.2.398.3.3.4.1.2.2", "person with the right to sign"},
	{"1.2.398.3.3.4.1.2.3", "right to sign financial documents"},
	{"1.2.398.3.3.4.1.2.4", "HR officer"},
	{"1.2.398.3.3.4.1.2.5", "employee"},
}, nca_policies[] = {
	{"1.2.398.3.3.1.1", "NCA regulations"},
	{"1.2.398.3.3.2.1", "signing, organisation"},
	{"1.2.398.3.3.2.2", "authentication, organisation"},
	{"1.2.398.3.3.2.3", "signing, individual"},
	{"1.2.398.3.3.2.4", "authentication, individual"},
};

static void append(char *out, size_t size, const char *name)
{
	size_t len = strlen(out);

	if (strstr(out, name) != NULL)
		return;
	snprintf(out + len, size - len, "%s%s", len ? ", " : "", name);
}

#define LOOKUP(table, obj, out, size)                                              \
	do {                                                                           \
		char txt_[80];                                                             \
		OBJ_obj2txt(txt_, sizeof(txt_), (obj), 1);                                 \
		for (size_t k_ = 0; k_ < sizeof(table) / sizeof(table[0]); k_++)           \
			if (strcmp(txt_, table[k_].oid) == 0)                              \
				append((out), (size), table[k_].name);                     \
	} while (0)

void tt_nca_roles(X509 *x, char *out, size_t size)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);

	out[0] = '\0';
	for (int i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++)
		LOOKUP(nca_roles, sk_ASN1_OBJECT_value(eku, i), out, size);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
}

void tt_nca_policies(X509 *x, char *out, size_t size)
{
	CERTIFICATEPOLICIES *cp = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);

	out[0] = '\0';
	for (int i = 0; cp != NULL && i < sk_POLICYINFO_num(cp); i++)
		LOOKUP(nca_policies, sk_POLICYINFO_value(cp, i)->policyid, out, size);
	CERTIFICATEPOLICIES_free(cp);
}

bool tt_name_field(const X509_NAME *n, int nid, const char *prefix, char *out, size_t size)
{
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	unsigned char *utf8 = NULL;
	size_t skip = strlen(prefix);
	int len;

	out[0] = '\0';
	if (i < 0)
		return false;
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
	if (len < 0)
		return false;
	const char *s = (const char *)utf8;
	if ((size_t)len >= skip && strncmp(s, prefix, skip) == 0)
		s += skip;
	snprintf(out, size, "%s", s);
	OPENSSL_free(utf8);
	return true;
}
