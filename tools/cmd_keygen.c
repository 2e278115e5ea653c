/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool keygen: a key pair made on the token, labelled as the NCA
 * names it.  The private key never leaves the card. */
#include <config.h>

#include "tools/json_out.h"
#include "tools/tool_cmds.h"
#include "tools/tool_keys.h"
#include "tools/tool_objects.h"
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool keygen --purpose sign|auth [--alg A] [--label L]\n"
"\n"
"Generates a key pair on the token; the private key never leaves it.\n"
"  --purpose sign   the signing key, labelled RSA (as the NCA names it),\n"
"                   GOST512 or GOST256\n"
"  --purpose auth   the authentication key, labelled AUTH_RSA, AUTH_GOST512...\n"
"  --alg A          gost512 (GOST R 34.10-2015 512, what the NCA issues since\n"
"                   2024: the default where the token makes it), gost256,\n"
"                   rsa2048 (the default elsewhere), or ec-p256\n"
"  --label L        another label\n"
"Needs the PIN (TUMAR_PIN).  Then make a request for it: tumar-tool csr.\n";

struct args {
	bool have_purpose, have_alg;
	enum tt_purpose purpose;
	enum tt_alg alg;
	const char *label;
};

static bool own_opt(int c, const char *arg, void *ctx)
{
	struct args *a = ctx;

	if (c == 'p' && tt_purpose_parse(arg, &a->purpose))
		return a->have_purpose = true;
	if (c == 'a' && tt_alg_parse(arg, &a->alg))
		return a->have_alg = true;
	if (c == 'l') {
		a->label = arg;
		return true;
	}
	if (c == 'p' || c == 'a')
		tt_err("%s: not one of the choices below", arg);
	return false;
}

int tt_cmd_keygen(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {
		{"purpose", required_argument, NULL, 'p'},
		{"alg", required_argument, NULL, 'a'},
		{"label", required_argument, NULL, 'l'},
		{NULL, 0, NULL, 0},
	};
	struct args a = {.alg = TT_RSA2048};
	CK_OBJECT_HANDLE same[TT_MAX_OBJECTS];
	struct tt_new_key k;
	struct tt_token t;
	char id[129];
	int rc, rest;

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &a, &rest)) >= 0)
		return rc;
	if (rest != argc || !a.have_purpose) {
		if (!a.have_purpose)
			tt_err("keygen needs --purpose sign or --purpose auth");
		return tt_usage(stderr, usage, TT_USAGE);
	}
	if ((rc = tt_token_open(o, &t, true)) != TT_OK)
		return rc;
	if (!a.have_alg)
		a.alg = tt_token_makes(&t, TT_GOST512) ? TT_GOST512 : TT_RSA2048;
	if (!tt_token_makes(&t, a.alg)) {
		tt_err("this token does not make %s keys", tt_alg_title(a.alg));
		rc = TT_USAGE;
		goto out;
	}
	if (a.label == NULL)
		a.label = tt_key_label(a.purpose, a.alg);
	if ((rc = tt_login(&t, o, CKU_USER)) != TT_OK)
		goto out;
	int n = tt_find(&t, CKO_PRIVATE_KEY, a.label, NULL, 0, same, TT_MAX_OBJECTS);
	if (n > 0 && !o->json)
		fprintf(stderr, "Note: the token already has %d key%s labelled %s; the new one is told "
			"apart by its ID, and its certificate will find it.\n", n, n > 1 ? "s" : "",
			a.label);
	if ((rc = tt_generate(&t, a.purpose, a.alg, a.label, !o->json, &k)) != TT_OK)
		goto out;
	tt_hex(id, k.id, k.id_len);
	if (o->json) {
		struct tj j;
		tj_init(&j, stdout);
		tj_obj(&j, NULL);
		tj_str(&j, "label", a.label);
		tj_str(&j, "id", id);
		tj_str(&j, "alg", tt_alg_name(a.alg));
		tj_int(&j, "milliseconds", (long long)(k.seconds * 1000));
		tj_end(&j, '}');
	} else {
		printf("Key pair %s generated on the token in %.1f s, ID %s.\n"
		       "Next: tumar-tool csr --purpose %s --cn NAME --iin IIN -o request.csr\n",
		       a.label, k.seconds, id, a.purpose == TT_SIGN ? "sign" : "auth");
	}
out:
	tt_token_close(&t);
	return rc;
}
