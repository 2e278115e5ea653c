/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool keys: every key on the token as its owner thinks of it —
 * label, algorithm, ID, whether it has a certificate, and the PKCS#11 URI
 * other programs (OpenSSL, p11tool, ssh) can be given for it. */
#include <config.h>

#include "tools/json_out.h"
#include "tools/tool_cmds.h"
#include "tools/tool_keylist.h"
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool keys [--login] [--json]\n"
"\n"
"Lists the keys on the token: label, algorithm, ID, its certificate (whose\n"
"name, and when it ends) or none, and its PKCS#11 URI (RFC 7512), which\n"
"tumar-tool (--id), OpenSSL's pkcs11 engine and p11tool take.  Certificates\n"
"without a key (a CA's) are listed too.\n"
"  --login   log in first (PIN as for every command), so private keys that\n"
"            have no public key object (imported ones) are listed too\n";

static bool own_opt(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c != 'l')
		return false;
	*(bool *)ctx = true;
	return true;
}

int tt_cmd_keys(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {
		{"login", no_argument, NULL, 'l'},
		{NULL, 0, NULL, 0},
	};
	static struct tt_key_entry keys[TT_MAX_KEYS];
	bool login = false;
	struct tt_token t;
	struct tj j;
	int rc, rest, n;

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &login, &rest)) >= 0)
		return rc;
	if (rest != argc)
		return tt_usage(stderr, usage, TT_USAGE);
	if ((rc = tt_token_open(o, &t, false)) != TT_OK)
		return rc;
	if (login && (rc = tt_login(&t, o, CKU_USER)) != TT_OK)
		goto out;
	if ((n = tt_key_list(&t, keys, TT_MAX_KEYS)) < 0) {
		rc = TT_FAILED;
		goto out;
	}
	if (o->json) {
		tj_init(&j, stdout);
		tj_obj(&j, NULL);
		tj_bool(&j, "logged_in", login);
		tj_arr(&j, "keys");
		for (int i = 0; i < n; i++)
			tt_key_json(&t, &j, &keys[i]);
		tj_end(&j, ']');
		tj_end(&j, '}');
		goto out;
	}
	if (n == 0)
		puts(login ? "No keys on the token (tumar-tool keygen makes one)."
			   : "No keys seen (--login shows private keys without a public half).");
	for (int i = 0; i < n; i++)
		tt_key_print(&t, &keys[i]);
out:
	tt_token_close(&t);
	return rc;
}
