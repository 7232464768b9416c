/* Filterbanks and transforms of the feature pipeline (built once at creation). Internal to
 * dsp/features, exposed for the tests that compare them with librosa's stored matrices. */
#ifndef EV_FILTERS_H
#define EV_FILTERS_H

#include "ev_features.h"

/* Slaney mel filterbank, stored sparse: band i has weights w[start[i] .. start[i]+len[i]). */
typedef struct ev_mel_bank {
  int n_mels, n_bins;
  int *start, *len;
  double *w; /* concatenated nonzero runs; values are librosa's float32 weights */
} ev_mel_bank;

/* Slaney mel scale (librosa htk=False). */
double ev_hz_to_mel(double hz);
double ev_mel_to_hz(double mel);

int ev_mel_bank_init(ev_mel_bank *mb, const ev_feature_config *cfg);
void ev_mel_bank_free(ev_mel_bank *mb);
/* Dense weight W[i][k] (0 outside the stored run). */
double ev_mel_bank_weight(const ev_mel_bank *mb, int i, int k);

/* Periodic Hann of win_length centred in n_fft (librosa pad_center). out: n_fft values. */
void ev_window_fill(float *out, int n_fft, int win_length);

/* Ellis chromagram_E filterbank (librosa.filters.chroma, tuning 0, ctroct 5, octwidth 2,
 * norm 2, base_c), rounded to float32 like librosa. out: [n_chroma][n_fft/2+1]. */
void ev_chroma_fill(float *out, double sr, int n_fft, int n_chroma);

/* DCT-II ortho rows 0..n_out-1 over n_in inputs. out: [n_out][n_in]. */
void ev_dct_fill(double *out, int n_out, int n_in);

#endif
