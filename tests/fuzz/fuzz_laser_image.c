/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LASER card image loader: the input as a whole file, and as a body
 * under a correct header (so the digest does not guard the parser).
 * Whatever loads must fit the model's memory and load again unchanged. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "apdu/buf.h"
#include "apdu/rc.h"
#include "emulator/image_file.h"
#include "emulator/laser_image.h"
#include "emulator/models.h"
#include "fuzz.h"

static void try_load(const uint8_t *data, size_t size, const struct tm_model *m)
{
	struct tm_laser_card *c, *again;
	char why[256];
	struct tm_buf b;

	if (tm_laser_image_decode(data, size, m, &c, why, sizeof(why)) != TM_OK)
		return;
	if (tm_laser_used(c) > m->memory)
		abort(); /* the loader refuses more files than the memory holds */
	tm_buf_init_dynamic(&b, TM_IMAGE_MAX_SIZE);
	tm_laser_image_encode(c, &b);
	if (!tm_buf_ok(&b) || tm_laser_image_decode(b.data, b.len, m, &again, why, sizeof(why)) != TM_OK)
		abort();
	tm_laser_card_free(again);
	tm_buf_free(&b);
	tm_laser_card_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tm_model m;
	uint8_t *img;

	if (m.key[0] == '\0') {
		m = *tm_model_find("jacarta-pki");
		m.applet = TM_APPLET_LASER;
	}
	try_load(data, size, &m);
	if (size > (1u << 20) || (img = malloc(TM_IMAGE_HEADER_LEN + size)) == NULL)
		return 0;
	memcpy(img, TM_LASER_IMAGE_MAGIC "\x00\x01\x00\x00", 12);
	img[12] = (uint8_t)(size >> 24);
	img[13] = (uint8_t)(size >> 16);
	img[14] = (uint8_t)(size >> 8);
	img[15] = (uint8_t)size;
	memcpy(img + TM_IMAGE_HEADER_LEN, data, size);
	EVP_Digest(data, size, img + 16, NULL, EVP_sha256(), NULL);
	try_load(img, TM_IMAGE_HEADER_LEN + size, &m);
	free(img);
	return 0;
}
