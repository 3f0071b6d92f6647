/* include/uapi/time.h — time structures and clock ids of the Linux x86-64
 * ABI (linux/time.h, linux/time_types.h). */
#ifndef UAPI_TIME_H
#define UAPI_TIME_H

#include <tessera/types.h>

struct timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

struct timeval {
	s64 tv_sec;
	s64 tv_usec;
};

struct timezone {
	s32 tz_minuteswest;
	s32 tz_dsttime;
};

struct tms {
	s64 tms_utime, tms_stime, tms_cutime, tms_cstime;
};

#define CLOCK_REALTIME			0
#define CLOCK_MONOTONIC			1
#define CLOCK_PROCESS_CPUTIME_ID	2
#define CLOCK_THREAD_CPUTIME_ID		3
#define CLOCK_MONOTONIC_RAW		4
#define CLOCK_REALTIME_COARSE		5
#define CLOCK_MONOTONIC_COARSE		6
#define CLOCK_BOOTTIME			7

#define TIMER_ABSTIME	0x01

#endif
