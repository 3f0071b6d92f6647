/* include/tessera/types.h — fixed-width and basic kernel types.
 *
 * Freestanding: nothing here comes from the host libc.  Shared with host
 * tests, which include it instead of <stdint.h> when compiling lib/ code.
 */
#ifndef TESSERA_TYPES_H
#define TESSERA_TYPES_H
#ifndef __ASSEMBLER__

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef signed short s16;
typedef signed int s32;
typedef signed long long s64;

#ifndef __HOST_TEST__
typedef unsigned long size_t;
typedef long ssize_t;
typedef unsigned long uintptr_t;
typedef long intptr_t;
typedef long ptrdiff_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)
#else
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#endif

typedef u64 phys_addr_t;

#endif /* __ASSEMBLER__ */
#endif
