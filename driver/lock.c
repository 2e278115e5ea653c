/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "lock.h"

#include <pthread.h>
#include <stdlib.h>

static CK_CREATEMUTEX app_create;
static CK_DESTROYMUTEX app_destroy;
static CK_LOCKMUTEX app_lock;
static CK_UNLOCKMUTEX app_unlock;

CK_RV tm_lock_setup(const CK_C_INITIALIZE_ARGS *args)
{
	app_create = NULL;
	app_destroy = NULL;
	app_lock = NULL;
	app_unlock = NULL;
	if (args == NULL)
		return CKR_OK;
	int given = (args->CreateMutex != NULL) + (args->DestroyMutex != NULL) +
		    (args->LockMutex != NULL) + (args->UnlockMutex != NULL);
	if (given != 0 && given != 4)
		return CKR_ARGUMENTS_BAD; /* all four or none (§5.4) */
	/* Case 3 (functions, no OS flag): use the application's.  Cases 1,
	 * 2 and 4 may use the OS: pthreads. */
	if (given == 4 && !(args->flags & CKF_OS_LOCKING_OK)) {
		app_create = args->CreateMutex;
		app_destroy = args->DestroyMutex;
		app_lock = args->LockMutex;
		app_unlock = args->UnlockMutex;
	}
	return CKR_OK;
}

void *tm_mutex_new(void)
{
	void *m = NULL;

	if (app_create != NULL)
		return app_create(&m) == CKR_OK ? m : NULL;
	pthread_mutex_t *p = malloc(sizeof(*p));
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	/* Recursive: an entry point that holds the slot lock may call a
	 * helper that takes it again. */
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	if (p != NULL && pthread_mutex_init(p, &attr) != 0) {
		free(p);
		p = NULL;
	}
	pthread_mutexattr_destroy(&attr);
	return p;
}

void tm_mutex_free(void *m)
{
	if (m == NULL)
		return;
	if (app_destroy != NULL) {
		app_destroy(m);
		return;
	}
	pthread_mutex_destroy(m);
	free(m);
}

void tm_mutex_lock(void *m)
{
	if (app_lock != NULL)
		app_lock(m);
	else
		pthread_mutex_lock(m);
}

void tm_mutex_unlock(void *m)
{
	if (app_unlock != NULL)
		app_unlock(m);
	else
		pthread_mutex_unlock(m);
}
