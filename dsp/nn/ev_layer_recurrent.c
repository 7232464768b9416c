/* gru, lstm, and bilstm and bigru (both directions over a sliding window). PyTorch equations
 * and gate orders: GRU r, z, n; LSTM i, f, g, o. States are sanitised after every step (NaN/Inf
 * and denormals -> 0) so a bad frame cannot poison them for longer than that frame. */
#include "ev_nn_internal.h"

/* ---- GRU ----
 * r = sig(W_ir x + b_ir + W_hr h + b_hr)      z = sig(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   h' = (1 - z) * n + z * h */
/* The gates from the two projections gi = W_ih x + b_ih and gh = W_hh h + b_hh. */
static void gru_gates(int H, const float *gi, const float *gh, const float *h_prev, float *h,
                      float *cache_t) {
  for (int j = 0; j < H; j++) {
    float r = ev_sigmoidf(gi[j] + gh[j]);
    float z = ev_sigmoidf(gi[H + j] + gh[H + j]);
    float n = ev_tanhf(gi[2 * H + j] + r * gh[2 * H + j]);
    float hn = ev_sanitizef((1.0f - z) * n + z * h_prev[j]);
    if (cache_t) {
      cache_t[j] = r;
      cache_t[H + j] = z;
      cache_t[2 * H + j] = n;
      cache_t[3 * H + j] = gh[2 * H + j];
      cache_t[4 * H + j] = hn;
    }
    h[j] = hn; /* h may alias h_prev: h_prev[j] is not read again */
  }
}

void ev_gru_project(const ev_layer *l, int dir, const float *x, float *gi) {
  int base = dir ? EV_P_REVERSE : 0;
  memcpy(gi, l->params[base + EV_P_B_IH].data, sizeof(float) * 3 * (size_t)l->hidden);
  ev_matvec_acc(gi, l->params[base + EV_P_W_IH].data, 3 * l->hidden, l->in_dim, x);
}

void ev_gru_recur(const ev_layer *l, int dir, const float *gi, const float *h_prev, float *h,
                  float *gh, float *cache_t) {
  int H = l->hidden, base = dir ? EV_P_REVERSE : 0;
  memcpy(gh, l->params[base + EV_P_B_HH].data, sizeof(float) * 3 * (size_t)H);
  ev_matvec_acc(gh, l->params[base + EV_P_W_HH].data, 3 * H, H, h_prev);
  gru_gates(H, gi, gh, h_prev, h, cache_t);
}

void ev_gru_cell(const ev_layer *l, const float *x, const float *h_prev, float *h, float *scratch,
                 float *cache_t) {
  ev_gru_project(l, 0, x, scratch);
  ev_gru_recur(l, 0, scratch, h_prev, h, scratch + 3 * l->hidden, cache_t);
}

/* Step in two parts: the input projection W_ih x + b_ih into the state's gate area, then the
 * recurrent projection and the gates (bit-identical to ev_gru_cell). state: [h, gi (3H)]. */
void ev_gru_step_part(const ev_layer *l, float *state, const float *in, float *out, float *scratch,
                      int part) {
  float *gi = state + l->hidden;
  if (part == 0) {
    ev_gru_project(l, 0, in, gi);
    return;
  }
  ev_gru_recur(l, 0, gi, state, out, scratch, NULL);
  memcpy(state, out, sizeof(float) * (size_t)l->hidden);
}

/* cache: [T][r, z, n, hn, h] then 6H of cell scratch. */
void ev_gru_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  size_t H = (size_t)l->hidden, D = (size_t)l->in_dim;
  float *scratch = cache + (size_t)T * 5 * H;
  for (int t = 0; t < T; t++) {
    const float *h_prev = t ? out + (t - 1) * H : NULL;
    if (!h_prev) { /* zero initial state: zero frame 0's output, which the cell overwrites */
      memset(out, 0, sizeof(float) * H);
      h_prev = out;
    }
    ev_gru_cell(l, in + t * D, h_prev, out + t * H, scratch, cache + t * 5 * H);
  }
}

