/* What the plugin reports, measured inside `emovox-train evaluate` and `score`: every fold's
 * trained net becomes an ev_model (through the real serialiser and loader, in memory), or
 * `score`'s model file is loaded and tests every selected file as one fold, and every test file
 * runs through ev_analyzer with the plugin's default controls (smoothing, speech gate,
 * adaptive normaliser). A file's summary is formed exactly as `emovox-analyze` forms it: one
 * row of outputs every 10 ms of host samples, the mean of each probability over the rows whose
 * dominant output says "speech"; a file without a speech row is "no speech" and counts as
 * wrong.
 *
 *   cold-16   each file alone from a fresh state at 16 kHz: ev_analyzer_reset_exact, bit for
 *             bit a new analyser, whatever the worker read before (so the report does not
 *             depend on --threads);
 *   cold-48   the same after upsampling the 16 kHz audio to 48 kHz (speexdsp, quality 10): the
 *             48 kHz analyser's resampler made anew for every file too;
 *   session   each test speaker's files one after another through one state, in a seeded
 *             shuffled order, at 16 kHz (per-file summaries, rows on each file's own 10 ms grid);
 *   cold-6dB  cold-16 with every file 6 dB quieter: a track's gain is the user's choice, and a
 *             reading that follows the fader is not about the voice;
 *   session-pauses  the session with EV_STREAM_SESSION_GAP_S of silence between the files, as
 *             a conversation separates utterances: what adaptation gives once the model's
 *             window no longer spans two clips cut back to back (a diagnostic of the session
 *             figure, which has no pause; models/README.md).
 *   learned   what the plugin's "Use learned voice" (adapt 3) gives, with nothing the plugin
 *             would not have: each test speaker's files are split in two halves by a seeded
 *             shuffle (ev_stream_learned_halves); one half is played through one state as in
 *             session-pauses (what "Learn voice" does: the statistics carry on from file to
 *             file), the normaliser state at its end is the voice (ev_analyzer_get_voice), and
 *             every file of the other half is read alone from a fresh state started from that
 *             voice (ev_analyzer_reset_exact, then ev_analyzer_set_voice: the plugin's sequence in
 *             mode 3); then the halves swap. So every file is read from a voice learned on
 *             other files of its speaker, never on its own audio. A speaker with one test file
 *             has nothing to learn from: that file is read cold (as cold-16), and so is a half
 *             whose other half heard no speech (the plugin then has no voice and reads as
 *             Follow); both are counted in the report (ev_stream_eval.learned_from).
 *
 *   cold-8    cold-16 after downsampling to 8 kHz (speexdsp, quality 10: its low-pass keeps the
 *             telephone band, 0-4 kHz), read by an 8 kHz analyser: what a call recording or an
 *             8 kHz session gives (the plugin reads it with its narrowband model there);
 *   session-8 session at 8 kHz: each test speaker's files taken to 8 kHz as for cold-8, one
 *             after another through one 8 kHz analyser, in the session order (a call recording
 *             of one voice).
 *
 * The scored label is the argmax of the summary restricted to the classes that the file's corpus
 * has; its confidence (for ECE) is that probability renormalised over those classes. */
#ifndef EV_STREAM_EVAL_H
#define EV_STREAM_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ev_analyzer.h"
#include "ev_summary.h"
#include "ev_corpus.h"
#include "ev_folds.h"
#include "ev_run.h"

#define EV_STREAM_ROWS_PER_S 100 /* emovox-analyze's output rows (EA_HOPS_PER_S) */
#define EV_STREAM_BLOCK      512 /* emovox-analyze's default --block (outputs do not depend on it) */

/* One file's summary, as emovox-analyze computes it (ev_summary.h: its phrase readings). */
typedef ev_summary ev_stream_summary;

/* Feeds x (n samples at `rate`, the rate `an` was made for) through `an` from its current
 * state, in blocks of at most EV_STREAM_BLOCK cut at every row (sample floor(k * rate / 100),
 * k = 1, 2, ... counted from x[0]), and summarises the rows with one reading per window_rows
 * speech rows of a phrase (the model's window: ev_summary_window_rows). Does not reset `an`. */
void ev_stream_feed(ev_analyzer *an, const float *x, size_t n, int rate, long window_rows,
                    ev_stream_summary *out);

/* High-quality resampling (speexdsp quality 10) with the filter delay removed, so the output
 * stays aligned with the input: *n_out = floor(n * to / from) samples, malloc'd; NULL if out
 * of memory or a rate is not positive. */
float *ev_stream_resample(const float *x, size_t n, int from, int to, size_t *n_out);

