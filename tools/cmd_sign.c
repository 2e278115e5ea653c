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
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool sign [--purpose sign|auth] [--cert-out CERT] -o SIG FILE\n"
"\n"
"Signs FILE with the token's key (SHA-256 with RSA PKCS#1 v1.5, or ECDSA\n"
"with SHA-256); the file is hashed here, the token signs.  The key is the\n"
"one labelled RSA (--purpose sign, the default) or AUTH_RSA whose\n"
"certificate is valid, the latest when there are several.\n"
"  -o SIG           the signature (raw; ECDSA as DER)\n"
"  --cert-out CERT  the key's certificate, for whoever verifies:\n"
"      openssl x509 -in CERT -pubkey -noout > key.pub\n"
"      openssl dgst -sha256 -verify key.pub -signature SIG FILE\n"
"Needs the PIN (TUMAR_PIN).\n";

struct args {
	enum tt_purpose purpose;
	const char *out, *cert_out;
};

static bool own_opt(int c, const char *arg, void *ctx)
{
	struct args *a = ctx;

	if (c == 'p' && tt_purpose_parse(arg, &a->purpose))
		return true;
	if (c == 'o')
		a->out = arg;
	else if (c == 'c')
		a->cert_out = arg;
	else
		return false;
	return true;
}

/* The private key labelled label whose certificate is valid and ends
 * last; its certificate in *cert. */
static int signing_key(struct tt_token *t, const char *label, CK_OBJECT_HANDLE *priv, X509 **cert)
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
	if (*cert == NULL) {
		tt_err("no %s key with a valid certificate on the token (tumar-tool expiry shows "
		       "the certificates)", label);
		return TT_USAGE;
	}
	return TT_OK;
}

static int sign_file(struct tt_token *t, CK_OBJECT_HANDLE priv, bool ec, const char *path,
		     unsigned char **sig, int *sig_len)
{
	FILE *in = fopen(path, "rb");
	unsigned char buf[16384];
	size_t n;
	int rc;

	if (in == NULL) {
		tt_err("%s: %s", path, strerror(errno));
		return TT_USAGE;
	}
	rc = tt_sign_begin(t, priv, ec);
	while (rc == TT_OK && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		rc = tt_sign_update(t, buf, n);
	if (rc == TT_OK && ferror(in)) {
		tt_err("%s: read error", path);
		rc = TT_USAGE;
	}
	fclose(in);
	if (rc == TT_OK)
		rc = tt_sign_finish(t, ec, sig, sig_len);
	else
		t->f->C_SignFinal(t->s, NULL, &(CK_ULONG){0}); /* ends the operation */
	return rc;
}

static bool write_file(const char *path, const unsigned char *data, size_t len, X509 *pem)
{
	FILE *f = fopen(path, "wb");
	bool ok = f != NULL && (pem ? PEM_write_X509(f, pem) == 1 : fwrite(data, 1, len, f) == len);

	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok)
		tt_err("%s: could not write it", path);
	return ok;
}

int tt_cmd_sign(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {
		{"purpose", required_argument, NULL, 'p'}, {"output", required_argument, NULL, 'o'},
		{"cert-out", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0},
	};
	struct args a = {.purpose = TT_SIGN};
	const char *label;
	CK_OBJECT_HANDLE priv;
	unsigned char *sig = NULL;
	int rc, rest, sig_len = 0;
	struct tt_token t;
	X509 *cert = NULL;
	char cn[256] = "";

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &a, &rest)) >= 0)
		return rc;
	if (rest != argc - 1 || a.out == NULL) {
		tt_err("sign needs -o SIG and one FILE");
		return tt_usage(stderr, usage, TT_USAGE);
	}
	label = tt_purpose_label(a.purpose);
	if ((rc = tt_token_open(o, &t, false)) != TT_OK)
		return rc;
	if ((rc = tt_login(&t, o, CKU_USER)) != TT_OK || (rc = signing_key(&t, label, &priv, &cert)) != TT_OK)
		goto out;
	bool ec = EVP_PKEY_is_a(X509_get0_pubkey(cert), "EC");
	if ((rc = sign_file(&t, priv, ec, argv[rest], &sig, &sig_len)) != TT_OK)
		goto out;
	if (!write_file(a.out, sig, (size_t)sig_len, NULL) ||
	    (a.cert_out && !write_file(a.cert_out, NULL, 0, cert))) {
		rc = TT_USAGE;
		goto out;
	}
	tt_name_field(X509_get_subject_name(cert), NID_commonName, "", cn, sizeof(cn));
	if (o->json) {
		struct tj j;
		tj_init(&j, stdout);
		tj_obj(&j, NULL);
		tj_str(&j, "signature", a.out);
		tj_str(&j, "key_label", label);
		tj_str(&j, "signer", cn);
		tj_str(&j, "algorithm", ec ? "ecdsa-with-SHA256" : "sha256WithRSAEncryption");
		tj_end(&j, '}');
	} else {
		printf("%s signed by %s (the %s key); signature in %s.\n", argv[rest], cn, label, a.out);
	}
out:
	OPENSSL_free(sig);
	X509_free(cert);
	tt_token_close(&t);
	return rc;
}
