/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool install-cert: an issued certificate next to its key. */
#include <config.h>

#include "tools/json_out.h"
#include "tools/tool_certs.h"
#include "tools/tool_cmds.h"
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool install-cert [--replace] FILE\n"
"\n"
"Puts an issued certificate (PEM or DER) on the token, next to the key whose\n"
"public key it carries (the same CKA_ID and label, so applications pair\n"
"them).  A certificate for a key that is not on this token, or one that has\n"
"ended, is refused.  --replace: the key's previous certificate gives way.\n"
"Needs the PIN (TUMAR_PIN).\n";

static bool own_opt(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c != 'r')
		return false;
	*(bool *)ctx = true;
	return true;
}

int tt_cmd_install_cert(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {{"replace", no_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
	bool replace = false, already = false;
	struct tt_token t;
	char label[80];
	X509 *x;
	int rc, rest;

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &replace, &rest)) >= 0)
		return rc;
	if (rest != argc - 1)
		return tt_usage(stderr, usage, TT_USAGE);
	if ((x = tt_load_cert(argv[rest])) == NULL)
		return TT_USAGE;
	if ((rc = tt_token_open(o, &t, true)) != TT_OK)
		goto out;
	if ((rc = tt_login(&t, o, CKU_USER)) == TT_OK)
		rc = tt_install(&t, x, replace, label, sizeof(label), &already);
	if (rc == TT_OK) {
		if (o->json) {
			struct tj j;
			tj_init(&j, stdout);
			tj_obj(&j, NULL);
			tj_str(&j, "installed", argv[rest]);
			tj_str(&j, "key_label", label);
			tj_bool(&j, "already_there", already);
			tj_end(&j, '}');
		} else {
			printf(already ? "The certificate is already on the token, next to the %s key.\n"
				       : "Certificate installed next to the %s key.\n", label);
		}
	}
	tt_token_close(&t);
out:
	X509_free(x);
	return rc;
}
