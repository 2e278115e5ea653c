/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The card image loader, and --inspect's reader of an image's model
 * key.  The input is used twice: as a whole file (the
 * header checks), and as an image body under a correct header with its
 * SHA-256, so the fuzzer reaches the body parser that the checksum would
 * otherwise guard.  Whatever loads must encode and load again. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "apdu/buf.h"
#include "apdu/rc.h"
#include "emulator/image.h"
#include "emulator/inspect_print.h"
#include "emulator/models.h"
#include "fuzz.h"

static void try_load(const uint8_t *data, size_t size, const struct tm_model *m)
{
	struct tm_card *c, *again;
	char why[256], key[33];
	struct tm_buf b;

	/* --inspect's reader of the model key, on the same bytes. */
	if (tm_inspect_model_key_of(data, size, key, sizeof(key), why, sizeof(why)) == TM_OK &&
	    (key[0] == '\0' || memchr(key, '\0', sizeof(key)) == NULL))
		abort();

	if (tm_image_decode(data, size, m, &c, why, sizeof(why)) != TM_OK)
		return;
	if (tm_card_used(c) > m->memory)
		abort();
	tm_buf_init_dynamic(&b, TM_IMAGE_MAX_SIZE);
	tm_image_encode(c, &b);
	if (!tm_buf_ok(&b) || tm_image_decode(b.data, b.len, m, &again, why, sizeof(why)) != TM_OK)
		abort();
	tm_card_free(again);
	tm_buf_free(&b);
	tm_card_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tm_model *m = tm_model_find("kaztoken");
	uint8_t *img;

	try_load(data, size, m);
	if (size > (1u << 20) || (img = malloc(48 + size)) == NULL)
		return 0;
	/* Both formats' bodies: version 1's goes through the upgrade. */
	memcpy(img, "TUMARIMG\x00\x01\x00\x00", 12);
	img[9] = (size & 1) ? TM_IMAGE_VERSION : TM_IMAGE_VERSION_OLDEST; /* by length: the body is all data */
	img[12] = (uint8_t)(size >> 24);
	img[13] = (uint8_t)(size >> 16);
	img[14] = (uint8_t)(size >> 8);
	img[15] = (uint8_t)size;
	memcpy(img + 48, data, size);
	EVP_Digest(data, size, img + 16, NULL, EVP_sha256(), NULL);
	try_load(img, 48 + size, m);
	free(img);
	return 0;
}