/* ---- LSTM ----
 * i, f, g, o = sig, sig, tanh, sig of (W_ih x + b_ih + W_hh h + b_hh), split in that order
 * c' = f * c + i * g      h' = o * tanh(c') */
void ev_lstm_project(const ev_layer *l, int dir, const float *x, float *P) {
  int G = 4 * l->hidden, base = dir ? EV_P_REVERSE : 0;
  const float *Wih = l->params[base + EV_P_W_IH].data;
  const float *bih = l->params[base + EV_P_B_IH].data, *bhh = l->params[base + EV_P_B_HH].data;
  for (int j = 0; j < G; j++)
    P[j] = bih[j] + bhh[j];
  ev_matvec_acc(P, Wih, G, l->in_dim, x);
}

void ev_lstm_cell(const ev_layer *l, int dir, const float *P, const float *h_prev,
                  const float *c_prev, float *h, float *c, float *gates) {
  int H = l->hidden, base = dir ? EV_P_REVERSE : 0;
  const float *Whh = l->params[base + EV_P_W_HH].data;
  if (gates != P)
    memcpy(gates, P, sizeof(float) * 4 * (size_t)H);
  ev_matvec_acc(gates, Whh, 4 * H, H, h_prev); /* reads all of h_prev before h is written */
  for (int j = 0; j < H; j++) {
    float i = ev_sigmoidf(gates[j]);
    float f = ev_sigmoidf(gates[H + j]);
    float g = ev_tanhf(gates[2 * H + j]);
    float o = ev_sigmoidf(gates[3 * H + j]);
    float cn = ev_sanitizef(f * c_prev[j] + i * g);
    gates[j] = i;
    gates[H + j] = f;
    gates[2 * H + j] = g;
    gates[3 * H + j] = o;
    c[j] = cn;
    h[j] = ev_sanitizef(o * ev_tanhf(cn));
  }
}

/* cache: [T][i, f, g, o, c, h] then 4H of projection scratch. */
void ev_lstm_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  size_t H = (size_t)l->hidden, D = (size_t)l->in_dim;
  float *P = cache + (size_t)T * 6 * H;
  for (int t = 0; t < T; t++) {
    float *ct = cache + t * 6 * H;
    const float *h_prev, *c_prev;
    if (t) {
      h_prev = ct - 6 * H + 5 * H;
      c_prev = ct - 6 * H + 4 * H;
    } else { /* zero state: c and h slots of frame 0 are zeroed first, then overwritten */
      memset(ct + 4 * H, 0, sizeof(float) * 2 * H);
      h_prev = ct + 5 * H;
      c_prev = ct + 4 * H;
    }
    ev_lstm_project(l, 0, in + t * D, P);
    ev_lstm_cell(l, 0, P, h_prev, c_prev, ct + 5 * H, ct + 4 * H, ct);
    memcpy(out + t * H, ct + 5 * H, sizeof(float) * H);
  }
}

/* ---- BiLSTM over a sliding window ----
 * Output at frame t, window frames s..t with s = max(0, t - window + 1) (fewer frames right
 * after a reset): [h_fwd, h_bwd] where h_fwd is the forward LSTM's last hidden state after
 * reading x_s..x_t from a zero state, and h_bwd the reverse LSTM's after reading x_t..x_s.
 * That is torch.cat([h_n[0], h_n[1]]) of nn.LSTM(bidirectional=True) applied to the window.
 * The input projections W_ih x + b are computed once per frame and kept with the window. */
