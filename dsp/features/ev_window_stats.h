/* Mean and standard deviation of a vector over a sliding window of frames: the spectral-shape
 * statistics (mfcc_func) that sit beside the eGeMAPS functionals. eGeMAPS keeps only MFCC 1-4
 * on purpose (a minimal set); over RAVDESS actors, statistics of MFCC 1-19 add what tells
 * apart the emotions that pitch and loudness confuse (docs/features.md, mfcc_func).
 *
 * Running sums of the frames in the window: push() adds the new frame and takes out the one
 * leaving, so push() and compute() cost O(dims) whatever the window, with no periodic spike.
 * The sums are exact (integers of the values on a 1/4096 grid, within +-2048), so the result
 * depends only on the frames in the window: after bad input has left it, or when a passage is
 * replayed, the readings are the same bits. Internal to
 * dsp/features; every call but new/free is realtime-safe (no allocation, lock or system call). */
#ifndef EV_WINDOW_STATS_H
#define EV_WINDOW_STATS_H

#include <stddef.h>

typedef struct ev_window_stats ev_window_stats;

/* A window of `capacity` frames (1..65536) of `dims` values (>= 1). NULL when out of memory or
 * out of range. */
ev_window_stats *ev_window_stats_new(size_t capacity, int dims);
void ev_window_stats_free(ev_window_stats *w);
/* Forget every frame. */
void ev_window_stats_reset(ev_window_stats *w);
/* Append a frame of dims values (non-finite values count as 0, so they cannot poison the
 * sums; values are rounded to 1/4096 and clamped to +-2048); the oldest frame leaves once the
 * window is full. */
void ev_window_stats_push(ev_window_stats *w, const float *x);
size_t ev_window_stats_frames(const ev_window_stats *w);
/* mean[0..dims) and sd[0..dims), the population standard deviation, of the frames in the
 * window (either may be NULL); all 0 while it is empty. */
void ev_window_stats_compute(const ev_window_stats *w, float *mean, float *sd);

#endif
