#define _GNU_SOURCE
#include <stdio.h>
#include <fcntl.h>
#include <errno.h>
#include <unistd.h>
#include <malloc.h>
#include <dlfcn.h>
#include "qtown_system.h"

int qtown_rename_exchange(const char *a, const char *b) {
#ifdef RENAME_EXCHANGE
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int qtown_syncfs(int fd) {
    return syncfs(fd);
}

void qtown_release_free_memory(void) {
    // jemalloc (linked into the qtown executable on Linux): purge every arena's unused pages.
    // Looked up at run time, so the library also works (as a no-op or with glibc) without it.
    typedef int (*mallctl_fn)(const char *, void *, size_t *, void *, size_t);
    mallctl_fn mallctl = (mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
    if (mallctl) {
        mallctl("arena.4096.purge", NULL, NULL, NULL, 0);  // 4096 = MALLCTL_ARENAS_ALL
        return;
    }
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}
