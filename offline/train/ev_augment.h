/* Audio augmentation for training (applied to audio before feature extraction). Every random
 * choice comes from an explicit seed, so a (clip, copy, seed) triple always gives the same
 * audio. */
#ifndef EV_AUGMENT_H
#define EV_AUGMENT_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro256** seeded through splitmix64: small, fast, the same on every platform. */
typedef struct ev_rng {
  uint64_t s[4];
} ev_rng;
void ev_rng_seed(ev_rng *r, uint64_t seed);
/* splitmix64: advances *state and returns the next value (also a good 64-bit hash of a counter). */
uint64_t ev_splitmix64(uint64_t *state);
uint64_t ev_rng_next(ev_rng *r);
double ev_rng_uniform(ev_rng *r); /* [0, 1) */
double ev_rng_range(ev_rng *r, double lo, double hi);
double ev_rng_gauss(ev_rng *r);                  /* standard normal */
uint64_t ev_hash_str(uint64_t h, const char *s); /* FNV-1a, chained */
uint64_t ev_hash_u64(uint64_t h, uint64_t v);
/* Chains the bytes of the file at path and its length (FNV-1a, 8 bytes a step). Feature caches
 * are keyed by what a file holds rather than by its modification time, which a copy, a checkout
 * or a remount changes without changing a sample. An unreadable file adds a marker only (its
 * loader then reports why). */
uint64_t ev_hash_file(uint64_t h, const char *path);

/* x *= 10^(db/20). */
void ev_aug_gain(float *x, size_t n, float db);
/* Adds white Gaussian noise scaled so that mean(x^2) / mean(noise^2) is exactly 10^(snr/10)
 * over the whole clip. Silent clips are left alone (no SNR is defined). */
void ev_aug_noise(float *x, size_t n, float snr_db, ev_rng *rng);
/* Delays by shift samples (advances if negative), keeping the length; vacated samples are 0. */
void ev_aug_shift(float *x, size_t n, long shift);
/* WSOLA time stretch: duration multiplied by factor (> 1 longer/slower), pitch kept.
 * Returns a malloc'ed buffer of round(n * factor) samples, or NULL. */
float *ev_aug_stretch(const float *x, size_t n, double factor, int rate, size_t *out_n);
/* Pitch shift by semitones, duration kept: WSOLA stretch by 2^(st/12) then speexdsp resampling
 * back to n samples. malloc'ed, n samples, or NULL. */
float *ev_aug_pitch(const float *x, size_t n, double semitones, int rate);

/* A fixed spectral tilt, as another microphone or room gives: y[n] = (x[n] - a x[n-1]) / g with
 * g = |1 - a e^{-j 2 pi 1000 / rate}|, so 1 kHz keeps its level. a > 0 lifts the highs (a = 0.5
 * at 16 kHz: +8.4 dB at 8 kHz, -1.2 dB at DC against 1 kHz), a < 0 dulls them (a = -0.5: -9.4 dB
 * at 8 kHz); |a| < 1. */
void ev_aug_tilt(float *x, size_t n, double a, int rate);

/* A narrowband channel, as a telephone line or an 8 kHz archive gives: x taken to 8 kHz and
 * back to rate (speexdsp at quality 10, delay removed), so nothing above ~4 kHz is left and the
 * band below keeps its level. malloc'ed, n samples, or NULL. */
#define EV_AUG_BAND_RATE 8000
#define EV_AUG_BAND_HZ   (EV_AUG_BAND_RATE / 2) /* what a model trained on it has heard */
float *ev_aug_band(const float *x, size_t n, int rate);
/* A recording's noise floor over the whole band: white Gaussian noise added at an RMS level
 * drawn uniformly in [EV_AUG_FLOOR_LO_DB, EV_AUG_FLOOR_HI_DB] dBFS, with probability
 * EV_AUG_FLOOR_P (else nothing), all from seed. After ev_aug_band it is what telephone audio
 * stored as a 16-bit file (dither at about -101 dBFS) or recorded through an analogue line
 * holds above 4 kHz, where the channel left nothing: --channel narrow-floor. */
#define EV_AUG_FLOOR_LO_DB (-110.0)
#define EV_AUG_FLOOR_HI_DB (-80.0)
#define EV_AUG_FLOOR_P     0.5
void ev_aug_noise_floor(float *x, size_t n, uint64_t seed);

/* A room between the voice and the microphone: the clip plus its reverberation from a
 * Schroeder-Moorer reverberator (six parallel feedback combs, each with a one-pole low-pass in
 * its loop so that the highs die first as walls absorb them, then two all-passes that thicken
 * the echoes), the combs' delays (30-54 ms) scaled by `size`, their feedback set for an
 * rt60_s decay of 60 dB at low frequencies; the reverberant part scaled so that the direct
 * sound's energy over it is drr_db (the direct-to-reverberant ratio a microphone at some
 * distance hears); damp in [0, 0.9) the low-pass's pole. The clip keeps its length and its
 * energy (the tail past its end is cut, as a recording cut there would be). 0, or -1 out of
 * memory (x untouched). */
int ev_aug_room(float *x, size_t n, double rt60_s, double drr_db, double size, double damp,
                int rate);
#define EV_AUG_ROOM_RT60_LO 0.15 /* s: a small treated room */
#define EV_AUG_ROOM_RT60_HI 0.7  /* s: a living room or an office */
#define EV_AUG_ROOM_DRR_LO  0.0  /* dB: a microphone at arm's length in a live room */
#define EV_AUG_ROOM_DRR_HI  12.0 /* dB: close to the mouth */

typedef struct ev_augment_config {
  int copies;    /* augmented copies per training clip (0 = augmentation off) */
  float noise_p; /* probability of adding noise */
  float snr_lo, snr_hi;
  float gain_db;  /* uniform in [-gain_db, gain_db] */
  float shift_ms; /* uniform in [-shift_ms, shift_ms] */
  float stretch;  /* factor uniform in [1-stretch, 1+stretch]; 0 off */
  float pitch_st; /* semitones uniform in [-pitch_st, pitch_st]; 0 off */
  float tilt;     /* ev_aug_tilt's a uniform in [-tilt, tilt]; 0 off (the default) */
  float band_p;   /* probability that a copy is heard through ev_aug_band; 0 off (the default) */
  float room_p;   /* probability that a copy is heard in a room (ev_aug_room, RT60 and DRR
                     uniform in the EV_AUG_ROOM ranges); 0 off (the default) */
} ev_augment_config;

void ev_augment_config_default(ev_augment_config *c); /* copies 0; sensible ranges */
/* Parses "copies=2,noise=10:30,p=0.5,gain=6,shift=100,stretch=0.1,pitch=2,tilt=0.5,band=0.5,
 * room=0.5" (any
 * subset) or
 * "off". 0 or -1 with a reason. */
int ev_augment_config_parse(ev_augment_config *c, const char *spec, char *err, size_t errlen);
/* Stable hash of the configuration (part of the feature-cache key). */
uint64_t ev_augment_config_hash(const ev_augment_config *c);
void ev_augment_config_describe(const ev_augment_config *c, char *buf, size_t len);

/* One augmented copy: stretch, pitch, shift, gain, room, tilt, noise, band in that order, each
 * drawn from a generator seeded with seed (the tilt, the band and the room drawn last, and only
 * when on, so copies without them are those of before).
 * Returns malloc'ed audio (*out_n samples) or NULL. */
float *ev_augment_apply(const ev_augment_config *c, const float *x, size_t n, int rate,
                        uint64_t seed, size_t *out_n);

#endif
