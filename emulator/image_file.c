/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "image_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "apdu/rc.h"
#include "stop_point.h"

size_t tm_image_frame_begin(struct tm_buf *b, const char magic[8], uint16_t version)
{
	size_t start = b->len;

	tm_buf_add(b, magic, 8);
	tm_buf_add_u16(b, version);
	tm_buf_add_u16(b, 0);
	(void)tm_buf_reserve(b, 4 + 32); /* filled in by tm_image_frame_end() */
	return start;
}

void tm_image_frame_end(struct tm_buf *b, size_t mark)
{
	if (!tm_buf_ok(b))
		return;
	uint8_t *h = b->data + mark + 12;
	size_t body = mark + TM_IMAGE_HEADER_LEN, body_len = b->len - body;
	h[0] = (uint8_t)(body_len >> 24);
	h[1] = (uint8_t)(body_len >> 16);
	h[2] = (uint8_t)(body_len >> 8);
	h[3] = (uint8_t)body_len;
	if (EVP_Digest(b->data + body, body_len, h + 4, NULL, EVP_sha256(), NULL) != 1)
		b->failed = true;
}

int tm_image_frame_open(const uint8_t *data, size_t len, const char magic[8], const char *what,
			unsigned oldest, unsigned newest, unsigned *version,
			const uint8_t **body, size_t *body_len, char *why, size_t cap)
{
	uint8_t digest[32];

	if (len < TM_IMAGE_HEADER_LEN || memcmp(data, magic, 8) != 0) {
		snprintf(why, cap, "not a %s", what);
		return TM_ERR_MALFORMED;
	}
	*version = (unsigned)data[8] << 8 | data[9];
	if (data[10] != 0 || data[11] != 0) {
		snprintf(why, cap, "not a %s this tumar-emu knows (reserved header bytes %02X%02X)",
			 what, data[10], data[11]);
		return TM_ERR_MALFORMED;
	}
	if (*version < oldest || *version > newest) {
		snprintf(why, cap, "%s version %u; this tumar-emu reads versions %u to %u", what,
			 *version, oldest, newest);
		return TM_ERR_MALFORMED;
	}
	*body_len = (size_t)data[12] << 24 | (size_t)data[13] << 16 | (size_t)data[14] << 8 |
		    data[15];
	if (*body_len != len - TM_IMAGE_HEADER_LEN) {
		snprintf(why, cap, "the card image is damaged (length)");
		return TM_ERR_MALFORMED;
	}
	*body = data + TM_IMAGE_HEADER_LEN;
	if (EVP_Digest(*body, *body_len, digest, NULL, EVP_sha256(), NULL) != 1 ||
	    CRYPTO_memcmp(digest, data + 16, 32) != 0) {
		snprintf(why, cap, "the card image is damaged (checksum mismatch)");
		return TM_ERR_MALFORMED;
	}
	return TM_OK;
}

/* --- Files ---------------------------------------------------------- */

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *copy = OPENSSL_strdup(path);
	int fd, rc = -1;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	OPENSSL_free(copy);
	return rc;
}

int tm_image_file_write(const char *path, const uint8_t *data, size_t len)
{
	char tmp[4096];
	int fd, rc = TM_ERR_CARD;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return TM_ERR_CARD;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return TM_ERR_CARD;
	if (write_all(fd, data, len) == 0) {
		tm_stop_point(TM_STOP_WRITE);
		if (fsync(fd) == 0 && close(fd) == 0) {
			fd = -1;
			tm_stop_point(TM_STOP_SYNC);
			if (rename(tmp, path) == 0 && fsync_dir_of(path) == 0) {
				rc = TM_OK;
				tm_stop_point(TM_STOP_SAVED);
			}
		}
	}
	if (fd >= 0)
		close(fd);
	if (rc != TM_OK)
		unlink(tmp);
	return rc;
}

/* The PID of "BASE.tmp.PID" when name is one of path's temporary files. */
static long temp_owner(const char *name, const char *base)
{
	size_t n = strlen(base);
	char *end;

	if (strncmp(name, base, n) != 0 || strncmp(name + n, ".tmp.", 5) != 0 ||
	    name[n + 5] < '1' || name[n + 5] > '9')
		return 0;
	errno = 0;
	long pid = strtol(name + n + 5, &end, 10);
	return *end == '\0' && errno == 0 && pid > 0 ? pid : 0;
}

