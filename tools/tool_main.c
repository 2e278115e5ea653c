/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: the token owner's tool.  Each subcommand lives in its own
 * cmd_*.c file; this one finds it and hands over the options. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "tools/json_out.h"
#include "tools/tool.h"
#include "tools/tool_cmds.h"

const struct tt_cmd tt_cmds[] = {
	{"list", "readers and tokens: model, serial, PIN tries, factory PIN", tt_cmd_list},
	{"change-pin", "change the user PIN (or --so the SO PIN)", tt_cmd_change_pin},
	{"unblock", "unblock the user PIN with the SO PIN and set a new one", tt_cmd_unblock},
	{"keys", "the keys on the token: label, algorithm, ID, certificate, URI", tt_cmd_keys},
	{"keygen", "generate a key pair on the token (RSA or AUTH_RSA)", tt_cmd_keygen},
	{"csr", "a PKCS#10 certificate request signed by the token's key", tt_cmd_csr},
	{"install-cert", "put an issued certificate next to its key", tt_cmd_install_cert},
	{"import", "an NCA key store (.p12) onto the token: keys and certificates", tt_cmd_import},
	{"delete", "delete a key (and its certificate) or a certificate; asks first", tt_cmd_delete},
	{"expiry", "the token's certificates and when they end", tt_cmd_expiry},
	{"reissue", "new keys and requests while the certificates are valid", tt_cmd_reissue},
	{"sign", "sign a file with the token's key (to try it, or in scripts)", tt_cmd_sign},
	{"info", "a certificate file as a Kazakh user reads it", tt_cmd_info},
	{NULL, NULL, NULL},
};

static const char *const exit_meanings[] = {
	"done",
	"the token or module refused",
	"bad usage or input",
	"no module, no reader or token, or not the token asked for",
	"a certificate ends within the warning days",
	"a certificate has ended",
};

const char *tt_exit_meaning(int rc)
{
	return rc >= 0 && rc <= TT_EXPIRED ? exit_meanings[rc] : "failed";
}

/* With --json, a command that fails says so on stdout too, as an object
 * a script can read (the messages went to stderr as well).  expiry's 4
 * and 5 are findings it reported in its own output, not errors.  A
 * command that already wrote its document carried its error in it (list
 * with nothing to show): a second one would make stdout no longer one
 * JSON value. */
static int finish(struct tt_opts *o, int rc)
{
	tt_opts_free(o);
	if (!o->json || rc == TT_OK || rc == TT_EXPIRING || rc == TT_EXPIRED ||
	    tj_stdout_documents() > 0)
		return rc;
	struct tj j;
	tj_init(&j, stdout);
	tj_obj(&j, NULL);
	tt_json_error(&j, rc, NULL);
	tj_end(&j, '}');
	return rc;
}

void tt_json_error(struct tj *j, int rc, const char *why)
{
	tj_str(j, "error", why ? why : *tt_errors() ? tt_errors() : tt_exit_meaning(rc));
	tj_int(j, "exit_code", rc);
	tj_str(j, "exit_meaning", tt_exit_meaning(rc));
}

static void usage(FILE *f)
{
	fputs("Usage: tumar-tool [options] COMMAND [command options]\n"
	      "\n"
	      "Manage an EDS token (Kaztoken, eToken PRO, JaCarta, aKey, ID card) through\n"
	      "its PKCS#11 module.  Commands:\n", f);
	for (const struct tt_cmd *c = tt_cmds; c->name; c++)
		fprintf(f, "  %-13s %s\n", c->name, c->summary);
	fputs("\n'tumar-tool COMMAND --help' tells more.\n\n" TT_COMMON_HELP
	      "\n"
	      "Exit status:\n"
	      "  0  done\n"
	      "  1  the token or module refused (wrong PIN, blocked PIN, card error)\n"
	      "  2  bad usage or input (an option, a PIN against the rules, a file)\n"
	      "  3  no module, no reader or token, or not the token asked for\n"
	      "  4  expiry: a certificate ends within the warning days\n"
	      "  5  expiry: a certificate has ended\n", f);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TT_COMMON_LONGOPTS,
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct tt_opts o = {.slot = -1, .pin_fd = -1};
	int c;

	/* --json anywhere asks for errors as JSON, those of the options
	 * before it included. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			o.json = true;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return TT_OK;
		}
		if (c == 'V') {
			puts("tumar-tool " PACKAGE_VERSION);
			return TT_OK;
		}
		int common = tt_common_opt(&o, c, optarg);
		if (common < 0)
			return finish(&o, TT_USAGE);
		if (common == 0) {
			usage(stderr);
			return TT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return TT_USAGE;
	}
	for (const struct tt_cmd *cmd = tt_cmds; cmd->name; cmd++)
		if (strcmp(cmd->name, argv[optind]) == 0) {
			char **sub = argv + optind;
			int n = argc - optind;
			optind = 0; /* glibc: start afresh on the subcommand's argv */
			return finish(&o, cmd->run(&o, n, sub));
		}
	tt_err("%s: no such command (tumar-tool --help lists them)", argv[optind]);
	return finish(&o, TT_USAGE);
}