void ev_bilstm_window(const ev_layer *l, const float *P, int start, int cap, int L, float *out,
                      float *scratch) {
  int H = l->hidden;
  size_t stride = 8 * (size_t)H;
  float *gates = scratch; /* 4H; then the cell states of both directions */
  /* forward direction: oldest to newest */
  float *hf = out, *cf = scratch + 4 * H;
  memset(hf, 0, sizeof(float) * (size_t)H);
  memset(cf, 0, sizeof(float) * (size_t)H);
  for (int k = 0; k < L; k++) {
    const float *Pk = P + (size_t)((start + k) % cap) * stride;
    ev_lstm_cell(l, 0, Pk, hf, cf, hf, cf, gates);
  }
  /* reverse direction: newest to oldest */
  float *hb = out + H, *cb = scratch + 5 * H;
  memset(hb, 0, sizeof(float) * (size_t)H);
  memset(cb, 0, sizeof(float) * (size_t)H);
  for (int k = L - 1; k >= 0; k--) {
    const float *Pk = P + (size_t)((start + k) % cap) * stride + 4 * H;
    ev_lstm_cell(l, 1, Pk, hb, cb, hb, cb, gates);
  }
}

/* Step in parts: 2W cells in all (W forward, W reverse; cells beyond the frames held right
 * after a reset do nothing, so the part count stays fixed), grouped so that one part costs
 * about EV_PART_MACS multiply-adds. Same cells in the same order as ev_bilstm_window, so the
 * result is bit-identical to ev_layer_step. */
#define EV_PART_MACS 16384
static int cells_per_part(int per_cell) {
  return per_cell >= EV_PART_MACS ? 1 : EV_PART_MACS / per_cell;
}
int ev_bilstm_cells_per_part(const ev_layer *l) {
  return cells_per_part(4 * l->hidden * l->hidden);
}

void ev_bilstm_step_part(const ev_layer *l, float *state, const float *in, float *out,
                         float *scratch, int part) {
  int H = l->hidden, W = l->window, cpp = ev_bilstm_cells_per_part(l);
  size_t stride = 8 * (size_t)H;
  float *hf = state + EV_RING_HEADER + (size_t)W * stride, *cf = hf + H, *hb = cf + H, *cb = hb + H;
  if (part == 0) {
    float *slot = ev_ring_push(state, W, (int)stride, NULL);
    ev_lstm_project(l, 0, in, slot);
    ev_lstm_project(l, 1, in, slot + 4 * H);
    memset(hf, 0, sizeof(float) * 4 * (size_t)H);
  }
  int L = (int)state[1], start = L < W ? 0 : (int)state[0];
  const float *P = state + EV_RING_HEADER;
  for (int c = part * cpp; c < (part + 1) * cpp && c < 2 * W; c++) {
    if (c < W) {
      if (c < L)
        ev_lstm_cell(l, 0, P + (size_t)((start + c) % W) * stride, hf, cf, hf, cf, scratch);
      if (c == W - 1)
        memcpy(out, hf, sizeof(float) * (size_t)H);
    } else {
      int m = c - W;
      if (m < L)
        ev_lstm_cell(l, 1, P + (size_t)((start + L - 1 - m) % W) * stride + 4 * H, hb, cb, hb, cb,
                     scratch);
      if (c == 2 * W - 1)
        memcpy(out + H, hb, sizeof(float) * (size_t)H);
    }
  }
}

/* cache: [T][Pf (4H), Pb (4H)] then 6H of window scratch. */
void ev_bilstm_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  size_t H = (size_t)l->hidden, D = (size_t)l->in_dim;
  float *scratch = cache + (size_t)T * 8 * H;
  for (int t = 0; t < T; t++) {
    ev_lstm_project(l, 0, in + t * D, cache + t * 8 * H);
    ev_lstm_project(l, 1, in + t * D, cache + t * 8 * H + 4 * H);
  }
  for (int t = 0; t < T; t++) {
    int s = t - l->window + 1 < 0 ? 0 : t - l->window + 1;
    ev_bilstm_window(l, cache + (size_t)s * 8 * H, 0, T, t - s + 1, out + t * 2 * H, scratch);
  }
}

