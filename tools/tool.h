/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tumar-tool's shared parts: options every subcommand takes, the PKCS#11
 * module and the chosen token, PINs, and the exit codes.  Everything goes
 * through the module; nothing talks to a card behind its back.
 */
#ifndef TUMAR_TOOLS_TOOL_H
#define TUMAR_TOOLS_TOOL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "driver/p11.h"
#include "driver/vendor.h"

/* Exit codes, as `tumar-tool --help` documents them. */
enum tt_exit {
	TT_OK = 0,
	TT_FAILED = 1,   /* the token or module refused: wrong PIN, blocked, ... */
	TT_USAGE = 2,    /* bad options or input: a PIN against the rules, a bad file */
	TT_NO_TOKEN = 3, /* no module, no reader, no token, or not the one asked for */
	TT_EXPIRING = 4, /* expiry: a certificate ends within the warning days */
	TT_EXPIRED = 5,  /* expiry: a certificate has ended */
};

struct p11_kit_uri; /* p11-kit's P11KitUri */

struct tt_opts {
	const char *module; /* NULL: TUMAR_MODULE, then the installed module */
	const char *token;  /* a token label, or NULL */
	const char *serial; /* a token serial number, or NULL */
	struct p11_kit_uri *token_uri;  /* --token pkcs11:..., or NULL */
	struct p11_kit_uri *object_uri; /* an object's URI a command was given, or
				       * NULL: its token part chooses the token too */
	long slot;          /* a slot ID, or -1 */
	bool json;
	int pin_fd;         /* -1, or PINs read a line each from this fd */
};

/* The options every subcommand takes, for its getopt_long table. */
#define TT_COMMON_LONGOPTS \
	{"module", required_argument, NULL, 'M'}, \
	{"slot", required_argument, NULL, 'S'}, \
	{"token", required_argument, NULL, 'T'}, \
	{"serial", required_argument, NULL, 'N'}, \
	{"json", no_argument, NULL, 'J'}, \
	{"pin-fd", required_argument, NULL, 'F'}, \
	{"pin", required_argument, NULL, 'P'}, \
	{"help", no_argument, NULL, 'h'}

#define TT_COMMON_HELP \
"Common options:\n" \
"  --module PATH   the PKCS#11 module (default: $TUMAR_MODULE, then the\n" \
"                  installed tumar-pkcs11.so)\n" \
"  --slot N        the token in slot N;  --token LABEL  the token so labelled\n" \
"  --token URI     the token a PKCS#11 URI (RFC 7512) names, as list prints it\n" \
"                  (pkcs11:model=...;serial=...);  --serial S  by serial number\n" \
"                  (default: the only token present)\n" \
"  --json          machine-readable output on stdout\n" \
"  --pin-fd N      read PINs from file descriptor N, one per line\n" \
"  PINs come from TUMAR_PIN, TUMAR_SO_PIN and TUMAR_NEW_PIN, --pin-fd, or\n" \
"  the terminal (no echo); never from the command line (--pin is refused).\n"

/* Frees what the options hold (the URIs). */
void tt_opts_free(struct tt_opts *o);

/* Handles the common option c: 1 taken, 0 not a common option, -1 a bad
 * value (said with tt_err, so that --json reports it: exit TT_USAGE). */
int tt_common_opt(struct tt_opts *o, int c, const char *arg);

/* Parses a subcommand's argv: the common options and its own (own, may be
 * NULL; option values other than the common ones' 'M','S','T','N','J','F',
 * 'P' and 'h'), each handed to handle(), which returns false for a bad value.
 * Returns -1 when the command should go on, with *rest its first operand
 * (argv index); else an exit code (usage printed). */
int tt_parse(struct tt_opts *o, int argc, char **argv, const char *usage,
	     const struct option *own, bool (*handle)(int c, const char *arg, void *ctx),
	     void *ctx, int *rest);

/* A subcommand: argv[0] is its name. */
struct tt_cmd {
	const char *name, *summary;
	int (*run)(struct tt_opts *o, int argc, char **argv);
};
extern const struct tt_cmd tt_cmds[];

/* Prints "tumar-tool: " and the message to stderr. */
void tt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Every error printed so far (warnings aside), one a line; "" if none. */
const char *tt_errors(void);
/* What exit code rc means, as --help's "Exit status" says it. */
const char *tt_exit_meaning(int rc);
/* The members of --json's error object, "error" (why, else the errors
 * said so far, else the meaning), "exit_code" and "exit_meaning", into
 * the object j has open: a command that wrote its own document before it
 * failed carries them in it. */
struct tj;
void tt_json_error(struct tj *j, int rc, const char *why);
/* The subcommand's usage when it is asked for or an option is bad. */
int tt_usage(FILE *f, const char *text, int rc);

/* The module, and the token chosen by --slot / --token. */
struct tt_token {
	void *dl;
	CK_FUNCTION_LIST *f;
	tumar_GetPinInfo_fn pin_info; /* NULL for another vendor's module */
	CK_SLOT_ID slot;
	CK_TOKEN_INFO info;
	CK_SESSION_HANDLE s;
	bool have_session;
	CK_RV failed; /* the first card or session failure seen while reading
		       * objects (CKR_DEVICE_*, ...), so that "no key" is never
		       * said of a token that stopped answering; CKR_OK */
};

/* Whether the slot and its token are the ones the options ask for
 * (--slot, --token, --serial, URIs); ti NULL: the slot has no token. */
bool tt_token_wanted(const struct tt_opts *o, CK_SLOT_ID slot, const CK_SLOT_INFO *si,
		     const CK_TOKEN_INFO *ti);
/* Whether any option chooses a token. */
bool tt_token_chosen(const struct tt_opts *o);

/* Loads and initialises the module (no token chosen). */
int tt_module_open(const struct tt_opts *o, struct tt_token *t);
/* tt_module_open, then the token, and a session (R/W when rw). */
int tt_token_open(const struct tt_opts *o, struct tt_token *t, bool rw);
void tt_token_close(struct tt_token *t);
/* Whether rv says the card, the reader or the session failed (rather
 * than that an object or attribute is not there); records it in
 * t->failed. */
bool tt_note_failure(struct tt_token *t, CK_RV rv);
/* When t->failed is set: says the token failed (not that something is
 * missing) and returns the exit code; TT_OK otherwise. */
int tt_token_failure(const struct tt_token *t);

/* Re-reads the token information. */
CK_RV tt_token_refresh(struct tt_token *t);

/* "CKR_PIN_INCORRECT" and a sentence a token owner understands. */
const char *tt_ckr_name(CK_RV rv);
const char *tt_ckr_explain(CK_RV rv);
/* Reports what failed and why; returns the exit code for rv. */
int tt_fail(const char *what, CK_RV rv);

/* Copies s into out (truncated to size - 1) for a PKCS#11 template,
 * which takes non-const pointers; returns the length copied. */
CK_ULONG tt_text(char *out, size_t size, const char *s);

/* Prints s padded with blanks to width characters (UTF-8 characters, not
 * bytes: names are often Cyrillic). */
void tt_print_padded(const char *s, int width);

/* Trimmed copy of a blank-padded PKCS#11 text field. */
void tt_field(char *out, size_t out_size, const CK_UTF8CHAR *field, size_t field_size);

#endif
