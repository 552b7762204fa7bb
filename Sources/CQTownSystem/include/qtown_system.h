#ifndef QTOWN_SYSTEM_H
#define QTOWN_SYSTEM_H

/// Atomically exchanges two paths on the same file system (Linux renameat2 RENAME_EXCHANGE).
/// Returns 0 on success, -1 with errno set otherwise (EINVAL/ENOSYS where the file system or
/// kernel cannot exchange). A shim because glibc declares renameat2 only under _GNU_SOURCE,
/// which Swift's Glibc module does not define.
int qtown_rename_exchange(const char *a, const char *b);

/// Flushes the file system holding `fd` (Linux syncfs): one call for a whole output tree.
int qtown_syncfs(int fd);

/// Gives the memory malloc holds free back to the system (jemalloc: purge every arena; glibc:
/// malloc_trim(0)): after a stage lets go of a large part of the heap, so that the resident
/// size is what the process still uses rather than pages waiting for jemalloc's decay.
void qtown_release_free_memory(void);

#endif
