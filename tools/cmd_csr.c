/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool csr: a PKCS#10 request as the NCA takes it, signed by the
 * key on the token. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tools/json_out.h"
#include "tools/kz_id.h"
#include "tools/tool_cmds.h"
#include "tools/tool_keylist.h"
#include "tools/tool_keys.h"
#include "tools/tool_objects.h"
#include "tools/tool_out.h"
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool csr --purpose sign|auth --cn NAME --iin IIN [--email E]\n"
"                      -o FILE\n"
"\n"
"Makes a certificate request (PKCS#10, PEM) for the key on the token and has\n"
"the token sign it; the CA issues the certificate from it.\n"
"  --purpose sign   for the signing key (label GOST512, GOST256 or RSA, the\n"
"                   first the token has): key usage nonRepudiation,\n"
"                   digitalSignature\n"
"  --purpose auth   for the authentication key (AUTH_GOST512, ..., AUTH_RSA):\n"
"                   key usage digitalSignature, keyEncipherment (RSA) or\n"
"                   keyAgreement; clientAuth\n"
"  --alg A          the purpose's key of this algorithm (gost512, gost256,\n"
"                   rsa2048, ec-p256)\n"
"A GOST request carries the NCA's OIDs (key 1.2.398.3.10.1.1.2.2, signature\n"
"1.2.398.3.10.1.1.2.3.2 for 512 bits) and its signature in the NCA's layout.\n"
"  --cn NAME        common name, as on the ID (e.g. \"IVANOV IVAN\")\n"
"  --iin IIN        the 12-digit IIN (SERIALNUMBER=IIN...), check digit checked\n"
"  --surname S, --given-name G, --email E\n"
"  --org O --bin BIN   for an organisation's employee (OU=BIN...)\n"
"  --label L / --id HEX|URI   another key than the purpose's (tumar-tool keys\n"
"                   lists them with their IDs and URIs)\n"
"  -o FILE          where to write the request (\"-\": stdout)\n"
"Needs the PIN (TUMAR_PIN).\n";

struct args {
	bool have_purpose;
	enum tt_purpose purpose;
	struct tt_subject subj;
	const char *label, *out;
	struct tt_opts *o;
	struct tt_key_sel sel; /* --id HEX or URI */
	bool have_alg;
	enum tt_alg alg;
};

static bool own_opt(int c, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (c) {
	case 'p':
		if (tt_purpose_parse(arg, &a->purpose))
			return a->have_purpose = true;
		tt_err("--purpose %s: sign or auth", arg);
		return false;
	case 'c': a->subj.cn = arg; return true;
	case 'i': a->subj.iin = arg; return true;
	case 's': a->subj.surname = arg; return true;
	case 'g': a->subj.given_name = arg; return true;
	case 'e': a->subj.email = arg; return true;
	case 'r': a->subj.org = arg; return true;
	case 'b': a->subj.bin = arg; return true;
	case 'l': a->label = arg; return true;
	case 'a':
		if (tt_alg_parse(arg, &a->alg))
			return a->have_alg = true;
		tt_err("--alg %s: gost512, gost256, rsa2048 or ec-p256", arg);
		return false;
	case 'o': a->out = arg; return true;
	case 'd': return tt_key_sel_arg(a->o, &a->sel, "--id", arg);
	default:
		return false;
	}
}

/* The label of the purpose's key: the first of GOST 512, GOST 256 and
 * RSA that the token has a private key of (RSA's when none, so the error
 * names the label asked for). */
static const char *purpose_key_label(struct tt_token *t, enum tt_purpose p)
{
	static const enum tt_alg order[] = {TT_GOST512, TT_GOST256, TT_RSA2048};
	CK_OBJECT_HANDLE h;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (tt_find(t, CKO_PRIVATE_KEY, tt_key_label(p, order[i]), NULL, 0, &h, 1) > 0)
			return tt_key_label(p, order[i]);
	return tt_purpose_label(p);
}

int tt_cmd_csr(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {
		{"purpose", required_argument, NULL, 'p'}, {"cn", required_argument, NULL, 'c'},
		{"iin", required_argument, NULL, 'i'}, {"surname", required_argument, NULL, 's'},
		{"given-name", required_argument, NULL, 'g'}, {"email", required_argument, NULL, 'e'},
		{"org", required_argument, NULL, 'r'}, {"bin", required_argument, NULL, 'b'},
		{"label", required_argument, NULL, 'l'}, {"id", required_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'}, {"alg", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	struct args a = {.o = o};
	struct tt_token t;
	CK_OBJECT_HANDLE priv;
	EVP_PKEY *pub = NULL;
	X509_REQ *req = NULL;
	struct tt_out out = {0};
	int rc, rest;

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &a, &rest)) >= 0)
		return rc;
	if (rest != argc || !a.have_purpose || a.subj.cn == NULL || a.subj.iin == NULL || a.out == NULL) {
		tt_err("csr needs --purpose, --cn, --iin and -o");
		return tt_usage(stderr, usage, TT_USAGE);
	}
	if (!tt_kz_id_valid(a.subj.iin)) {
		tt_err("--iin %s: an IIN is 12 digits with a valid check digit", a.subj.iin);
		return TT_USAGE;
	}
	if (a.subj.bin != NULL && !tt_kz_id_valid(a.subj.bin)) {
		tt_err("--bin %s: a BIN is 12 digits with a valid check digit", a.subj.bin);
		return TT_USAGE;
	}
	if (!tt_out_open(&out, a.out))
		return TT_USAGE;
	if ((rc = tt_token_open(o, &t, false)) != TT_OK) {
		tt_out_abort(&out);
		return rc;
	}
	if ((rc = tt_login(&t, o, CKU_USER)) != TT_OK)
		goto out;
	if (a.label == NULL && a.sel.label != NULL && !a.sel.have_id)
		a.label = a.sel.label; /* a URI with object= only */
	if (a.label == NULL && a.have_alg)
		a.label = tt_key_label(a.purpose, a.alg);
	else if (a.label == NULL && !a.sel.have_id)
		a.label = purpose_key_label(&t, a.purpose);
	rc = tt_key_pair(&t, a.label, a.sel.have_id ? a.sel.id : NULL, a.sel.id_len, &priv, &pub);
	if (rc != TT_OK)
		goto out;
	char key_label[80];
	tt_label(&t, priv, key_label, sizeof(key_label)); /* the key's own, for --id */
	a.label = key_label;
	if ((req = tt_make_request(&t, priv, pub, &a.subj, a.purpose)) == NULL) {
		rc = TT_FAILED;
		goto out;
	}
	if (!tt_write_request(req, &out)) {
		rc = TT_USAGE;
		goto out;
	}
	if (o->json && strcmp(a.out, "-") != 0) {
		struct tj j;
		tj_init(&j, stdout);
		tj_obj(&j, NULL);
		tj_str(&j, "request", a.out);
		tj_str(&j, "key_label", a.label);
		tj_end(&j, '}');
	} else if (strcmp(a.out, "-") != 0) {
		printf("Request for the %s key written to %s; the token signed it.\n", a.label, a.out);
	}
out:
	tt_out_abort(&out);
	X509_REQ_free(req);
	EVP_PKEY_free(pub);
	tt_token_close(&t);
	return rc;
}
