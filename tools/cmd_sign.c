/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool sign: a file signed by the key on the token whose
 * certificate is valid — to try a token, or to script a signature. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "tools/json_out.h"
#include "tools/tool_certs.h"
#include "tools/tool_cmds.h"
#include "tools/tool_keys.h"
#include "tools/tool_objects.h"
#include "tools/tool_out.h"
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool sign [--purpose sign|auth] [--alg A] [--layout nca|rfc4491]\n"
"                       [--cert-out CERT] [--pubkey-out KEY] -o SIG FILE\n"
"\n"
"Signs FILE with the token's key: GOST R 34.10-2015 with Streebog of the\n"
"key's size, SHA-256 with RSA PKCS#1 v1.5, or ECDSA with SHA-256; the file\n"
"is hashed here, the token signs.  The key is the purpose's (sign, the\n"
"default, or auth) whose certificate is valid, the latest when there are\n"
"several; GOST 512, then GOST 256, then RSA, unless --alg names one\n"
"(gost512, gost256, rsa2048, ec-p256).\n"
"  -o SIG           the signature (raw; ECDSA as DER; GOST r||s little-endian,\n"
"                   the NCA's layout, or with --layout rfc4491 s||r big-endian,\n"
"                   PKCS#11's and gost-engine's)\n"
"  --cert-out CERT  the key's certificate, for whoever verifies:\n"
"      openssl x509 -in CERT -pubkey -noout > key.pub\n"
"      openssl dgst -sha256 -verify key.pub -signature SIG FILE\n"
"  --pubkey-out KEY the key as OpenSSL reads it (PEM; GOST with TC26's OIDs,\n"
"                   which gost-engine knows and the certificate's NCA OIDs are\n"
"                   not):\n"
"      openssl dgst -engine gost -md_gost12_512 -verify KEY -signature SIG FILE\n"
"                   (a signature made with --layout rfc4491)\n"
"Needs the PIN (TUMAR_PIN).\n";

struct args {
	enum tt_purpose purpose;
	bool have_alg, rfc4491;
	enum tt_alg alg;
	const char *out, *cert_out, *pubkey_out;
};

static bool own_opt(int c, const char *arg, void *ctx)
{
	struct args *a = ctx;

	if (c == 'p' && tt_purpose_parse(arg, &a->purpose))
		return true;
	if (c == 'a' && tt_alg_parse(arg, &a->alg))
		return a->have_alg = true;
	if (c == 'L' && (strcmp(arg, "nca") == 0 || strcmp(arg, "rfc4491") == 0)) {
		a->rfc4491 = strcmp(arg, "rfc4491") == 0;
		return true;
	}
	if (c == 'p' || c == 'a' || c == 'L') {
		tt_err("%s: not one of the choices below", arg);
		return false;
	}
	if (c == 'o')
		a->out = arg;
	else if (c == 'c')
		a->cert_out = arg;
	else if (c == 'k')
		a->pubkey_out = arg;
	else
		return false;
	return true;
}

/* The private key labelled label whose certificate is valid and ends
 * last; its certificate in *cert (NULL when none). */
static void labelled_key(struct tt_token *t, const char *label, CK_OBJECT_HANDLE *priv, X509 **cert)
{
	CK_OBJECT_HANDLE certs[TT_MAX_OBJECTS], key;
	int n = tt_find(t, CKO_CERTIFICATE, label, NULL, 0, certs, TT_MAX_OBJECTS);
	long best = -1;
	char end[40];

	*cert = NULL;
	for (int i = 0; i < n; i++) {
		X509 *x = tt_cert(t, certs[i]);
		size_t len;
		unsigned char *id = tt_attr(t, certs[i], CKA_ID, &len);
		long days = x ? tt_days_left(x, end, sizeof(end)) : -1;
		if (x != NULL && id != NULL && days > best &&
		    tt_find(t, CKO_PRIVATE_KEY, NULL, id, len, &key, 1) == 1) {
			X509_free(*cert);
			*cert = x;
			*priv = key;
			best = days;
			x = NULL;
		}
		X509_free(x);
		free(id);
	}
}

/* The purpose's key with a valid certificate: of the algorithm asked, or
 * the first of GOST 512, GOST 256, RSA that has one. */
static int signing_key(struct tt_token *t, const struct args *a, const char **label,
		       CK_OBJECT_HANDLE *priv, X509 **cert)
{
	static const enum tt_alg order[] = {TT_GOST512, TT_GOST256, TT_RSA2048};
	size_t n = a->have_alg ? 1 : sizeof(order) / sizeof(order[0]);

	*cert = NULL;
	for (size_t i = 0; i < n && *cert == NULL; i++) {
		*label = tt_key_label(a->purpose, a->have_alg ? a->alg : order[i]);
		labelled_key(t, *label, priv, cert);
	}
	if (*cert == NULL && t->failed)
		return tt_token_failure(t);
	if (*cert == NULL) {
		tt_err("no %s key with a valid certificate on the token (tumar-tool expiry shows "
		       "the certificates)", a->have_alg ? *label : a->purpose == TT_SIGN ? "signing"
											 : "authentication");
		return TT_USAGE;
	}
	return TT_OK;
}

