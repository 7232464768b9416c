/* Backward of gru, lstm, bilstm and bigru: backpropagation through time over the whole
 * sequence (gru, lstm) or over every window (bilstm, bigru, whose forward states are recomputed
 * from the cached input projections rather than stored: memory O(T + window) instead of
 * O(T * window)).
 * The state sanitiser of the forward pass is treated as the identity (it only acts on
 * values training never produces). */
#include "ev_backward_internal.h"

/* ---- GRU cell backward, shared by gru and bigru ----
 * c: the step's cache record r, z, n, hn (= W_hn h_prev + b_hn); g: dL/dh (all paths).
 * Writes dgi (= dL/d(W_ih x + b_ih), 3H) and dh_prev, accumulates dW_hh and db_hh (if not
 * NULL). */
static void gru_cell_backward(const ev_layer *l, int dir, const float *c, const float *h_prev,
                              const float *g, float *dgi, float *dh_prev, float *dgh,
                              float *const *dp) {
  int H = l->hidden, base = dir ? EV_P_REVERSE : 0;
  const float *r = c, *z = c + H, *n = c + 2 * H, *hn = c + 3 * H;
  for (int j = 0; j < H; j++) {
    float dn = g[j] * (1.0f - z[j]);
    float dz = g[j] * (h_prev[j] - n[j]);
    float dn_pre = dn * (1.0f - n[j] * n[j]);
    float dr = dn_pre * hn[j];
    float dr_pre = dr * r[j] * (1.0f - r[j]);
    float dz_pre = dz * z[j] * (1.0f - z[j]);
    dgi[j] = dr_pre;
    dgi[H + j] = dz_pre;
    dgi[2 * H + j] = dn_pre;
    dgh[j] = dr_pre;
    dgh[H + j] = dz_pre;
    dgh[2 * H + j] = dn_pre * r[j];
    dh_prev[j] = g[j] * z[j];
  }
  if (dp[base + EV_P_W_HH])
    ev_outer_acc(dp[base + EV_P_W_HH], 3 * H, H, dgh, h_prev);
  ev_grad_add(dp[base + EV_P_B_HH], dgh, 3 * H);
  ev_matvec_t_acc(dh_prev, l->params[base + EV_P_W_HH].data, 3 * H, H, dgh);
}

/* Input-side gradients of one GRU direction for frame x: W_ih, b_ih, and din. */
static void gru_input_backward(const ev_layer *l, int dir, const float *x, const float *dgi,
                               float *dx, float *const *dp) {
  int G = 3 * l->hidden, D = l->in_dim, base = dir ? EV_P_REVERSE : 0;
  if (dp[base + EV_P_W_IH])
    ev_outer_acc(dp[base + EV_P_W_IH], G, D, dgi, x);
  ev_grad_add(dp[base + EV_P_B_IH], dgi, G);
  ev_matvec_t_acc(dx, l->params[base + EV_P_W_IH].data, G, D, dgi);
}

/* ---- GRU ---- cache per frame: r, z, n, hn (= W_hn h_prev + b_hn), h. */
void ev_gru_backward(const ev_layer *l, int T, const float *in, const float *cache,
                     const float *dout, float *din, float *const *dp, float *scratch) {
  int H = l->hidden, D = l->in_dim;
  float *buf = scratch; /* 9H, zeroed */
  memset(buf, 0, sizeof(float) * 9 * (size_t)H);
  float *dh = buf, *dgi = buf + H, *dgh = buf + 4 * H, *zeros = buf + 7 * H, *dh_prev = buf + 8 * H;
  /* dh holds dL/dh_t coming from later frames; starts at 0 after the last frame */
  for (int t = T - 1; t >= 0; t--) {
    const float *c = cache + (size_t)t * 5 * H;
    const float *h_prev = t ? cache + (size_t)(t - 1) * 5 * H + 4 * H : zeros;
    ev_grad_add(dh, dout + (size_t)t * H, H);
    gru_cell_backward(l, 0, c, h_prev, dh, dgi, dh_prev, dgh, dp);
    gru_input_backward(l, 0, in + (size_t)t * D, dgi, din + (size_t)t * D, dp);
    memcpy(dh, dh_prev, sizeof(float) * (size_t)H);
  }
}

/* ---- LSTM cell backward, shared by lstm and bilstm ----
 * gates: activated i, f, g, o; c: the new cell state; dh: dL/dh (all paths); dc: in dL/dc from
 * later steps, out dL/dc_prev. Writes dP (pre-activation gate gradients, = dL/d(W_ih x + b)),
 * dh_prev (written) and accumulates dW_hh (if not NULL). */