enum {
  EV_STREAM_COLD16 = 0,
  EV_STREAM_COLD48,
  EV_STREAM_SESSION,
  EV_STREAM_QUIET,
  EV_STREAM_SESSION_PAUSED,
  EV_STREAM_LEARNED,
  EV_STREAM_COLD8,
  EV_STREAM_SESSION8,
  EV_STREAM_MODES
};
#define EV_STREAM_QUIET_DB      (-6.0) /* the gain of the cold-6dB figure */
#define EV_STREAM_SESSION_GAP_S 1.0    /* silence between the files of session-pauses */
extern const char *const ev_stream_mode_names[EV_STREAM_MODES]; /* "cold-16", ... */

/* How a file's learned-mode summary started (ev_stream_eval.learned_from). */
enum {
  EV_LEARNED_VOICE = 0,    /* from the voice learned on the other half of its speaker's files */
  EV_LEARNED_COLD_SINGLE,  /* cold: its speaker has no other test file to learn from */
  EV_LEARNED_COLD_NO_VOICE /* cold: the other half heard no speech, so no voice was learned */
};

typedef struct ev_stream_eval {
  const ev_clip_list *clips;
  const ev_speakers *spk;
  const ev_labelset *ls;
  int threads;
  uint64_t seed;
  /* per clip: the fold that tested it (-1: not tested), load failures, and the summaries */
  int *fold;
  char *failed;
  ev_stream_summary *sum;                       /* [n_clips * EV_STREAM_MODES] */
  char *learned_from;                           /* per clip: EV_LEARNED_* */
  unsigned corpus_labels[EV_CORPUS_KIND_COUNT]; /* bit per canonical label present in the corpus */
  /* each fold's model, serialised (for the temperature check at the end) */
  uint8_t *model_buf[EV_FOLDS_MAX];
  size_t model_len[EV_FOLDS_MAX];
  double seconds; /* wall time spent in the stream evaluation */
  int skip48;     /* 1: no cold-48 mode (`--plugin-figure quick`: the 48 kHz run is most of the
                     cost and reads within 0.4 points of cold-16); its rows stay empty */
  int progress;   /* 1: each phase's files done and its ETA on stderr (ev_progress) */
  /* `emovox-train score`: one given model scored on every file (one pseudo-fold), so the
   * report says the temperature is fitted on the scored files themselves, not out of fold */
  int given_model;
  /* evaluate --temperature T: T already folded into every fold's model (1: none), so that the
   * figures are read as the shipped file reads; the report's fitted T is then on top of it */
  double folded_temperature;
  size_t label_skipped; /* score: clips left out because the model has not their label */
} ev_stream_eval;

/* 0 or -1 (out of memory). The clip list, speakers and label set must outlive e. */
int ev_stream_eval_init(ev_stream_eval *e, const ev_clip_list *clips, const ev_speakers *spk,
                        const ev_labelset *ls, int threads, uint64_t seed);
void ev_stream_eval_free(ev_stream_eval *e);

/* Runs the fold's test clips (clip indices) through `model` in every mode; a serialised copy
 * of `model` is kept for the report's temperature check. `evaluate` reaches it through
 * ev_stream_eval_run, `score` with the model file it loaded (every clip as fold 0). */
int ev_stream_eval_model(ev_stream_eval *e, const ev_model *model, int fold, const size_t *test,
                         size_t n_test, char *err, size_t errlen);
/* The same for a trained run: exported, serialised and loaded back with the real loader. */
int ev_stream_eval_run(ev_stream_eval *e, const ev_run *run, const ev_arch *arch, int fold,
                       const size_t *test, size_t n_test, char *err, size_t errlen);

/* One line: the fold's UAR in every mode that ran. */
void ev_stream_eval_fold_line(const ev_stream_eval *e, int fold, const char *name, FILE *out);

/* The session pass's order of one speaker's clips: clips (n clip indices, in test order) is
 * shuffled in place, seeded by e->seed and the speaker's name, so the order depends neither on
 * the threads nor on the fold. */
void ev_stream_session_order(const ev_stream_eval *e, int speaker, size_t *clips, size_t n);

/* The learned mode's halves of one speaker's clips: clips (n clip indices, in test order) is
 * shuffled in place, seeded like the session order but with a shuffle of its own (the halves are
 * not the session order's halves), and the first n / 2 are half A, the rest half B; each half
 * is learned in that order. Returns n / 2. */
size_t ev_stream_learned_halves(const ev_stream_eval *e, int speaker, size_t *clips, size_t n);

/* Prints the table (per mode, per corpus and pooled: files, no-speech files, accuracy, UAR,
 * macro-F1, ECE), fits a temperature on the cold-16 summaries, checks it by running cold-16
 * again with T folded into every fold's model, and writes plugin_figures.{csv,json},
 * plugin_calibration.csv and plugin_files.csv (every tested file's summaries, scored label and
 * its confidence per mode) into outdir. */
int ev_stream_eval_report(ev_stream_eval *e, const char *outdir, const char *title, FILE *out);

#endif
