/* ev_rows_dot_acc: y[r] += W_r . x for r < rows, W_r = W + r * stride (n floats each), with
 * ev_dotf's sums (16 lanes, fixed tree), two rows per pass over x, in the CPU's widest clone
 * (ev_dot.c). The one float dot product of the layers and of the feature pipeline's DCT and
 * chroma projection. */
#ifndef EV_DOT_H
#define EV_DOT_H

#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
__attribute__((visibility("hidden"))) /* internal to the library that links dsp/ */
#endif
void ev_rows_dot_acc(float *y, const float *W, size_t stride, int rows, const float *x, int n);

#endif
