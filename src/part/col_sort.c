/*
 * col_sort.c - sorting columns into nms__col_cmp order (rc descending, then
 * the channels lexicographically ascending), in parallel.
 *
 * The order is total (no two distinct groups compare equal; equal rc, as
 * quantized weights give, fall back to the channels), so the result is the
 * same whatever the algorithm and the thread count.  The columns are split
 * into one run per thread, each run merge-sorted by its thread (insertion
 * sort below 16 columns, the comparison inline, not through a function
 * pointer), then the runs are merged pairwise.  Measured on the 7.45 M
 * groups enumerated for a 24 x 256 window of ssd L005 (a 20 s run of that
 * window, twice each): qsort 1.80 s, this sort 0.67-0.72 s with 2 threads,
 * 1.24 s with one.  Sorting 16-byte keys (rc, index) and then moving the
 * records into place along the permutation's cycles was slower than qsort
 * (1.87 s with 2 threads): the cycles read the records at random.
 *
 * Memory: a merge buffer as large as the columns, as glibc's qsort takes
 * for its own; when that cannot be had, qsort.
 */
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "part/part.h"
#include "util/util.h"

enum {
    INSERTION_MAX = 16, /* columns: insertion sort below */
    MAX_RUNS = 64,
    MIN_RUN = 4096      /* columns per run: fewer are sorted as one run */
};

/* Merge the sorted a[0..na) and b[0..nb) into out. */
static void merge(const nms__col *a, size_t na, const nms__col *b, size_t nb, nms__col *out)
{
    size_t i = 0, j = 0, o = 0;
    while (i < na && j < nb)
        out[o++] = nms__col_before(&b[j], &a[i]) ? b[j++] : a[i++];
    memcpy(out + o, a + i, (na - i) * sizeof *a);
    memcpy(out + o + (na - i), b + j, (nb - j) * sizeof *b);
}

/* Sort c[0..n) with tmp[0..n) as the merge buffer. */
static void sort_run(nms__col *c, nms__col *tmp, size_t n)
{
    if (n <= INSERTION_MAX) {
        for (size_t a = 1; a < n; a++) {
            nms__col x = c[a];
            size_t b = a;
            while (b > 0 && nms__col_before(&x, &c[b - 1])) {
                c[b] = c[b - 1];
                b--;
            }
            c[b] = x;
        }
        return;
    }
    size_t h = n / 2;
    sort_run(c, tmp, h);
    sort_run(c + h, tmp + h, n - h);
    if (!nms__col_before(&c[h], &c[h - 1])) /* already in order */
        return;
    memcpy(tmp, c, n * sizeof *c);
    merge(tmp, h, tmp + h, n - h, c);
}

void nms__col_sort(nms__col *c, size_t n, int threads)
{
    if (n < 2)
        return;
    nms__col *tmp = nms__malloc_array(n, sizeof *tmp);
    if (!tmp) {
        qsort(c, n, sizeof *c, nms__col_cmp);
        return;
    }
#ifdef _OPENMP
    if (threads <= 0) /* the OpenMP default */
        threads = omp_get_max_threads();
#endif
    size_t runs = threads > 1 ? (size_t)threads : 1;
    if (runs > MAX_RUNS)
        runs = MAX_RUNS;
    if (n < runs * MIN_RUN)
        runs = 1;
    size_t at[MAX_RUNS + 1];
    for (size_t r = 0; r <= runs; r++)
        at[r] = n / runs * r + (r * (n % runs)) / runs;
#ifdef _OPENMP
#pragma omp parallel for schedule(static, 1) num_threads((int)runs) if (runs > 1)
#endif
    for (size_t r = 0; r < runs; r++)
        sort_run(c + at[r], tmp + at[r], at[r + 1] - at[r]);
    for (size_t width = 1; width < runs; width *= 2) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static, 1) num_threads((int)runs) if (runs > 2 * width)
#endif
        for (size_t r = 0; r < runs; r += 2 * width) {
            if (r + width >= runs)
                continue;
            size_t lo = at[r], mid = at[r + width], hi = at[r + 2 * width < runs ? r + 2 * width : runs];
            memcpy(tmp + lo, c + lo, (hi - lo) * sizeof *c);
            merge(tmp + lo, mid - lo, tmp + mid, hi - mid, c + lo);
        }
    }
    nms__free(tmp);
}
