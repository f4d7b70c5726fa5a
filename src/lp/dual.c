/* dual.c - dual simplex (see simplex_work.h).  Placeholder: primal. */
#include "lp/simplex_work.h"

nms_lp_status nms__sx_dual(sx_work *W, int *oom)
{
    return nms__sx_primal(W, oom);
}
