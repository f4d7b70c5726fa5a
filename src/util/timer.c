/* timer.c - a monotonic clock in seconds. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "util/util.h"

double nms__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