int tm_image_file_sweep(const char *path)
{
	char *dir_copy = OPENSSL_strdup(path), *base_copy = OPENSSL_strdup(path);
	DIR *d = dir_copy && base_copy ? opendir(dirname(dir_copy)) : NULL;
	const char *base = base_copy ? basename(base_copy) : "";
	struct dirent *e;
	int removed = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		long pid = temp_owner(e->d_name, base);
		struct stat st;
		/* A live writer's file is its save in progress; EPERM is a
		 * live process of another user (a PID reused). */
		if (pid == 0 || pid == (long)getpid() || (pid_t)pid != pid || kill((pid_t)pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
		    unlinkat(dirfd(d), e->d_name, 0) == 0)
			removed++;
	}
	if (d != NULL)
		closedir(d);
	OPENSSL_free(dir_copy);
	OPENSSL_free(base_copy);
	return removed;
}

/* Refuses what is not plainly this user's own card image: a symbolic
 * link (a save would replace the link, leaving its target behind), a
 * FIFO or device (open would block, reads make no sense), a file of
 * another user or one others may read (docs/emulator.md). */
static int check_file(const char *path, const struct stat *st, char *why, size_t cap)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, cap, "%s is not a regular file", path);
		return TM_ERR_MALFORMED;
	}
	if (st->st_uid != geteuid()) {
		snprintf(why, cap, "%s belongs to another user (uid %ld): a card image is its "
			 "owner's alone", path, (long)st->st_uid);
		return TM_ERR_CARD;
	}
	if (st->st_mode & 077) {
		snprintf(why, cap, "%s may be read or written by others (mode %03o): "
			 "chmod 600 it, then start again", path, (unsigned)(st->st_mode & 0777));
		return TM_ERR_CARD;
	}
	if (st->st_size > (off_t)TM_IMAGE_MAX_SIZE) {
		snprintf(why, cap, "not a Tumar card image (larger than a card image can be)");
		return TM_ERR_MALFORMED;
	}
	return TM_OK;
}

/* O_NOFOLLOW: a link is refused, not followed; O_NONBLOCK: a FIFO does
 * not hang the open (the file type is checked next). */
static int open_image(const char *path, struct stat *st, char *why, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		if (errno == ENOENT)
			return -TM_ERR_NOT_FOUND;
		if (errno == ELOOP)
			snprintf(why, cap, "%s is a symbolic link: give the card image itself", path);
		else
			snprintf(why, cap, "cannot open the card image: %s", strerror(errno));
		return -TM_ERR_CARD;
	}
	if (fstat(fd, st) != 0) {
		snprintf(why, cap, "cannot read the card image: %s", strerror(errno));
		close(fd);
		return -TM_ERR_CARD;
	}
	int rc = check_file(path, st, why, cap);
	if (rc != TM_OK) {
		close(fd);
		return -rc;
	}
	return fd;
}

int tm_image_file_read(const char *path, uint8_t **data, size_t *len, char *why, size_t cap)
{
	struct stat st;
	int fd = open_image(path, &st, why, cap);

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return -fd;
	size_t size = (size_t)st.st_size;
	uint8_t *p = OPENSSL_malloc(size > 0 ? size : 1);
	if (p == NULL) {
		close(fd);
		return TM_ERR_NO_MEMORY;
	}
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, p + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != size) {
		OPENSSL_clear_free(p, size > 0 ? size : 1);
		snprintf(why, cap, "cannot read the card image");
		return TM_ERR_CARD;
	}
	*data = p;
	*len = size;
	return TM_OK;
}

int tm_image_file_magic(const char *path, char magic[8])
{
	char why[256];
	uint8_t *data;
	size_t len;
	int rc = tm_image_file_read(path, &data, &len, why, sizeof(why));

	if (rc != TM_OK)
		return rc;
	memset(magic, 0, 8);
	memcpy(magic, data, len < 8 ? len : 8);
	OPENSSL_clear_free(data, len > 0 ? len : 1);
	return TM_OK;
}

int tm_image_save(const char *path, const struct tm_buf *encoded, bool *tear_on_save, bool *torn)
{
	if (*torn)
		return TM_ERR_CARD_REMOVED; /* power is gone: nothing more is written */
	if (path != NULL) {
		if (!tm_buf_ok(encoded))
			return TM_ERR_CARD;
		int rc = tm_image_file_write(path, encoded->data, encoded->len);
		if (rc != TM_OK)
			return rc;
	}
	if (*tear_on_save) {
		/* The write reached the disk; power goes now. */
		*tear_on_save = false;
		*torn = true;
	}
	return TM_OK;
}