static void lstm_cell_backward(const ev_layer *l, int dir, const float *gates, const float *c,
                               const float *c_prev, const float *h_prev, const float *dh, float *dc,
                               float *dP, float *dh_prev, float *dWhh) {
  int H = l->hidden;
  const float *Whh = l->params[(dir ? EV_P_REVERSE : 0) + EV_P_W_HH].data;
  for (int j = 0; j < H; j++) {
    float i = gates[j], f = gates[H + j], g = gates[2 * H + j], o = gates[3 * H + j];
    float tc = ev_tanhf(c[j]);
    float d_o = dh[j] * tc;
    float dcj = dc[j] + dh[j] * o * (1.0f - tc * tc);
    dP[j] = dcj * g * i * (1.0f - i);
    dP[H + j] = dcj * c_prev[j] * f * (1.0f - f);
    dP[2 * H + j] = dcj * i * (1.0f - g * g);
    dP[3 * H + j] = d_o * o * (1.0f - o);
    dc[j] = dcj * f;
    dh_prev[j] = 0.0f;
  }
  ev_matvec_t_acc(dh_prev, Whh, 4 * H, H, dP);
  if (dWhh)
    ev_outer_acc(dWhh, 4 * H, H, dP, h_prev);
}

/* Input-side gradients of one direction for frame x: W_ih, both biases, and din. */
static void lstm_input_backward(const ev_layer *l, int dir, const float *x, const float *dP,
                                float *dx, float *const *dp) {
  int G = 4 * l->hidden, D = l->in_dim, base = dir ? EV_P_REVERSE : 0;
  if (dp[base + EV_P_W_IH])
    ev_outer_acc(dp[base + EV_P_W_IH], G, D, dP, x);
  ev_grad_add(dp[base + EV_P_B_IH], dP, G);
  ev_grad_add(dp[base + EV_P_B_HH], dP, G);
  ev_matvec_t_acc(dx, l->params[base + EV_P_W_IH].data, G, D, dP);
}

/* cache per frame: i, f, g, o, c, h. */
void ev_lstm_backward(const ev_layer *l, int T, const float *in, const float *cache,
                      const float *dout, float *din, float *const *dp, float *scratch) {
  int H = l->hidden, D = l->in_dim;
  size_t S = 6 * (size_t)H;
  float *buf = scratch; /* 9H, zeroed */
  memset(buf, 0, sizeof(float) * 9 * (size_t)H);
  float *dh = buf, *dc = buf + H, *dP = buf + 2 * H, *zeros = buf + 6 * H, *dh_prev = buf + 7 * H;
  for (int t = T - 1; t >= 0; t--) {
    const float *ct = cache + t * S;
    const float *c_prev = t ? ct - S + 4 * H : zeros, *h_prev = t ? ct - S + 5 * H : zeros;
    const float *dy = dout + (size_t)t * H;
    for (int j = 0; j < H; j++)
      dh[j] += dy[j];
    lstm_cell_backward(l, 0, ct, ct + 4 * H, c_prev, h_prev, dh, dc, dP, dh_prev, dp[EV_P_W_HH]);
    lstm_input_backward(l, 0, in + (size_t)t * D, dP, din + (size_t)t * D, dp);
    memcpy(dh, dh_prev, sizeof(float) * (size_t)H);
  }
}

/* Re-runs one direction over the window, keeping every step's gates, c and h (6H per step).
 * Step m reads frame order[m]. */
static void bilstm_replay(const ev_layer *l, int dir, const float *cache, int s, int L,
                          float *steps) {
  int H = l->hidden;
  size_t S = 6 * (size_t)H;
  for (int m = 0; m < L; m++) {
    int frame = dir ? s + L - 1 - m : s + m;
    const float *P = cache + (size_t)frame * 8 * H + (dir ? 4 * H : 0);
    float *st = steps + m * S;
    const float *h_prev = m ? st - S + 5 * H : NULL, *c_prev = m ? st - S + 4 * H : NULL;
    if (!m) { /* zero initial state: use this step's own c/h slots, zeroed */
      memset(st + 4 * H, 0, sizeof(float) * 2 * H);
      h_prev = st + 5 * H;
      c_prev = st + 4 * H;
    }
    ev_lstm_cell(l, dir, P, h_prev, c_prev, st + 5 * H, st + 4 * H, st);
  }
}

/* cache: per-frame projections [Pf, Pb]. Gradients w.r.t. the projections of every frame are
 * summed over all the windows that contain it, then pushed through W_ih once. */
