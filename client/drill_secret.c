/*
 * drill_secret.c - the password of the drill's throwaway cluster.
 *
 * The drill's servers listen on 127.0.0.1, where every local user can
 * reach them, for as long as the drill runs (and after, with --keep).
 * With trust authentication any of them could log in as the superuser
 * and, through COPY ... PROGRAM, run commands as the servers' OS user.
 * So the cluster gets a random password, stored as a SCRAM verifier by
 * initdb, and the drill's programs and connections find it in a libpq
 * password file that only the servers' user (and root) can read.  The
 * password itself never appears on a command line or in the environment.
 */
#define _GNU_SOURCE

#include "drill_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

/* Write text to path, mode 0600, owned by the servers' user. */
static int
write_private(const fp_drill *d, const char *path, const char *text, char *err, size_t errlen)
{
	size_t		len = strlen(text);
	int			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, text, len) != (ssize_t) len ||
		(d->as_user && fchown(fd, d->uid, d->gid) != 0) || close(fd) != 0)
	{
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

int
fp_secret_make(fp_drill *d, char *err, size_t errlen)
{
	unsigned char raw[18];
	char		password[2 * sizeof(raw) + 1];
	char		line[sizeof(password) + 64];
	int			rc;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
	{
		snprintf(err, errlen, "cannot make a password for the drill's cluster (OpenSSL's RAND_bytes failed)");
		return -1;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(password + 2 * i, 3, "%02x", raw[i]);
	snprintf(d->pwfile, sizeof(d->pwfile), "%s/pwfile", d->dir);
	snprintf(d->passfile, sizeof(d->passfile), "%s/pgpass", d->dir);

	snprintf(line, sizeof(line), "%s\n", password);
	rc = write_private(d, d->pwfile, line, err, errlen);
	if (rc == 0)
	{
		/* host:port:database:user:password; only the drill's servers
		 * listen on 127.0.0.1 with this file in use */
		snprintf(line, sizeof(line), "127.0.0.1:*:*:postgres:%s\n", password);
		rc = write_private(d, d->passfile, line, err, errlen);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(password, sizeof(password));
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

void
fp_secret_drop_pwfile(fp_drill *d)
{
	if (d->pwfile[0] != '\0')
		unlink(d->pwfile);
	d->pwfile[0] = '\0';
}
