/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The module's state and the rules every entry point follows: checks,
 * locks, sessions.  Locks: tm_mod.lock guards the slot and session
 * tables and is held only briefly; each slot's lock guards its token and
 * its sessions' operation state, and is held for a whole card operation.
 * Order: a slot's lock, then (briefly) tm_mod.lock; never the reverse.
 */
#ifndef TUMAR_DRIVER_MODULE_H
#define TUMAR_DRIVER_MODULE_H

#include <stdbool.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "apdu/buf.h"
#include "driver/conf.h"
#include "driver/p11.h"
#include "driver/readers.h"
#include "driver/token.h"

#define TM_MAX_SLOTS 16
#define TM_MAX_SESSIONS 256
#define TM_MAX_SESSION_OBJECTS 64 /* per slot (session_object.c) */
#define TM_MAX_SESSION_KEYS 32    /* per slot: card objects of session key pairs */

struct tm_session_key {
	uint16_t ref;                /* a private or public key object on the card */
	CK_SESSION_HANDLE session;   /* whose */
};

struct tm_slot {
	bool used;           /* the entry holds a reader (IDs stay stable) */
	bool attached;       /* the reader exists now */
	char reader[128];
	void *lock;
	bool present;        /* a card is in the reader */
	unsigned events;     /* the reader's insertion/removal counter */
	struct tm_token *token; /* NULL: no card, or one no driver knows */
	bool foreign;        /* the card in the reader answered to no driver (at foreign_events) */
	unsigned foreign_events;
	unsigned generation; /* bumped when a token goes: its sessions die */
	bool changed;        /* for C_WaitForSlotEvent */
	struct tm_session_objects *sobjs; /* session objects (session_object.c) */
	struct tm_session_key skeys[TM_MAX_SESSION_KEYS]; /* session_key.c */
	size_t n_skeys;
};

struct tm_session_objects;

enum tm_op_kind { TM_OP_SIGN, TM_OP_VERIFY, TM_OP_ENCRYPT, TM_OP_DECRYPT, TM_OP_DIGEST,
		  TM_OP_KINDS };

struct tm_mech;

struct tm_op_state {
	bool active;
	const struct tm_mech *mech;
	CK_OBJECT_HANDLE key;
	EVP_MD_CTX *md;      /* multi-part hashing on the host */
	/* Single- or multi-part, once the first call after Init says which
	 * (PKCS#11 2.40 §5.11: C_Sign after C_SignUpdate, or C_SignFinal
	 * after a C_Sign length query, is CKR_OPERATION_ACTIVE). */
	bool multi;          /* an Update or Final came */
	bool single;         /* the one-shot call came (a length query too) */
	uint8_t raw[512];    /* raw mechanisms: the input gathered by Updates */
	size_t raw_len;
	struct tm_card_op card_op;
	uint8_t label[64];   /* OAEP label */
	EVP_PKEY *pub;       /* verify and encrypt: the public key */
};

struct tm_session {
	bool used;
	CK_SESSION_HANDLE handle;
	CK_SLOT_ID slot;
	unsigned generation;
	CK_FLAGS flags;
	bool finding;
	CK_OBJECT_HANDLE found[3 * TM_TOKEN_MAX_OBJECTS + TM_MAX_SESSION_OBJECTS];
	size_t n_found, pos;
	struct tm_op_state ops[TM_OP_KINDS];
};

struct tm_module {
	pid_t pid;
	void *lock;
	struct tm_readers readers;
	bool have_readers;
	struct tm_slot slots[TM_MAX_SLOTS];
	struct tm_session sessions[TM_MAX_SESSIONS];
	CK_SESSION_HANDLE next_handle;
	struct tm_conf conf;
	FILE *trace;
};

extern struct tm_module tm_mod;

/* CKR_CRYPTOKI_NOT_INITIALIZED unless initialized in this process. */
CK_RV tm_check_init(void);

/* A slot by ID, refreshed (reader status, token opened or dropped);
 * returns with the slot's lock held. */
CK_RV tm_slot_begin(CK_SLOT_ID id, struct tm_slot **slot);
/* C_WaitForSlotEvent and C_Finalize: allow waiting (C_Initialize); wake
 * every waiter and wait until they have left (C_Finalize). */
void tm_slots_wait_allow(void);
void tm_slots_wait_cancel(void);
void tm_slot_end(struct tm_slot *slot);

/* Brings the reader list and every slot's card up to date. */
void tm_slots_refresh(void);
void tm_slot_refresh(struct tm_slot *slot);
void tm_slot_drop_token(struct tm_slot *slot);

/* A session by handle with its slot's lock held; CKR_SESSION_HANDLE_INVALID
 * for unknown handles and sessions whose token has gone. */
CK_RV tm_session_begin(CK_SESSION_HANDLE h, struct tm_session **s, struct tm_slot **slot);
void tm_session_end(struct tm_slot *slot);
void tm_session_reset_ops(struct tm_session *s);
/* The answer of a session function the module does not offer (or not
 * for these arguments): the module's state and the session handle are
 * checked first, as for every session function (PKCS#11 2.40 §5.1), then
 * rv (CKR_FUNCTION_NOT_SUPPORTED, say). */
CK_RV tm_session_refuse(CK_SESSION_HANDLE h, CK_RV rv);

/* After a card operation failed with rc: a card gone makes the token go
 * (its sessions die); returns the CKR for rc. */
CK_RV tm_card_failed(struct tm_slot *slot, int rc);
/* Whether rc says the card went (or the link to it failed) rather than
 * what the card answered: such a failure may pass, an answer stays. */
bool tm_rc_card_gone(int rc);

/* Object handles name a slot, a card object and a view of it. */
enum tm_view { TM_VIEW_OBJECT = 1, TM_VIEW_PUBLIC = 2, TM_VIEW_PRIVATE = 3 };
CK_OBJECT_HANDLE tm_handle(CK_SLOT_ID slot, uint16_t ref, enum tm_view view);
bool tm_handle_split(CK_OBJECT_HANDLE h, CK_SLOT_ID slot, uint16_t *ref, enum tm_view *view);

#endif