void ev_bilstm_backward(const ev_layer *l, int T, const float *in, const float *cache,
                        const float *dout, float *din, float *const *dp, float *scratch) {
  int H = l->hidden, D = l->in_dim, W = l->window;
  size_t S = 6 * (size_t)H;
  /* scratch: dPall [T, 8H] and buf [8H] zeroed, steps [min(W, T), S] */
  float *dPall = scratch, *buf = dPall + (size_t)T * 8 * H, *steps = buf + 8 * (size_t)H;
  memset(dPall, 0, sizeof(float) * ((size_t)T * 8 * H + 8 * (size_t)H));
  float *dh = buf, *dc = buf + H, *dP = buf + 2 * H, *zeros = buf + 6 * H, *dh_prev = buf + 7 * H;
  for (int t = 0; t < T; t++) {
    int s = t - W + 1 < 0 ? 0 : t - W + 1, L = t - s + 1;
    for (int dir = 0; dir < 2; dir++) {
      int base = dir ? EV_P_REVERSE : 0;
      bilstm_replay(l, dir, cache, s, L, steps);
      memcpy(dh, dout + (size_t)t * 2 * H + (dir ? H : 0), sizeof(float) * (size_t)H);
      memset(dc, 0, sizeof(float) * (size_t)H);
      for (int m = L - 1; m >= 0; m--) {
        const float *st = steps + m * S;
        const float *c_prev = m ? st - S + 4 * H : zeros, *h_prev = m ? st - S + 5 * H : zeros;
        lstm_cell_backward(l, dir, st, st + 4 * H, c_prev, h_prev, dh, dc, dP, dh_prev,
                           dp[base + EV_P_W_HH]);
        int frame = dir ? s + L - 1 - m : s + m;
        ev_grad_add(dPall + (size_t)frame * 8 * H + (dir ? 4 * H : 0), dP, 4 * H);
        memcpy(dh, dh_prev, sizeof(float) * (size_t)H);
      }
    }
  }
  for (int t = 0; t < T; t++) {
    const float *x = in + (size_t)t * D;
    lstm_input_backward(l, 0, x, dPall + (size_t)t * 8 * H, din + (size_t)t * D, dp);
    lstm_input_backward(l, 1, x, dPall + (size_t)t * 8 * H + 4 * H, din + (size_t)t * D, dp);
  }
}

/* Re-runs one GRU direction over the window from the cached input projections, keeping every
 * step's cache record r, z, n, hn, h (5H per step). Step m reads frame s + m (forward) or
 * s + L - 1 - m (reverse). gh: 3H of scratch. */
static void bigru_replay(const ev_layer *l, int dir, const float *cache, int s, int L, float *steps,
                         float *gh) {
  int H = l->hidden;
  size_t S = 5 * (size_t)H;
  for (int m = 0; m < L; m++) {
    int frame = dir ? s + L - 1 - m : s + m;
    const float *G = cache + (size_t)frame * 6 * H + (dir ? 3 * H : 0);
    float *st = steps + m * S;
    float *h = st + 4 * H;
    if (!m) /* zero initial state: this step's own h slot, zeroed, then overwritten */
      memset(h, 0, sizeof(float) * (size_t)H);
    ev_gru_recur(l, dir, G, m ? h - S : h, h, gh, st);
  }
}

/* cache: per-frame input projections [Gf, Gb]. As for bilstm, the gradients w.r.t. every
 * frame's projections are summed over all the windows that contain it, then pushed through
 * W_ih once; W_hh and b_hh gather theirs cell by cell. */
void ev_bigru_backward(const ev_layer *l, int T, const float *in, const float *cache,
                       const float *dout, float *din, float *const *dp, float *scratch) {
  int H = l->hidden, D = l->in_dim, W = l->window;
  size_t S = 5 * (size_t)H;
  /* scratch: dGall [T, 6H] and buf [12H] zeroed, steps [min(W, T), S] */
  float *dGall = scratch, *buf = dGall + (size_t)T * 6 * H, *steps = buf + 12 * (size_t)H;
  memset(dGall, 0, sizeof(float) * ((size_t)T * 6 * H + 12 * (size_t)H));
  float *dh = buf, *dgi = buf + H, *dgh = buf + 4 * H, *gh = buf + 7 * H, *zeros = buf + 10 * H;
  float *dh_prev = buf + 11 * H;
  for (int t = 0; t < T; t++) {
    int s = t - W + 1 < 0 ? 0 : t - W + 1, L = t - s + 1;
    for (int dir = 0; dir < 2; dir++) {
      bigru_replay(l, dir, cache, s, L, steps, gh);
      memcpy(dh, dout + (size_t)t * 2 * H + (dir ? H : 0), sizeof(float) * (size_t)H);
      for (int m = L - 1; m >= 0; m--) {
        const float *st = steps + m * S;
        const float *h_prev = m ? st - S + 4 * H : zeros;
        gru_cell_backward(l, dir, st, h_prev, dh, dgi, dh_prev, dgh, dp);
        int frame = dir ? s + L - 1 - m : s + m;
        ev_grad_add(dGall + (size_t)frame * 6 * H + (dir ? 3 * H : 0), dgi, 3 * H);
        memcpy(dh, dh_prev, sizeof(float) * (size_t)H);
      }
    }
  }
  for (int t = 0; t < T; t++) {
    const float *x = in + (size_t)t * D;
    gru_input_backward(l, 0, x, dGall + (size_t)t * 6 * H, din + (size_t)t * D, dp);
    gru_input_backward(l, 1, x, dGall + (size_t)t * 6 * H + 3 * H, din + (size_t)t * D, dp);
  }
}
