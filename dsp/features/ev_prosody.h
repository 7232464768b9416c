/* The eGeMAPS descriptors inside the streaming extractor (ev_extractor.c calls these at its
 * stages): loudness, spectral balance and mfcc1-4 of frame k at frame k's stages; pitch, voice
 * quality and formants of frame k - EV_PROSODY_LAG at frame k's stages (the 60 ms pitch window
 * of the Viterbi's look-ahead frame k-3 reaches 6 frames past its start, within the end of frame
 * k's own 32 ms, so within what frame k's stages have); the values of frame e are
 * written when the extractor emits it. Internal to dsp/features. */
#ifndef EV_PROSODY_H
#define EV_PROSODY_H

#include "ev_features.h"
#include "ev_pitch_viterbi.h"

/* model-rate samples the extractor's ring must hold at least: besides n_fft and the frames of
 * look-ahead, the jitter walk reads up to EV_JIT_MAX_MIS (640) samples before a frame
 * EV_PROSODY_LAG frames back */
#define EV_PROSODY_RING 4096
/* frames between a frame's own stages and its pitch stages: the pitch's look-ahead frame
 * (EV_PVIT_LAG after the decided one) has its 60 ms window within frame k's samples */
#define EV_PROSODY_LAG (3 + EV_PVIT_LAG)

typedef struct ev_prosody ev_prosody;

/* Allocates; call with the process-wide FFTW mutex held (FFTW plans). */
ev_prosody *ev_prosody_new(const ev_feature_config *cfg);
void ev_prosody_free(ev_prosody *p); /* FFTW mutex held */
void ev_prosody_reset(ev_prosody *p);
void ev_prosody_set_features(ev_prosody *p, uint32_t mask);
int ev_prosody_active(const ev_prosody *p); /* any eGeMAPS feature selected */

/* The model-rate stream as the extractor holds it: samples [avail - ring size, avail). */
typedef struct ev_stream_view {
  const float *ring;
  uint64_t mask;
  int64_t avail;
} ev_stream_view;

/* Stage k (0..EV_EXTRACTOR_STAGES-1; the last one after the emission) of frame t. */
void ev_prosody_stage(ev_prosody *p, int k, int64_t t, const ev_stream_view *v);
/* Write the eGeMAPS groups of frame e (last: the newest frame whose stages ran) into out[id]
 * (the extractor's slots; NULL for groups not selected). At flush the pitch work of frames
 * that never got their look-ahead is done here, with zeros after the end of the stream. */
void ev_prosody_emit(ev_prosody *p, int64_t e, int64_t last, const ev_stream_view *v,
                     float *const out[EV_FEAT_COUNT]);
#endif