static int sign_file(struct tt_token *t, CK_OBJECT_HANDLE priv, enum tt_alg alg, bool nca,
		     const char *path, unsigned char **sig, int *sig_len)
{
	FILE *in = fopen(path, "rb");
	unsigned char buf[16384];
	size_t n;
	int rc;

	if (in == NULL) {
		tt_err("%s: %s", path, strerror(errno));
		return TT_USAGE;
	}
	rc = tt_sign_begin(t, priv, alg);
	while (rc == TT_OK && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		rc = tt_sign_update(t, buf, n);
	if (rc == TT_OK && ferror(in)) {
		tt_err("%s: read error", path);
		rc = TT_USAGE;
	}
	fclose(in);
	if (rc == TT_OK)
		rc = tt_sign_finish(t, alg, nca, sig, sig_len);
	else
		t->f->C_SignFinal(t->s, NULL, &(CK_ULONG){0}); /* ends the operation */
	return rc;
}

/* Puts an output in place once written (written: whether the writing
 * went well). */
static bool put_out(struct tt_out *out, bool written)
{
	if (!written) {
		tt_err("%s: could not write it", out->path);
		tt_out_abort(out);
		return false;
	}
	return tt_out_commit(out);
}

static const char *sig_alg_name(enum tt_alg a)
{
	switch (a) {
	case TT_EC_P256: return "ecdsa-with-SHA256";
	case TT_GOST512: return "gost2015-512-streebog512";
	case TT_GOST256: return "gost2015-256-streebog256";
	default: return "sha256WithRSAEncryption";
	}
}

int tt_cmd_sign(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {
		{"purpose", required_argument, NULL, 'p'}, {"output", required_argument, NULL, 'o'},
		{"cert-out", required_argument, NULL, 'c'}, {"alg", required_argument, NULL, 'a'},
		{"layout", required_argument, NULL, 'L'}, {"pubkey-out", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	struct args a = {.purpose = TT_SIGN};
	const char *label;
	CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
	unsigned char *sig = NULL;
	int rc, rest, sig_len = 0;
	struct tt_token t = {0};
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	char cn[256] = "";
	struct tt_out sig_out = {0}, cert_out = {0}, key_out = {0};

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &a, &rest)) >= 0)
		return rc;
	if (rest != argc - 1 || a.out == NULL) {
		tt_err("sign needs -o SIG and one FILE");
		return tt_usage(stderr, usage, TT_USAGE);
	}
	/* Every output is created before the PIN is spent. */
	if (!tt_out_open(&sig_out, a.out) || (a.cert_out && !tt_out_open(&cert_out, a.cert_out)) ||
	    (a.pubkey_out && !tt_out_open(&key_out, a.pubkey_out))) {
		rc = TT_USAGE;
		goto out;
	}
	if ((rc = tt_token_open(o, &t, false)) != TT_OK)
		goto out;
	if ((rc = tt_login(&t, o, CKU_USER)) != TT_OK ||
	    (rc = signing_key(&t, &a, &label, &priv, &cert)) != TT_OK)
		goto out;
	if ((key = tt_cert_key(cert)) == NULL) {
		tt_err("the %s certificate's key is of a kind this tool does not know", label);
		rc = TT_FAILED;
		goto out;
	}
	enum tt_alg alg = tt_key_alg(key);
	if ((rc = sign_file(&t, priv, alg, !a.rfc4491, argv[rest], &sig, &sig_len)) != TT_OK)
		goto out;
	if (!put_out(&sig_out, fwrite(sig, 1, (size_t)sig_len, sig_out.f) == (size_t)sig_len) ||
	    (a.cert_out && !put_out(&cert_out, PEM_write_X509(cert_out.f, cert) == 1)) ||
	    (a.pubkey_out && !put_out(&key_out, PEM_write_PUBKEY(key_out.f, key) == 1))) {
		rc = TT_USAGE;
		goto out;
	}
	const char *layout = !tt_alg_is_gost(alg) ? NULL : a.rfc4491 ? "rfc4491" : "nca";
	tt_name_field(X509_get_subject_name(cert), NID_commonName, "", cn, sizeof(cn));
	if (o->json) {
		struct tj j;
		tj_init(&j, stdout);
		tj_obj(&j, NULL);
		tj_str(&j, "signature", a.out);
		tj_str(&j, "key_label", label);
		tj_str(&j, "signer", cn);
		tj_str(&j, "algorithm", sig_alg_name(alg));
		if (layout)
			tj_str(&j, "layout", layout);
		tj_end(&j, '}');
	} else {
		printf("%s signed by %s (the %s key%s%s); signature in %s.\n", argv[rest], cn, label,
		       layout ? ", layout " : "", layout ? layout : "", a.out);
	}
out:
	tt_out_abort(&sig_out);
	tt_out_abort(&cert_out);
	tt_out_abort(&key_out);
	EVP_PKEY_free(key);
	OPENSSL_free(sig);
	X509_free(cert);
	tt_token_close(&t);
	return rc;
}
