/* problem.c - the column-major score store and group / column helpers. */
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "part/part.h"
#include "util/util.h"

/* vscale = 2 x the largest column sum (1 for an all-zero matrix). */
static void set_vscale(nms__pp *p)
{
    double vmax = 0.0;
    for (size_t c = 0; c < p->C; c++) {
        double sum = 0.0;
        for (size_t r = 0; r < p->R; r++)
            sum += p->x[c * p->Rp + r];
        if (sum > vmax)
            vmax = sum;
    }
    p->vscale = 2.0 * vmax > 1e-300 ? 2.0 * vmax : 1.0;
}

int nms__pp_init(nms__pp *p, const double *s, size_t R, size_t C, nms_error *err)
{
    memset(p, 0, sizeof *p);
    size_t Rp = (R + 3) / 4 * 4, n;
    if (Rp < R || nms__mul_size(Rp, C, &n))
        return nms__fail(err, NMS_ERR_RANGE, "a %zu x %zu score matrix is too large", R, C);
    p->x = nms__calloc(n ? n : 1, sizeof *p->x);
    if (!p->x)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory for a %zu x %zu score matrix", R, C);
    p->R = R;
    p->Rp = Rp;
    p->C = C;
    for (size_t c = 0; c < C; c++)
        for (size_t r = 0; r < R; r++)
            p->x[c * Rp + r] = s[r * C + c];
    set_vscale(p);
    return NMS_OK;
}

int nms__pp_subset(const nms__pp *p, const int32_t *chan, size_t n, nms__pp *out, nms_error *err)
{
    memset(out, 0, sizeof *out);
    out->x = nms__malloc_array(n > 0 ? n * p->Rp : 1, sizeof *out->x);
    if (!out->x)
        return nms__fail(err, NMS_ERR_NOMEM, "out of memory for a %zu x %zu score matrix", p->R, n);
    out->R = p->R;
    out->Rp = p->Rp;
    out->C = n;
    for (size_t c = 0; c < n; c++)
        memcpy(out->x + c * p->Rp, p->x + (size_t)chan[c] * p->Rp, p->Rp * sizeof *out->x);
    set_vscale(out);
    return NMS_OK;
}

void nms__pp_free(nms__pp *p)
{
    nms__free(p->x);
    memset(p, 0, sizeof *p);
}

uint64_t nms__splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void nms__shuffle(size_t *a, size_t n, uint64_t *rng)
{
    for (size_t g = n; g > 1; g--) {
        size_t j = (size_t)(nms__splitmix64(rng) % g), t = a[g - 1];
        a[g - 1] = a[j];
        a[j] = t;
    }
}

double nms__pp_group_value(const nms__pp *p, const int32_t g[4])
{
    const double *a = p->x + (size_t)g[0] * p->Rp, *b = p->x + (size_t)g[1] * p->Rp;
    const double *c = p->x + (size_t)g[2] * p->Rp, *d = p->x + (size_t)g[3] * p->Rp;
    double l[4] = {0, 0, 0, 0};
    for (size_t r = 0; r < p->Rp; r += 4)
        for (int q = 0; q < 4; q++) {
            size_t i = r + (size_t)q;
            double hi1 = a[i] > b[i] ? a[i] : b[i], lo1 = a[i] > b[i] ? b[i] : a[i];
            double hi2 = c[i] > d[i] ? c[i] : d[i], lo2 = c[i] > d[i] ? d[i] : c[i];
            double s = hi1 + hi2, t = hi1 + lo1, u = hi2 + lo2;
            double m = s > t ? s : t;
            l[q] += m > u ? m : u;
        }
    return (l[0] + l[1]) + (l[2] + l[3]);
}

double nms__pp_perm_value(const nms__pp *p, const int32_t *perm)
{
    double sum = 0.0;
    for (size_t j = 0; j + 4 <= p->C; j += 4)
        sum += nms__pp_group_value(p, perm + j);
    return sum;
}

void nms__sort4(int32_t g[4])
{
    for (int i = 1; i < 4; i++) {
        int32_t v = g[i];
        int j = i;
        while (j > 0 && g[j - 1] > v) {
            g[j] = g[j - 1];
            j--;
        }
        g[j] = v;
    }
}

double nms__pi_sum4(const double *pi, const int32_t g[4])
{
    if (!pi)
        return 0.0;
    return ((pi[g[0]] + pi[g[1]]) + pi[g[2]]) + pi[g[3]];
}

int nms__col_cmp(const void *pa, const void *pb)
{
    const nms__col *a = pa, *b = pb;
    return nms__col_before(a, b) ? -1 : nms__col_before(b, a);
}

double nms__price_level(double rc_top, double thr, int m)
{
    return rc_top - (rc_top - thr) * pow(2.0, -0.5 * m);
}

int nms__on_calling_thread(void)
{
#ifdef _OPENMP
    return omp_get_thread_num() == 0;
#else
    return 1;
#endif
}

void nms__ctl_tick(void *vctl)
{
    const nms__ctl *ctl = vctl;
    if (ctl && ctl->tick && nms__on_calling_thread())
        ctl->tick(ctl->tick_ctx);
}

int nms__ctl_stop(const nms__ctl *ctl)
{
    if (!ctl)
        return 0;
    nms__ctl_tick((void *)ctl);
    return (ctl->interrupt && *ctl->interrupt) || (ctl->deadline > 0 && nms__now() > ctl->deadline);
}

int nms__lp_time_left(nms_lp_options *lo, double deadline)
{
    if (deadline <= 0)
        return 1;
    lo->time_limit = deadline - nms__now();
    return lo->time_limit > 0;
}
