/* vec.c - the shared dense vector kernels (see vec.h). */
#include "util/vec.h"

void nms__axpy(double *restrict y, double a, const double *restrict x, size_t n)
{
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        y[k] += a * x[k];
        y[k + 1] += a * x[k + 1];
        y[k + 2] += a * x[k + 2];
        y[k + 3] += a * x[k + 3];
    }
    for (; k < n; k++)
        y[k] += a * x[k];
}

double nms__dot(const double *x, const double *y, size_t n)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    double s4 = 0.0, s5 = 0.0, s6 = 0.0, s7 = 0.0;
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        s0 += x[k] * y[k];
        s1 += x[k + 1] * y[k + 1];
        s2 += x[k + 2] * y[k + 2];
        s3 += x[k + 3] * y[k + 3];
        s4 += x[k + 4] * y[k + 4];
        s5 += x[k + 5] * y[k + 5];
        s6 += x[k + 6] * y[k + 6];
        s7 += x[k + 7] * y[k + 7];
    }
    for (; k < n; k++)
        s0 += x[k] * y[k];
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}
