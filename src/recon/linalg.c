/* linalg.c - dense Cholesky, solves and inverses for weight reconstruction.
 * See linalg.h for the mathematics and array sizes. */
#include <math.h>
#include <string.h>

#include "recon/linalg.h"

int nms__chol_lower(double *a, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        double *aj = a + j * n;
        double d = aj[j] - nms__dot(aj, aj, j);
        if (!(d > 0.0) || !isfinite(d))
            return (int)(j + 1 > (size_t)0x7fffffff ? 0x7fffffff : j + 1);
        double ljj = sqrt(d);
        aj[j] = ljj;
        double inv = 1.0 / ljj;
        /* column j below the diagonal: a[i][j] = (a[i][j] - L[i,:j].L[j,:j]) / ljj */
        for (size_t i = j + 1; i < n; i++) {
            double *ai = a + i * n;
            ai[j] = (ai[j] - nms__dot(ai, aj, j)) * inv;
        }
        for (size_t k = j + 1; k < n; k++)
            aj[k] = 0.0;
    }
    return 0;
}

void nms__chol_solve(const double *l, size_t n, double *b)
{
    /* forward: L y = b */
    for (size_t i = 0; i < n; i++) {
        const double *li = l + i * n;
        b[i] = (b[i] - nms__dot(li, b, i)) / li[i];
    }
    /* backward: L^T x = y */
    for (size_t i = n; i-- > 0;) {
        double s = b[i];
        for (size_t k = i + 1; k < n; k++)
            s -= l[k * n + i] * b[k];
        b[i] = s / l[i * n + i];
    }
}

/* inv = L^{-T} L^{-1}: first M = L^{-1} (lower, row by row), then
 * inv = M^T M as a sum of outer products of M's rows.  Both loops run
 * along rows (contiguous memory). */
int nms__spd_inverse(double *a, size_t n, double *inv)
{
    int rc = nms__chol_lower(a, n);
    if (rc)
        return rc;
    /* M row i: M[i, :i] = -(sum_{k<i} L[i][k] M[k, :i]) / L[i][i],
     * M[i][i] = 1 / L[i][i].  Built in inv's rows, then copied over a. */
    memset(inv, 0, n * n * sizeof *inv);
    for (size_t i = 0; i < n; i++) {
        double *mi = inv + i * n;
        const double *li = a + i * n;
        for (size_t k = 0; k < i; k++) {
            double lik = li[k];
            if (lik == 0.0)
                continue;
            nms__axpy(mi, -lik, inv + k * n, k + 1);
        }
        double d = 1.0 / li[i];
        for (size_t j = 0; j < i; j++)
            mi[j] *= d;
        mi[i] = d;
    }
    memcpy(a, inv, n * n * sizeof *a);
    /* inv = sum_k M[k,:]^T M[k,:] (lower triangle), then mirrored */
    memset(inv, 0, n * n * sizeof *inv);
    for (size_t k = 0; k < n; k++) {
        const double *mk = a + k * n;
        for (size_t i = 0; i <= k; i++) {
            double mki = mk[i];
            if (mki == 0.0)
                continue;
            nms__axpy(inv + i * n, mki, mk, i + 1);
        }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            inv[j * n + i] = inv[i * n + j];
    return 0;
}

int nms__chol_upper_of_inverse(double *a, size_t n, double *u)
{
    int rc = nms__spd_inverse(a, n, u);
    if (rc)
        return rc;
    /* A^{-1} = L L^T; U = L^T gives A^{-1} = U^T U. */
    memcpy(a, u, n * n * sizeof *a);
    rc = nms__chol_lower(a, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            u[i * n + j] = j >= i ? a[j * n + i] : 0.0;
    return 0;
}

void nms__rows_times_sym(const double *x, size_t rb, size_t n, const double *h,
                         double *y)
{
    memset(y, 0, rb * n * sizeof *y);
    /* y[r,:] += x[r,i] * H[i,:]: H row i is read once for the whole block. */
    for (size_t i = 0; i < n; i++) {
        const double *hi = h + i * n;
        for (size_t r = 0; r < rb; r++) {
            double xi = x[r * n + i];
            if (xi == 0.0)
                continue;
            nms__axpy(y + r * n, xi, hi, n);
        }
    }
}
