/*
 * output.c — tfc's output files, replaced as a set or not at all.
 *
 * buf_write_outputs takes every file of one run (model.bin, model.h,
 * model.c) and works in three steps, so that a full disk, a failed write or
 * an error leaves the files under their final names exactly as they were:
 *
 *   1. resolve: each name must be new or a regular file; a symbolic link is
 *      written through (its target is replaced, atomically, beside the
 *      target); a device, FIFO, socket or folder is refused, so
 *      `-o /dev/full` never turns a device into a regular file;
 *   2. write every buffer to a temporary beside its target,
 *      TARGET.tfc-tmp-PID-XXXXXX (stale ones of a run that was killed, whose
 *      PID is gone, are removed first);
 *   3. rename the temporaries into place in the order given.  The caller
 *      lists model.c last: it records the weights' checksum, which the
 *      program checks when it opens model.bin, so a run killed between two
 *      renames leaves an old model.c beside a new model.bin, and the program
 *      refuses that pair ("weights of another build") rather than run it.
 *
 * Any failure unlinks every temporary still present.  The test hook
 * buf_fail_write_at(N) (TFC_FAIL_WRITE_AT in tools/tfc.c) makes the Nth
 * step of 2 and 3 fail: a short write ending in ENOSPC, or a rename that
 * fails with EIO.
 */
#include "ir.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_TAG ".tfc-tmp-"   /* TARGET.tfc-tmp-PID-XXXXXX */

static long fail_countdown;   /* test hook: the step that fails; 0 = none */

void buf_fail_write_at(long n) { fail_countdown = n; }
bool buf_fail_write_pending(void) { return fail_countdown > 0; }

/* true when the test hook says this step fails. */
static bool injected_failure(void) { return fail_countdown > 0 && --fail_countdown == 0; }

/* "a folder", "a FIFO", ...: what a file that is not a regular file is. */
static const char *kind_of_file(mode_t mode) {
  return S_ISDIR(mode) ? "a folder" : S_ISFIFO(mode) ? "a FIFO" : S_ISSOCK(mode) ? "a socket"
         : S_ISCHR(mode) || S_ISBLK(mode) ? "a device" : "a special file";
}

/* The file that path names for writing: path itself when it does not exist
 * or is a regular file, the target of a symbolic link, and NULL (after a
 * diagnostic) for anything else.  malloc'd. */
static char *resolve_target(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (errno == ENOENT) return strdup(path);
    diag_error(diag_loc(path, 0, 0), "cannot create output file: %s", strerror(errno));
    return NULL;
  }
  char *target = S_ISLNK(st.st_mode) ? realpath(path, NULL) : strdup(path);
  if (!target) {
    diag_error(diag_loc(path, 0, 0), "cannot follow the symbolic link: %s", strerror(errno));
    return NULL;
  }
  if (stat(target, &st) != 0 || !S_ISREG(st.st_mode)) {
    diag_error(diag_loc(path, 0, 0), "exists and is %s, not a regular file; tfc replaces only "
               "regular files", kind_of_file(st.st_mode));
    free(target);
    return NULL;
  }
  return target;
}

/* Removes dir/NAME.tfc-tmp-PID-* left by a tfc run that no longer exists. */
static void remove_stale_temporaries(const char *target) {
  const char *slash = strrchr(target, '/');
  char *dir = slash ? strndup(target, (size_t)(slash - target + 1)) : strdup("./");
  const char *base = slash ? slash + 1 : target;
  DIR *d = dir ? opendir(dir) : NULL;
  size_t n = strlen(base), tag = strlen(TMP_TAG);
  for (struct dirent *e; d && (e = readdir(d));) {
    if (strncmp(e->d_name, base, n) != 0 || strncmp(e->d_name + n, TMP_TAG, tag) != 0) continue;
    char *end;
    long pid = strtol(e->d_name + n + tag, &end, 10);
    if (end == e->d_name + n + tag || *end != '-' || pid <= 0 || pid > INT_MAX) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;   /* still running (or not ours) */
    char *stale = malloc(strlen(dir) + strlen(e->d_name) + 1);
    struct stat st;
    if (stale && (sprintf(stale, "%s%s", dir, e->d_name), lstat(stale, &st) == 0) &&
        S_ISREG(st.st_mode))
      unlink(stale);
    free(stale);
  }
  if (d) closedir(d);
  free(dir);
}

/* Writes b to a new temporary beside target; its malloc'd name, or NULL
 * after a diagnostic at path (nothing left behind). */
static char *write_temporary(const Buf *b, const char *target, const char *path) {
  size_t size = strlen(target) + sizeof TMP_TAG + 32;
  char *tmp = malloc(size);
  if (!tmp) return NULL;
  snprintf(tmp, size, "%s%s%ld-XXXXXX", target, TMP_TAG, (long)getpid());
  int fd = mkstemp(tmp);
  if (fd < 0) {
    diag_error(diag_loc(path, 0, 0), "cannot create output file: %s", strerror(errno));
    return free(tmp), NULL;
  }
  bool fail = injected_failure();
  size_t done = 0, want = fail ? b->len / 2 : b->len;
  while (done < want) {
    ssize_t w = write(fd, b->data + done, want - done);
    if (w <= 0) break;
    done += (size_t)w;
  }
  if (fail) errno = ENOSPC;
  bool ok = !fail && done == b->len && fchmod(fd, 0644) == 0;
  if (close(fd) != 0) ok = false;
  if (ok) return tmp;
  diag_error(diag_loc(path, 0, 0), "cannot write output file: %s", strerror(errno));
  unlink(tmp);
  return free(tmp), NULL;
}

/* Renames tmp over target; false after a diagnostic at path. */
static bool replace(const char *tmp, const char *target, const char *path) {
  if (injected_failure()) errno = EIO;
  else if (rename(tmp, target) == 0) return true;
  diag_error(diag_loc(path, 0, 0), "cannot replace output file: %s", strerror(errno));
  return false;
}

int buf_write_outputs(const BufOutput *outs, int n) {
  for (int i = 0; i < n; i++)
    if (outs[i].data->failed) {
      diag_error(diag_loc(outs[i].path, 0, 0), "out of memory: the output was not written");
      return -1;
    }
  char **target = calloc((size_t)n + 1, sizeof(char *));
  char **tmp = calloc((size_t)n + 1, sizeof(char *));
  bool ok = target && tmp;
  for (int i = 0; ok && i < n; i++) ok = (target[i] = resolve_target(outs[i].path)) != NULL;
  for (int i = 0; ok && i < n; i++) remove_stale_temporaries(target[i]);
  for (int i = 0; ok && i < n; i++)
    ok = (tmp[i] = write_temporary(outs[i].data, target[i], outs[i].path)) != NULL;
  for (int i = 0; ok && i < n; i++) {
    ok = replace(tmp[i], target[i], outs[i].path);
    if (ok) free(tmp[i]), tmp[i] = NULL;
  }
  for (int i = 0; i < n && target && tmp; i++) {
    if (tmp[i]) unlink(tmp[i]);
    free(tmp[i]), free(target[i]);
  }
  free(target), free(tmp);
  return ok ? 0 : -1;
}

int buf_write_file(const Buf *b, const char *path) {
  BufOutput out = {path, b};
  return buf_write_outputs(&out, 1);
}
