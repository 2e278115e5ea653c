/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: PINs — where they come from, the rules a new one must
 * meet, and logging in with a clear word when the token says no. */
#ifndef TUMAR_TOOLS_TOOL_PIN_H
#define TUMAR_TOOLS_TOOL_PIN_H

#include <stdbool.h>
#include <stddef.h>

#include "tools/tool.h"

#define TT_PIN_MAX 64

enum tt_pin_kind {
	TT_PIN_USER, /* TUMAR_PIN */
	TT_PIN_SO,   /* TUMAR_SO_PIN */
	TT_PIN_NEW,  /* TUMAR_NEW_PIN; asked twice on a terminal */
};

/* Gets a PIN: its environment variable, else the next line of --pin-fd,
 * else the terminal without echo (never the command line).  Returns
 * TT_OK or an exit code (a message was printed).  Wipe it with
 * OPENSSL_cleanse when done. */
int tt_pin_get(const struct tt_opts *o, enum tt_pin_kind kind, char pin[TT_PIN_MAX + 1]);

/* A secret that is not a PIN (a key store's password): the first line
 * of the file path when path is not NULL, else asked on the terminal
 * without echo with the prompt.  TT_OK or an exit code (reported). */
int tt_secret_get(const char *path, const char *prompt, char secret[TT_PIN_MAX + 1]);

/* Checks a new PIN before anything is sent: the token's own rules (length,
 * and with Tumar's module its character classes) and, when the token
 * allows letters, the NCA key-store password rule (design.md §4: Latin
 * upper and lower case and digits, 6 to 32).  Prints every rule broken;
 * returns TT_OK or TT_USAGE. */
int tt_pin_check_new(const struct tt_token *t, CK_USER_TYPE who, const char *pin);

/* The token the prompts name ("PIN for Kaztoken, serial KZ0001: "). */
void tt_pin_for_token(const CK_TOKEN_INFO *ti);

/* Whether who's PIN is blocked, or has one try left (the module's tries
 * when it says, else the token flags). */
bool tt_pin_blocked(const struct tt_token *t, CK_USER_TYPE who);
bool tt_pin_final_try(const struct tt_token *t, CK_USER_TYPE who);
/* Before a PIN is asked: TT_FAILED (reported) when it is blocked; a
 * warning when one try is left.  tt_login calls it; commands that take
 * a PIN another way (change-pin, unblock) call it themselves. */
int tt_login_check(const struct tt_token *t, CK_USER_TYPE who);

/* Gets the PIN for who and logs in; a refusal is explained with the tries
 * left, a user login on a factory PIN warned about.  Returns TT_OK or an
 * exit code. */
int tt_login(struct tt_token *t, const struct tt_opts *o, CK_USER_TYPE who);
/* The same with a PIN already in hand. */
int tt_login_with(struct tt_token *t, CK_USER_TYPE who, char *pin);

/* " (N tries left)" for who, or "" when the module does not say. */
const char *tt_tries_left(const struct tt_token *t, CK_USER_TYPE who);

#endif
