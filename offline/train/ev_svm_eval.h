/* The classic baseline, `emovox-train evaluate --arch egemaps-svm`: each file's 88 eGeMAPS
 * statistics (ev_functionals_of_file: the real streaming extractor over the whole file) into
 * an RBF SVM (ev_svm.h) trained per fold on the training speakers' files, C and gamma chosen by
 * a 3-fold speaker-grouped search inside them. Scored like the plugin figure (ev_stream_eval.h):
 *
 *   cold-16   each file's statistics at 16 kHz (files at other rates resampled to 16 kHz);
 *   cold-48   the 16 kHz audio upsampled to 48 kHz (ev_stream_resample, the plugin figure's
 *             resampler), then the same extractor; the model trained on 16 kHz statistics;
 *   session   identical to cold-16: the SVM has no state, a file's reading does not depend on
 *             what was heard before (the row is printed so the tables line up);
 *   cold-6dB  cold-16 with the file 6 dB quieter;
 *   cold-8    the 16 kHz audio taken to 8 kHz (ev_stream_resample), read at 8 kHz: with
 *             `--channel narrow` (opts.narrowband) the SVM is trained on these statistics of the
 *             training files, the baseline of the narrowband model.
 *
 * The label is the argmax of the SVM's probabilities over the classes the file's corpus has,
 * its confidence (ECE) that probability renormalised over them. */
#ifndef EV_SVM_EVAL_H
#define EV_SVM_EVAL_H

#include <stdint.h>
#include <stdio.h>

#include "ev_corpus.h"
#include "ev_folds.h"
#include "ev_run.h"

#define EV_SVM_ARCH_NAME "egemaps-svm"

typedef struct ev_svm_eval_opts {
  const char *cache_dir; /* NULL: no feature cache */
  int threads;
  uint64_t seed;
  int progress;
  const char *outdir;
  const char *title; /* e.g. "speaker folds" */
  int narrowband;    /* 1: trained on the files' 8 kHz statistics (--channel narrow) */
} ev_svm_eval_opts;

/* Extracts (or reads from the cache) every clip's statistics, runs every fold, prints the table
 * to out and writes baseline_figures.{csv,json}, baseline_folds.csv and baseline_files.csv into
 * o->outdir. 0, or -1 + err. */
int ev_svm_eval(const ev_clip_list *clips, const ev_speakers *spk, const ev_labelset *ls,
                const ev_folds *folds, const ev_svm_eval_opts *o, FILE *out, char *err,
                size_t errlen);

#endif
