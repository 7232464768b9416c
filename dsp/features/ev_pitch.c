/* aubio YIN on a decimated stream (see ev_pitch.h). The decimation runs incrementally (every
 * stage call decimates what arrived), so each frame pays for one hop of filtering, and the
 * YIN window of frame t is read from the decimated ring. */
#include "ev_pitch.h"

#include <aubio/aubio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ev_pitch {
  int sr, dsr;
  double h[EV_PITCH_TAPS];
  float ring[EV_PITCH_DRING]; /* decimated samples, index j & (EV_PITCH_DRING - 1) */
  int64_t next;               /* next decimated sample to produce */
  aubio_pitch_t *yin;
  fvec_t *in, *out;
};

ev_pitch *ev_pitch_new(int sr) {
  ev_pitch *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->sr = sr;
  p->dsr = sr / EV_PITCH_DEC;
  double fc = 1000.0 / sr, sum = 0.0;
  for (int k = 0; k < EV_PITCH_TAPS; k++) {
    double m = k - (EV_PITCH_TAPS - 1) / 2.0;
    double w = 0.54 - 0.46 * cos(2.0 * M_PI * k / (EV_PITCH_TAPS - 1));
    p->h[k] = (m == 0.0 ? 2.0 * fc : sin(2.0 * M_PI * fc * m) / (M_PI * m)) * w;
    sum += p->h[k];
  }
  for (int k = 0; k < EV_PITCH_TAPS; k++)
    p->h[k] /= sum;
  /* hop == window: aubio's sliding buffer is then exactly the window we pass */
  p->yin = new_aubio_pitch("yin", EV_PITCH_WIN, EV_PITCH_WIN, (uint_t)p->dsr);
  p->in = new_fvec(EV_PITCH_WIN);
  p->out = new_fvec(1);
  if (!p->yin || !p->in || !p->out) {
    ev_pitch_free(p);
    return NULL;
  }
  aubio_pitch_set_unit(p->yin, "Hz");
  aubio_pitch_set_silence(p->yin, -200.0f); /* our own silence gate decides */
  aubio_pitch_set_tolerance(p->yin, 0.1f);  /* fewer octave-up picks than the default 0.15 */
  ev_pitch_reset(p);
  return p;
}

void ev_pitch_free(ev_pitch *p) {
  if (!p)
    return;
  if (p->yin)
    del_aubio_pitch(p->yin);
  if (p->in)
    del_fvec(p->in);
  if (p->out)
    del_fvec(p->out);
  free(p);
}

void ev_pitch_reset(ev_pitch *p) {
  memset(p->ring, 0, sizeof p->ring);
  p->next = 0;
}

void ev_pitch_feed(ev_pitch *p, const void *src, ev_sample_fn x, int64_t avail, int final) {
  const int half = (EV_PITCH_TAPS - 1) / 2;
  /* decimated sample j is centred on model-rate sample DEC*j and needs up to DEC*j + half */
  for (;;) {
    int64_t c = (int64_t)EV_PITCH_DEC * p->next;
    if (!final && c + half >= avail)
      break;
    if (final && c >= avail + half)
      break;
    double s = 0.0;
    for (int k = 0; k < EV_PITCH_TAPS; k++) {
      int64_t i = c + half - k;
      if (i >= 0 && i < avail)
        s += p->h[k] * x(src, i);
    }
    p->ring[p->next & (EV_PITCH_DRING - 1)] = (float)s;
    p->next++;
  }
}

int64_t ev_pitch_window_end(const ev_pitch *p, int64_t t, int hop) {
  (void)p;
  return (int64_t)hop * t + EV_PITCH_WIN_OFF + (int64_t)EV_PITCH_DEC * EV_PITCH_WIN +
         (EV_PITCH_TAPS - 1) / 2;
}

void ev_pitch_frame(ev_pitch *p, int64_t t, int hop, double *f0_hz, double *voicing) {
  int64_t j0 = ((int64_t)hop * t + EV_PITCH_WIN_OFF) / EV_PITCH_DEC;
  double e = 0.0;
  for (int i = 0; i < EV_PITCH_WIN; i++) {
    int64_t j = j0 + i;
    float v = j < p->next ? p->ring[j & (EV_PITCH_DRING - 1)] : 0.0f;
    p->in->data[i] = v;
    e += (double)v * v;
  }
  *f0_hz = 0.0;
  *voicing = 0.0;
  if (!(sqrt(e / EV_PITCH_WIN) >= EV_PITCH_SILENCE))
    return; /* silence (the low-passed window's RMS): no YIN */
  aubio_pitch_do(p->yin, p->in, p->out);
  double f0 = p->out->data[0], conf = aubio_pitch_get_confidence(p->yin);
  /* YIN's confidence (1 - the normalised difference at the chosen lag) mapped so that 0.7,
   * the threshold that best matched openSMILE's voicing on the reference speech, is 0.5 */
  double v = (conf - 0.4) / 0.6;
  v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
  if (!(f0 >= EV_PITCH_MIN_HZ && f0 <= EV_PITCH_MAX_HZ) && v >= 0.5)
    v = 0.49; /* outside openSMILE's 55-1000 Hz range: unvoiced */
  *voicing = v;
  if (v >= 0.5)
    *f0_hz = f0;
}
