/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "test_models.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "apdu/rc.h"
#include "emulator/profile.h"

#define MAX_TEST_MODELS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct tm_model loaded[MAX_TEST_MODELS];
static size_t n_loaded;

static const struct tm_model *load_locked(const char *key)
{
	for (size_t i = 0; i < n_loaded; i++)
		if (strcmp(loaded[i].key, key) == 0)
			return &loaded[i];
	if (n_loaded == MAX_TEST_MODELS || strchr(key, '/') != NULL)
		return NULL;

	char path[512], why[256];
	snprintf(path, sizeof(path), "%s/tests/data/%s.profile", TM_TEST_SRCDIR, key);
	if (tm_profile_load(path, &loaded[n_loaded], why, sizeof(why)) != TM_OK) {
		fprintf(stderr, "test model %s: %s\n", key, why);
		return NULL;
	}
	return &loaded[n_loaded++];
}

const struct tm_model *tm_test_model(const char *key)
{
	if (key == NULL)
		return NULL;
	const struct tm_model *m = tm_model_find(key);
	if (m != NULL)
		return m;
	pthread_mutex_lock(&lock);
	m = load_locked(key);
	pthread_mutex_unlock(&lock);
	return m;
}
