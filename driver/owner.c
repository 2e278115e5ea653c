/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Owner bytes of temporary card objects, from /proc (Linux). */
#include <config.h>

#include "owner.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* The boot ID, a UUID in text, as 16 bytes; zeros when unreadable. */
static void boot_id(uint8_t out[16])
{
	char text[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	memset(out, 0, 16);
	if (f == NULL)
		return;
	if (fgets(text, sizeof(text), f) != NULL) {
		size_t n = 0;
		for (const char *p = text; *p && n < 32; p++) {
			int v = *p >= '0' && *p <= '9' ? *p - '0'
				: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
				: -1;
			if (v < 0)
				continue; /* the dashes */
			out[n / 2] = (uint8_t)(out[n / 2] << 4 | v);
			n++;
		}
	}
	fclose(f);
}

/* Field 22 of /proc/PID/stat, the start time; 0 when there is no such
 * process.  The command name (field 2) may hold spaces and parentheses:
 * the fields are counted from the last ')'. */
static unsigned long long start_time(unsigned long pid)
{
	char path[64], buf[1024];
	unsigned long long t = 0;

	snprintf(path, sizeof(path), "/proc/%lu/stat", pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	/* After ')': state (field 3) ... starttime (field 22). */
	for (int field = 2; p != NULL && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p != NULL && sscanf(p + 1, "%llu", &t) != 1)
		t = 0;
	return t;
}

/* The PID namespace's inode; 0 when /proc does not say. */
static uint32_t pid_namespace(void)
{
	struct stat st;
	return stat("/proc/self/ns/pid", &st) == 0 ? (uint32_t)st.st_ino : 0;
}

static void put_be(uint8_t *p, unsigned long long v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static unsigned long long get_be(const uint8_t *p, int n)
{
	unsigned long long v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void encode(uint8_t out[TM_OWNER_LEN], unsigned long pid, unsigned long long start)
{
	boot_id(out);
	put_be(out + 16, pid_namespace(), 4);
	put_be(out + 20, pid, 4);
	put_be(out + 24, start, 8);
}

/* Kept per process (a forked child is another owner): read from /proc
 * once, not at every object a search looks at. */
static pthread_mutex_t self_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t self_bytes[TM_OWNER_LEN];
static pid_t self_pid;

void tm_owner_self(uint8_t out[TM_OWNER_LEN])
{
	pthread_mutex_lock(&self_lock);
	pid_t pid = getpid();
	if (self_pid != pid) {
		encode(self_bytes, (unsigned long)pid, start_time((unsigned long)pid));
		self_pid = pid;
	}
	memcpy(out, self_bytes, TM_OWNER_LEN);
	pthread_mutex_unlock(&self_lock);
}

bool tm_owner_is_self(const uint8_t *owner, size_t len)
{
	uint8_t me[TM_OWNER_LEN];
	tm_owner_self(me);
	return len == TM_OWNER_LEN && CRYPTO_memcmp(owner, me, TM_OWNER_LEN) == 0;
}

bool tm_owner_alive(const uint8_t *owner, size_t len)
{
	uint8_t me[TM_OWNER_LEN];

	if (len != TM_OWNER_LEN)
		return false;
	tm_owner_self(me);
	if (memcmp(owner, me, 16) != 0)
		return false; /* made before this boot */
	if (memcmp(owner + 16, me + 16, 4) != 0)
		return true; /* another PID namespace's: not ours to judge */
	unsigned long pid = (unsigned long)get_be(owner + 20, 4);
	unsigned long long start = start_time(pid);
	return start != 0 && start == get_be(owner + 24, 8);
}
