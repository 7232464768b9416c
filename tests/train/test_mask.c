/* Feature masking: the masked entries are exactly the drawn bands and spans (checked against
 * an independent per-element rule), everything else is copied bit for bit, widths stay within
 * the configured maxima and the crop, draws are reproducible from the seed, and the spec
 * parser accepts what --help says and refuses the rest. */
#include <string.h>

#include "ev_mask.h"
#include "ev_test.h"

static int in_mask(const ev_mask *m, int t, int d) {
  for (int k = 0; k < m->n; k++)
    if ((d >= m->dim_lo[k] && d < m->dim_lo[k] + m->dim_w[k]) ||
        (t >= m->step_lo[k] && t < m->step_lo[k] + m->step_w[k]))
      return 1;
  return 0;
}

int main(void) {
  enum { T = 50, D = 30 };
  static float x[T * D], y[T * D];
  for (int i = 0; i < T * D; i++)
    x[i] = 1.0f + (float)i * 0.25f; /* never 0, so a 0 can only come from a mask */

  /* a hand-made mask: band 3..5, span 10..11 */
  ev_mask hand = {.n = 1, .dim_lo = {3}, .dim_w = {3}, .step_lo = {10}, .step_w = {2}};
  ev_mask_apply(&hand, x, T, D, y);
  EV_CHECK(y[0 * D + 3] == 0 && y[0 * D + 5] == 0 && y[0 * D + 6] == x[6], "band edges");
  EV_CHECK(y[10 * D + 0] == 0 && y[11 * D + 29] == 0 && y[12 * D + 0] == x[12 * D], "span edges");
  int zeros = 0;
  for (int i = 0; i < T * D; i++)
    zeros += y[i] == 0.0f;
  EV_CHECK(zeros == 3 * T + 2 * D - 3 * 2, "masked count %d, expected %d", zeros,
           3 * T + 2 * D - 6);

  ev_mask_config cfg;
  char err[256];
  EV_CHECK(ev_mask_config_parse(&cfg, "masks=3,dims=7,steps=12", err, sizeof err) == 0, "%s", err);
  EV_CHECK(cfg.masks == 3 && cfg.max_dims == 7 && cfg.max_steps == 12, "parsed values");
  ev_rng a, b;
  ev_rng_seed(&a, 42);
  ev_rng_seed(&b, 42);
  int widest_d = 0, widest_t = 0;
  for (int r = 0; r < 2000; r++) {
    ev_mask m, m2;
    ev_mask_draw(&cfg, T, D, &a, &m);
    ev_mask_draw(&cfg, T, D, &b, &m2);
    EV_CHECK(memcmp(&m, &m2, sizeof m) == 0, "same seed, same masks (draw %d)", r);
    for (int k = 0; k < m.n; k++) {
      EV_CHECK(m.dim_w[k] <= 7 && m.dim_lo[k] >= 0 && m.dim_lo[k] + m.dim_w[k] <= D, "band");
      EV_CHECK(m.step_w[k] <= 12 && m.step_lo[k] >= 0 && m.step_lo[k] + m.step_w[k] <= T, "span");
      widest_d = m.dim_w[k] > widest_d ? m.dim_w[k] : widest_d;
      widest_t = m.step_w[k] > widest_t ? m.step_w[k] : widest_t;
    }
    ev_mask_apply(&m, x, T, D, y);
    int bad = 0;
    for (int t = 0; t < T; t++)
      for (int d = 0; d < D; d++)
        bad += in_mask(&m, t, d) ? y[t * D + d] != 0.0f : y[t * D + d] != x[t * D + d];
    EV_CHECK(bad == 0, "draw %d: %d entries differ from the rule", r, bad);
  }
  EV_CHECK(widest_d == 7 && widest_t == 12, "the maxima are reached (%d, %d)", widest_d, widest_t);

  /* a crop shorter than the widest span: the span is clipped to the crop */
  ev_mask small;
  ev_mask_draw(&cfg, 3, D, &a, &small);
  for (int k = 0; k < small.n; k++)
    EV_CHECK(small.step_lo[k] + small.step_w[k] <= 3, "clipped span");

  EV_CHECK(ev_mask_config_parse(&cfg, "off", err, sizeof err) == 0 && cfg.masks == 0, "off");
  EV_CHECK(ev_mask_config_parse(&cfg, "on", err, sizeof err) == 0 && cfg.masks == 2, "on");
  EV_CHECK(ev_mask_config_parse(&cfg, "masks=9", err, sizeof err) != 0, "too many masks");
  EV_CHECK(ev_mask_config_parse(&cfg, "width=3", err, sizeof err) != 0, "unknown key");
  EV_CHECK(ev_mask_config_parse(&cfg, "dims=x", err, sizeof err) != 0, "not a number");
  EV_TEST_END();
}
