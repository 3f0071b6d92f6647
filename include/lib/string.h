/* include/lib/string.h — freestanding string and memory functions (lib/string.c).
 * The same code is compiled into host unit tests with a tess_ prefix. */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <tessera/types.h>

#ifdef __HOST_TEST__
#define memset tess_memset
#define memcpy tess_memcpy
#define memmove tess_memmove
#define memcmp tess_memcmp
#define memchr tess_memchr
#define strlen tess_strlen
#define strnlen tess_strnlen
#define strcmp tess_strcmp
#define strncmp tess_strncmp
#define strchr tess_strchr
#define strrchr tess_strrchr
#define strscpy tess_strscpy
#define strstarts tess_strstarts
#define glob_match tess_glob_match
#endif

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Copy at most size-1 bytes and always terminate.  Returns the length
 * copied, or -E2BIG if @src was truncated. */
ssize_t strscpy(char *dst, const char *src, size_t size);
bool strstarts(const char *s, const char *prefix);
/* Shell-style match: '*' any run, '?' one char.  No character classes. */
bool glob_match(const char *pattern, const char *s);

#endif