/* ---- BiGRU over a sliding window ----
 * The bilstm design with GRU cells: output at frame t, window s..t (s = max(0, t - window + 1)),
 * is [h_fwd, h_bwd], the forward GRU's last hidden state after x_s..x_t and the reverse GRU's
 * after x_t..x_s, both from a zero state: torch.cat([h_n[0], h_n[1]]) of
 * nn.GRU(bidirectional=True) applied to the window. Only W_ih x + b_ih can be computed once per
 * frame and kept with the window (b_hn sits inside r * (W_hn h + b_hn), so b_hh is not folded
 * in); the recurrent half runs again for every window. */
void ev_bigru_window(const ev_layer *l, const float *G, int start, int cap, int L, float *out,
                     float *scratch) {
  int H = l->hidden;
  size_t stride = 6 * (size_t)H;
  float *hf = out, *hb = out + H; /* scratch: gh (3H) */
  memset(out, 0, sizeof(float) * 2 * (size_t)H);
  for (int k = 0; k < L; k++) /* forward direction: oldest to newest */
    ev_gru_recur(l, 0, G + (size_t)((start + k) % cap) * stride, hf, hf, scratch, NULL);
  for (int k = L - 1; k >= 0; k--) /* reverse direction: newest to oldest */
    ev_gru_recur(l, 1, G + (size_t)((start + k) % cap) * stride + 3 * H, hb, hb, scratch, NULL);
}

int ev_bigru_cells_per_part(const ev_layer *l) {
  return cells_per_part(3 * l->hidden * l->hidden);
}

/* Step in parts, as ev_bilstm_step_part: 2W cells in a fixed number of parts, the same cells in
 * the same order as ev_bigru_window (bit-identical to ev_layer_step). The hidden states of both
 * directions live in the state between parts. */
void ev_bigru_step_part(const ev_layer *l, float *state, const float *in, float *out,
                        float *scratch, int part) {
  int H = l->hidden, W = l->window, cpp = ev_bigru_cells_per_part(l);
  size_t stride = 6 * (size_t)H;
  float *hf = state + EV_RING_HEADER + (size_t)W * stride, *hb = hf + H;
  if (part == 0) {
    float *slot = ev_ring_push(state, W, (int)stride, NULL);
    ev_gru_project(l, 0, in, slot);
    ev_gru_project(l, 1, in, slot + 3 * H);
    memset(hf, 0, sizeof(float) * 2 * (size_t)H);
  }
  int L = (int)state[1], start = L < W ? 0 : (int)state[0];
  const float *G = state + EV_RING_HEADER;
  for (int c = part * cpp; c < (part + 1) * cpp && c < 2 * W; c++) {
    if (c < W) {
      if (c < L)
        ev_gru_recur(l, 0, G + (size_t)((start + c) % W) * stride, hf, hf, scratch, NULL);
      if (c == W - 1)
        memcpy(out, hf, sizeof(float) * (size_t)H);
    } else {
      int m = c - W;
      if (m < L)
        ev_gru_recur(l, 1, G + (size_t)((start + L - 1 - m) % W) * stride + 3 * H, hb, hb, scratch,
                     NULL);
      if (c == 2 * W - 1)
        memcpy(out + H, hb, sizeof(float) * (size_t)H);
    }
  }
}

/* cache: [T][Gf (3H), Gb (3H)] then 3H of window scratch. */
void ev_bigru_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  size_t H = (size_t)l->hidden, D = (size_t)l->in_dim;
  float *scratch = cache + (size_t)T * 6 * H;
  for (int t = 0; t < T; t++) {
    ev_gru_project(l, 0, in + t * D, cache + t * 6 * H);
    ev_gru_project(l, 1, in + t * D, cache + t * 6 * H + 3 * H);
  }
  for (int t = 0; t < T; t++) {
    int s = t - l->window + 1 < 0 ? 0 : t - l->window + 1;
    ev_bigru_window(l, cache + (size_t)s * 6 * H, 0, T, t - s + 1, out + t * 2 * H, scratch);
  }
}
