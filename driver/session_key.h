/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Session key pairs (PKCS#11 2.40 §4.4: CKA_TOKEN false): made on the
 * card like token keys, flagged temporary with this process as owner
 * (driver/owner.h), and deleted from the card when their session
 * closes.  Keys a dead process left behind are deleted at the next bind
 * by whichever process binds the card (protocol.md §5: a temporary
 * object is deleted without a PIN). */
#ifndef TUMAR_DRIVER_SESSION_KEY_H
#define TUMAR_DRIVER_SESSION_KEY_H

#include "driver/module.h"

/* Notes that the card objects ref (a private key and its public key)
 * belong to the session.  False when the slot's table is full. */
bool tm_skey_room(const struct tm_slot *slot);
void tm_skey_add(struct tm_slot *slot, CK_SESSION_HANDLE session, uint16_t ref);

/* Whether ref is one of this slot's session keys. */
bool tm_skey_known(const struct tm_slot *slot, uint16_t ref);
void tm_skey_forget(struct tm_slot *slot, uint16_t ref);

/* Deletes the session's keys from the card (session 0: every session's,
 * at C_Finalize).  Only objects still temporary and still ours are
 * deleted.  With the slot's lock held. */
void tm_skey_close(struct tm_slot *slot, CK_SESSION_HANDLE session);

/* At bind: deletes the temporary objects whose owner no longer runs, and
 * this process's that no session holds. */
void tm_skey_sweep(struct tm_slot *slot);

#endif
