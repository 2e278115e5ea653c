/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LASER attribute files (jacarta-laser.md §8): how a JaCarta PKI keeps
 * PKCS#11 objects.  The card stores the bytes opaquely; the host writes
 * and reads them, so the format is the host drivers' (Aladdin's OpenSC
 * driver's), which this codec follows byte for byte:
 *
 *   header  00 | FID hi | FID hi | FID lo | length (u16 BE, header and
 *           records) | record count
 *   record  type (2: the CKA's low 16 bits, or 80 xx for vendor
 *           attributes 8000 00xx) | flags | length (u16 BE) | value
 *           (CK_ULONG values as u32 little-endian, CK_BBOOL as 1 byte)
 *   tail    4-byte freshness stamp
 *
 * A file whose first record is the vendor hash (8000 0013) carries
 * SHA-1 of the whole file, hash zeroed, at offset 12.
 */
#ifndef TUMAR_APDU_LASER_ATTR_H
#define TUMAR_APDU_LASER_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/buf.h"

#define TM_LASER_ATTR_HEADER 7
#define TM_LASER_ATTR_STAMP 4
#define TM_LASER_ATTR_HASH_OFFSET 12
#define TM_LASER_ATTR_VENDOR 0x80000000u
#define TM_LASER_ATTR_HASH (TM_LASER_ATTR_VENDOR | 0x13) /* CKA_JACARTAPKI_CERT_HASH */
#define TM_LASER_ATTR_JACARTA (TM_LASER_ATTR_VENDOR | 0x10)

/* Record flags (the driver's CKFP_*). */
#define TM_LASER_ATTRF_MODIFIABLE 0x10

struct tm_laser_attr_writer {
	struct tm_buf *b;
	size_t start;
	unsigned count;
	bool hashed;
};

/* Starts a file for this FID; with `hashed` its first record is the
 * SHA-1 that tm_laser_attr_finish() fills in. */
void tm_laser_attr_begin(struct tm_laser_attr_writer *w, struct tm_buf *b, uint16_t fid,
			 bool hashed);
void tm_laser_attr_add(struct tm_laser_attr_writer *w, uint32_t type, uint8_t flags,
		       const void *value, size_t len);
void tm_laser_attr_add_ulong(struct tm_laser_attr_writer *w, uint32_t type, uint8_t flags,
			     uint32_t v);
void tm_laser_attr_add_bool(struct tm_laser_attr_writer *w, uint32_t type, uint8_t flags,
			    bool v);
/* Fills in the length and count, appends the stamp and the hash. */
void tm_laser_attr_finish(struct tm_laser_attr_writer *w, const uint8_t stamp[TM_LASER_ATTR_STAMP]);

struct tm_laser_attr {
	uint32_t type;        /* the CKA (vendor ones with the top bit) */
	uint8_t flags;
	const uint8_t *value; /* into the parsed file */
	size_t len;
};

struct tm_laser_attr_reader {
	const uint8_t *p;
	size_t left;
	uint16_t fid;
	unsigned count;
};

/* Checks the header and, when the file carries one, the hash.
 * TM_OK or TM_ERR_MALFORMED. */
int tm_laser_attr_open(struct tm_laser_attr_reader *r, const uint8_t *file, size_t len);
/* The next record: TM_OK, TM_ERR_NOT_FOUND at the end, TM_ERR_MALFORMED. */
int tm_laser_attr_next(struct tm_laser_attr_reader *r, struct tm_laser_attr *out);

/* The container map's file, 3001/867F (§4, §8): a public data object
 * "cmapfile" of application "CSP" whose value is the records (90 bytes
 * a container, zeros when none), stamp zero, as the driver writes it. */
void tm_laser_attr_cmapfile(struct tm_buf *b, const uint8_t *records, size_t len);

/* A u32 little-endian value; false unless exactly four bytes. */
bool tm_laser_attr_ulong(const struct tm_laser_attr *a, uint32_t *v);

#endif
