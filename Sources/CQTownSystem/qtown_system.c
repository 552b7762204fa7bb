#define _GNU_SOURCE
#include <stdio.h>
#include <fcntl.h>
#include <errno.h>
#include <unistd.h>
#include <malloc.h>
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
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}
