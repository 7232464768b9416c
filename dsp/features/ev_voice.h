/* Jitter (local) and shimmer (local, dB) of one voiced frame, the eGeMAPS way: period-by-period
 * waveform matching (openSMILE cPitchJitter: each next period is searched within +-10 % of the
 * F0 estimate, kept while consecutive cycles correlate >= 0.5). HNR, H1-H2, H1-A3 and the
 * formant amplitudes are ev_harmonics.h's. Internal to dsp/features; bounded work, no
 * allocation. */
#ifndef EV_VOICE_H
#define EV_VOICE_H

#include "ev_features.h"

#define EV_VOICE_SEG 640 /* 40 ms at 16 kHz, centred on the pitch window */

/* seg: n <= EV_VOICE_SEG samples at sr; f0 > 0 in Hz. Writes jitter and shimmer into vq and
 * zeroes the rest. */
void ev_voice_quality(const float *seg, int n, double sr, double f0, float vq[EV_VQ_DIMS]);
#endif
