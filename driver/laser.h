/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the LASER card driver's files share (card_laser.c, laser_io.c,
 * laser_objects.c, laser_keygen.c, laser_sm.c): the driver's state per
 * token, the file commands, and how objects are named.
 *
 * Objects are attribute files (jacarta-laser.md §8).  An object's ref
 * says where it lives, so it stays the same from one listing to the next:
 *
 *   0x1000 | n   private key n (1..30): KO 3002/0040+n, attributes 3002/0200+n-1
 *   0x2000 | n   public key n: KO 3001/0080+n, attributes 3001/0140+n-1
 *   0x3000 + k   certificate 3001/0400+k (k < 0x200)
 *   0x3400 + k   certificate of key k+1: 3001/8400+k
 *   0x4000 + k   public data object 3001/0600+k; 0x47FF the cmapfile 3001/867F
 *   0x5000 + k   private data object 3002/0600+k
 */
#ifndef TUMAR_DRIVER_LASER_H
#define TUMAR_DRIVER_LASER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "apdu/laser.h"
#include "apdu/laser_fcp.h"
#include "apdu/laser_sm.h"
#include "driver/token.h"

#define TM_LREF_PRIVATE 0x1000
#define TM_LREF_PUBLIC 0x2000
#define TM_LREF_CERT 0x3000
#define TM_LREF_CMAP_CERT 0x3400
#define TM_LREF_DATA 0x4000
#define TM_LREF_CMAPFILE 0x47FF
#define TM_LREF_PRIVATE_DATA 0x5000
#define TM_LASER_MAX_FILE 8192

struct tm_laser_state {
	uint16_t key_selected;   /* the KO the card has selected for PSO; 0: unknown */
	uint8_t path[16];        /* the file SELECTed last, to select it again */
	size_t path_len;         /* 0: none since the application's SELECT */
	bool rebinding;          /* tm_laser_run is selecting the application again */
	struct tm_laser_sm sm;   /* a session open for a PIN change */
	uint8_t serial_cap[TM_LASER_CAP_SERIAL_LEN];
	uint16_t cont_fresh, file_fresh; /* cardcf, as last read */
	bool must_change;        /* EEEF's 02C4: the user PIN is still the factory one */
};

static inline struct tm_laser_state *tm_laser_st(struct tm_token *t)
{
	return t->drv_data;
}

/* One exchange; the SW mapped (6282 is success, §3).  Under an open SM
 * session the command is wrapped and the answer unwrapped.  When another
 * application has taken the card (6D00/6E00: every instruction sent here
 * exists in LASER), the application is selected and bound again, the
 * last file selected again and the command sent once more -- except
 * under SM, whose session the card has ended. */
int tm_laser_run(struct tm_token *t, struct tm_apdu *c, uint8_t *out, size_t cap, size_t *len);

/* SELECT by path from the MF ("\x3F\x00\x30\x00..."): the FCP into fcp
 * (may be NULL).  Forgets which KO PSO would use unless the path is one. */
int tm_laser_select(struct tm_token *t, const uint8_t *path, size_t n, struct tm_laser_fcp *fcp);
/* The same for DF df (3000 itself, or 3001, 3002, 3003 under it), then
 * file fid (0: the DF itself). */
int tm_laser_select_in(struct tm_token *t, uint16_t df, uint16_t fid, struct tm_laser_fcp *fcp);
/* The whole of the selected EF (size from its FCP) into a new buffer. */
int tm_laser_read(struct tm_token *t, size_t size, bool secret, uint8_t **data);
/* The FIDs of the current DF's children of one kind (TM_LASER_LIST_*). */
int tm_laser_list(struct tm_token *t, uint8_t kind, uint16_t *fids, size_t cap, size_t *n);
/* An EF of len bytes in DF df written with data: CREATE, UPDATE BINARY in
 * pieces; removed again if a write fails. */
int tm_laser_write_ef(struct tm_token *t, uint16_t df, uint16_t fid, const char *name,
		      const uint8_t acl[8], const uint8_t *data, size_t len, bool secret);
/* DELETE FILE of df/fid. */
int tm_laser_delete(struct tm_token *t, uint16_t df, uint16_t fid);
/* cardcf's freshness counters moved on (containers and/or files), as
 * the MS minidriver convention wants after every change. */
int tm_laser_touch_cardcf(struct tm_token *t, bool containers);

/* Where an object lives: its DF and attribute file; 0 when the ref names
 * no LASER object. */
uint16_t tm_laser_ref_df(uint16_t ref);
uint16_t tm_laser_ref_fid(uint16_t ref);
/* The ref of attribute file df/fid; 0 when it is no object's. */
uint16_t tm_laser_ref_of(uint16_t df, uint16_t fid);

/* Secure messaging (laser_sm.c): the handshake, and its end. */
int tm_laser_sm_open(struct tm_token *t);
void tm_laser_sm_close(struct tm_token *t);

/* Objects (laser_objects.c). */
int tm_laser_list_objects(struct tm_token *t);
int tm_laser_read_value(struct tm_token *t, struct tm_card_object *o);
int tm_laser_create_object(struct tm_token *t, const struct tm_card_object *a,
			   const uint8_t *value, size_t len, uint16_t *ref);
int tm_laser_set_attributes(struct tm_token *t, const struct tm_card_object *o, unsigned what);
int tm_laser_delete_object(struct tm_token *t, uint16_t ref);
/* The attribute file of an object (attrs and, for keys, the public key). */
int tm_laser_encode_attrs(const struct tm_card_object *o, uint16_t fid, const uint8_t stamp[4],
			  struct tm_buf *b);

/* PSS and OAEP on the host around the card's raw RSA (laser_pad.c). */
int tm_laser_pss_encode(EVP_PKEY *pub, const struct tm_card_op *op, const uint8_t *hash, size_t n,
			uint8_t *em, size_t *em_len);
int tm_laser_oaep_decode(EVP_PKEY *pub, const struct tm_card_op *op, const uint8_t *em,
			 size_t em_len, uint8_t *out, size_t *out_len);

/* Keys (laser_keygen.c). */
int tm_laser_generate(struct tm_token *t, const struct tm_card_object *a,
		      const struct tm_card_object *pa, uint16_t *ref, uint16_t *pub_ref);
int tm_laser_import_key(struct tm_token *t, const struct tm_card_object *a,
			const struct tm_key_parts *k, uint16_t *ref);

#endif
