/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Readers for driver unit tests: virtual readers whose cards are the
 * emulator's applet in this process.  Set tm_readers_factory to
 * tm_test_readers before C_Initialize; cards can be pulled and put back,
 * and every APDU is counted.
 */
#ifndef TUMAR_TESTS_P11_READERS_H
#define TUMAR_TESTS_P11_READERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/readers.h"

#define TM_TEST_READERS 2

/* Puts a fresh card of this model in reader i (NULL: empty reader): a
 * shipped model or a test model (tests/support/test_models.h). */
void tm_test_reader_insert(int i, const char *model);
void tm_test_reader_remove(int i);
/* Pulls the card in reader i and puts the same card back: the reader's
 * event counter moves, the card powers up again (logged out). */
void tm_test_reader_replug(int i);
/* Pulls the card in reader i and puts in another of this model and
 * serial faster than the reader can see: no event, the connection
 * stays. */
void tm_test_reader_swap_card(int i, const char *model, const char *serial);
/* APDUs reader i has answered since it was made, and PC/SC
 * transactions begun on it. */
unsigned long tm_test_reader_apdus(int i);
unsigned long tm_test_reader_transactions(int i);
/* Another application resets the card in reader i: the card powers up
 * again (logged out), and our connection's next transaction or exchange
 * says TM_ERR_CARD_RESET once, as pcsc-lite does, until it reconnects. */
void tm_test_reader_foreign_reset(int i);
/* Another application sends one APDU (hex) to the card in reader i
 * between our transactions, as another process does through pcscd;
 * returns its status word, 0 for a bad APDU. */
unsigned tm_test_reader_foreign_apdu(int i, const char *hex);
/* Rewrites the card's responses in reader i before the module sees them
 * (NULL: none), to test what the module makes of answers it cannot use. */
typedef void tm_test_filter_fn(const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
			       size_t resp_len);
void tm_test_reader_filter(int i, tm_test_filter_fn *fn);
/* The card's objects in reader i, for tests that look at the card
 * itself: how many there are with all of these flags (0: every one). */
size_t tm_test_reader_objects(int i, uint8_t flags);
/* Frees the cards. */
void tm_test_readers_reset(void);

int tm_test_readers(struct tm_readers *r);

#endif
