/* emovox-train: train and evaluate Emovox emotion models on labelled speech corpora. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ev_analyzer.h"
#include "ev_arch.h"
#include "ev_augment.h"
#include "ev_calibration.h"
#include "ev_compare.h"
#include "ev_corpus.h"
#include "ev_dataset.h"
#include "ev_ensemble.h"
#include "ev_folds.h"
#include "ev_metrics.h"
#include "ev_model.h"
#include "ev_plots.h"
#include "ev_progress.h"
#include "ev_run.h"
#include "ev_stdout.h"
#include "ev_stream_eval.h"
#include "ev_svm_eval.h"
#include "ev_trainer.h"

#ifndef EV_DEFAULT_CORPORA
#define EV_DEFAULT_CORPORA "../shared/corpora"
#endif
#ifndef EV_SOURCE_ROOT
#define EV_SOURCE_ROOT "."
#endif

static void usage(FILE *f) {
  fprintf(f,
          "Usage: emovox-train COMMAND [options]\n"
          "Train and evaluate Emovox speech emotion models on labelled corpora.\n\n"
          "Commands:\n"
          "  train      train on the selected clips and write a model (.safetensors)\n"
          "  evaluate   speaker-independent evaluation: --folds speaker:K, --loco or\n"
          "             --holdout-speaker SPK (reports in --out)\n"
          "  list       show the clips found per corpus/label/speaker (no training)\n"
          "  extract    only extract features into the cache (for --arch and --augment)\n"
          "  presets    list the architecture presets\n"
          "  score      how a given model does on labelled clips, as the plugin reports it:\n"
          "             --model FILE, the clips chosen as for train/evaluate (reports in\n"
          "             --out; options: --plugin-figure on|quick, --threads, --seed)\n"
          "  compare    per-corpus UAR of evaluation reports side by side, as a table and\n"
          "             a picture (`emovox-train compare --help`)\n\n"
          "Data:\n"
          "  --corpora DIR        folder holding corpus folders (RAVDESS, CREMA-D, TESS, SAVEE,\n"
          "                       EmoDB, URDU, TurEV-DB, ASED, nEMO; autodetected by name)\n"
          "                       [$EMOVOX_CORPORA, else %s from the current folder]\n"
          "  --only LIST          use only these corpora, e.g. RAVDESS,TESS\n"
          "  --manifest CSV       add clips from a path,label,speaker file (repeatable)\n"
          "  --labels LIST        keep only these labels, e.g. neutral,happy,sad,angry\n"
          "  --cache DIR|none     feature cache [default ~/.cache/emovox-train]\n\n"
          "Model and training:\n"
          "  --arch NAME|FILE     preset (see `presets`) or JSON file [emovox]; egemaps-svm:\n"
          "                       the eGeMAPS + RBF SVM baseline (evaluate only)\n"
          "  --epochs N [30]  --batch N [32]  --lr X [1e-3]  --weight-decay X [1e-4]\n"
          "  --label-smoothing X [0.1]  --patience N [8]  --seed N [1]  --threads N [2]\n"
          "  --lr-schedule plateau|cosine  halve the LR after 3 epochs without validation\n"
          "                       gain, or lower it along a half cosine to 1e-5 by the last\n"
          "                       step (for fixed epochs: --val-fraction 0) [plateau]\n"
          "  --augment SPEC       off | on | copies=2,noise=10:30,p=0.5,gain=6,shift=100,\n"
          "                       stretch=0.1,pitch=2,tilt=0.5,band=0.5 (tilt: a fixed\n"
          "                       first-order spectral tilt y = x - a x[n-1], a within\n"
          "                       +-0.5; band: the share of copies heard through an 8 kHz\n"
          "                       telephone-like channel) [off]\n"
          "  --balance MODE       none | weights | oversample | corpus (every corpus and\n"
          "                       each of its labels weighs the same) | corpus:P (cells\n"
          "                       weighted by (n / (cells * count))^P, 0..1) [weights]\n"
          "  --loss-classes all|corpus|corpus:S  softmax of the loss over every label, over\n"
          "                       the labels of the clip's corpus (as the evaluation scores),\n"
          "                       or share S of the loss over every label and the rest over\n"
          "                       the corpus's [all]\n"
          "  --ensemble K         train K seeds and ship them merged into one network K times\n"
          "                       as wide (dense architectures; the mean of their logits) [1]\n"
          "  --ensemble-inputs F  with --ensemble: each member reads a share F of the inputs,\n"
          "                       drawn from its seed (random subspaces); 1 = all [1]\n"
          "  --crops uniform|late where a training crop starts in its clip: uniformly, or\n"
          "                       with density rising to the clip's end [uniform]\n"
          "  --mask SPEC          feature masking of training crops (SpecAugment): off | on |\n"
          "                       masks=2,dims=10,steps=10 [off]\n"
          "  --mixup ALPHA        train on crops mixed in pairs from the batch, input and loss\n"
          "                       weighted lam, 1 - lam (lam ~ Beta(ALPHA, ALPHA), its label\n"
          "                       leading); 0 = off [0]\n"
          "  --arousal-loss W     add W times the squared error of the expected arousal (the\n"
          "                       plugin's arousal port: sum of p_k times emotion k's arousal)\n"
          "                       against the label's; 0 = off [0]\n"
          "  --gain-jitter DB     hear each cold training item up to DB dB louder or quieter\n"
          "                       (uniform, seeded: the eGeMAPS statistics and the speech gate\n"
          "                       as a gain moves them), so that the model does not learn the\n"
          "                       corpora's recording levels; 0 = off [0]\n"
          "  --voice-swap S       with --class-centres: move each cold training item's inputs\n"
          "                       by S times the difference between another training\n"
          "                       speaker's offset from the class centres and its own\n"
          "                       speaker's (as if said by that voice, microphone and room,\n"
          "                       as the normaliser sees them); 0 = off [0]\n"
          "  --dropout P          while training, zero each hidden dense unit's output with\n"
          "                       probability P (the others scaled by 1/(1-P)); the exported\n"
          "                       network has no dropout; 0 = off [0]\n"
          "  --robust-norm K      normalise the inputs with the training steps' median and\n"
          "                       interquartile range instead of mean and standard deviation,\n"
          "                       and clamp them to +-K (stored in the model: the plugin does\n"
          "                       the same); 0 = off [0]\n"
          "  --class-centres      store each emotion's centre of the training inputs in the\n"
          "                       model: the plugin's adaptive normaliser then learns how a\n"
          "                       voice differs from the centre of what it hears it say, so\n"
          "                       a voice heard for minutes in one emotion keeps it\n"
          "                       (docs/model.md)\n"
          "  --read-warmup N      the model file's normaliser reads the prior for the first N\n"
          "                       speech steps after a reset (100 ms each in the presets), then\n"
          "                       adapts; the training items are still made with the arch's\n"
          "                       warmup_frames (30: 3 s); evaluate reads its fold models so\n"
          "                       [the arch's]\n"
          "  --centre-confidence C  with --class-centres: the model file's normaliser learns\n"
          "                       the voice's offset from a speech step in proportion to how\n"
          "                       far the reading's largest probability is above C (0 < C <\n"
          "                       1; 1/K for K labels: a reading at chance teaches nothing);\n"
          "                       evaluate reads its fold models so; 0 = every step fully [0]\n"
          "  --adversary LAMBDA   corpus-adversarial training: a head per emotion learns the\n"
          "                       clip's corpus from the last hidden layer, the layers below\n"
          "                       learn to leave it at chance, weighted LAMBDA (ramped up over\n"
          "                       the run); 0 = off [0]\n"
          "  --channel wide|narrow|narrow-floor  narrow: every training clip, original and\n"
          "                       copies, heard through an 8 kHz telephone-like channel\n"
          "                       (ev_aug_band), for the narrowband model the plugin loads at\n"
          "                       8 kHz; narrow-floor: and half of them stored with a noise floor\n"
          "                       of -110 to -80 dBFS (16-bit dither, a line's hiss) [wide]\n"
          "  --speaker-norm       normalise each clip from its speaker's statistics, as the\n"
          "                       plugin's adaptive normaliser does after hearing a speaker\n"
          "                       for a while (test speakers: from their own clips, no labels)\n"
          "  --val-fraction F     train: share of each corpus's speakers held out for early\n"
          "                       stopping and the best checkpoint [0.15]; 0 = fixed epochs\n"
          "  --output FILE        train: model file [OUT/emovox-ARCH.safetensors]\n"
          "  --name NAME          model name stored in the file [ARCH]\n"
          "  --model-version V    train: the release stored in the file, shown next to its\n"
          "                       name (plugin UI, emovox-model info), e.g. 0.17 [none]\n"
          "  --temperature T      train: divide the logits by T (temperature scaling; use the T\n"
          "                       `evaluate` fits on out-of-fold predictions) [1]; evaluate:\n"
          "                       the plugin figures read each fold's model at T, as the\n"
          "                       shipped file is read (the trainer's own figure stays at 1)\n"
          "  --evaluation CSV     train: keep the per_corpus.csv of an `evaluate` run of the\n"
          "                       same recipe in the model's provenance metadata\n\n"
          "Evaluation:\n"
          "  --model FILE         score: the model to score (.safetensors, e.g.\n"
          "                       models/emovox-default.safetensors); every selected clip is\n"
          "                       tested, clips whose label the model lacks are left out\n"
          "  --folds speaker:K    K folds grouped by speaker (each corpus's speakers spread)\n"
          "  --loco               leave one corpus out\n"
          "  --only-folds LIST    evaluate only these folds: numbers from 1 or, with --loco,\n"
          "                       the left-out corpora, e.g. 1,2 or RAVDESS,URDU; the reports\n"
          "                       cover the clips of the folds run [all]\n"
          "  --holdout-speaker S  test on one speaker, e.g. TESS:OAF or OAF\n"
          "  --plugin-figure on|quick|off  also score every fold's model as the plugin reports:\n"
          "                       ev_analyzer, default controls, summary over speech as\n"
          "                       emovox-analyze; cold at 16 and 48 kHz and session [on];\n"
          "                       quick: without the 48 kHz run (about half the time)\n\n"
          "Output:\n"
          "  --out DIR            reports: CSV + PNG (learning curves, confusion, labels)\n"
          "                       [emovox-train-report; `list` writes none without --out]\n"
          "  --quiet              no progress lines\n"
          "  --version            the version\n"
          "  --help\n",
          EV_DEFAULT_CORPORA);
}

typedef struct cli {
  const char *command;
  const char *corpora, *only, *labels, *cache, *arch, *out, *output, *name, *model_version,
      *augment;
  const char *only_folds; /* evaluate: the folds to run (numbers from 1, or LOCO's corpus
                             names), NULL: all */
  const char *manifests[16];
  int n_manifests;
  const char *folds, *holdout;
  const char *evaluation; /* train: per_corpus.csv of an evaluate run, kept in the provenance */
  const char *model;      /* score: the model file */
  double temperature;     /* train: logits divided by this at export (1 = none) */
  int loco;
  int plugin_figure; /* evaluate: score through ev_analyzer as the plugin reports (default on) */
  double val_fraction;
  float robust_norm; /* --robust-norm K: the input clamp; 0 = off (train.robust_norm says on) */
  int narrowband;    /* --channel narrow: every clip heard through the 8 kHz channel */
  ev_train_opts train;
  int quiet;
  int out_given; /* --out on the command line */
  char cmdline[4096];
} cli;

/* corpus:P weighs every (corpus, label) cell by (n / (cells * count))^P: P = 1 every cell the
 * same, P = 0 every clip the same, in between partly. */
static int parse_balance(const char *s, float *power) {
  *power = 1.0f;
  if (!strncmp(s, "corpus:", 7)) {
    char *end;
    const double p = strtod(s + 7, &end);
    if (*end || !(p >= 0.0 && p <= 1.0))
      return -1;
    *power = (float)p;
    return EV_BALANCE_CORPUS;
  }
  if (!strcmp(s, "none"))
    return EV_BALANCE_NONE;
  if (!strcmp(s, "weights"))
    return EV_BALANCE_WEIGHTS;
  if (!strcmp(s, "oversample"))
    return EV_BALANCE_OVERSAMPLE;
  if (!strcmp(s, "corpus"))
    return EV_BALANCE_CORPUS;
  return -1;
}

/* A training term's weight: 0 (off) up to max; says what to give when it is not one. */
static int off_or_weight(const char *arg, const char *name, float max, const char *example,
                         float *out) {
  char *end;
  *out = strtof(arg, &end);
  if (*end || !(*out >= 0.0f && *out <= max)) {
    fprintf(stderr, "emovox-train: %s must be 0 (off) to %g, e.g. %s\n", name, (double)max,
            example);
    return -1;
  }
  return 0;
}

static int parse_cli(int argc, char **argv, cli *c) {
  memset(c, 0, sizeof *c);
  ev_train_opts_default(&c->train);
  c->temperature = 1.0;
  c->corpora = getenv("EMOVOX_CORPORA") ? getenv("EMOVOX_CORPORA") : EV_DEFAULT_CORPORA;
  c->arch = "emovox";
  c->out = "emovox-train-report";
  c->augment = "off";
  c->val_fraction = 0.15;
  c->plugin_figure = 1;
  for (int i = 0; i < argc; i++) {
    strncat(c->cmdline, argv[i], sizeof c->cmdline - strlen(c->cmdline) - 2);
    if (i + 1 < argc)
      strncat(c->cmdline, " ", sizeof c->cmdline - strlen(c->cmdline) - 1);
  }
  enum {
    O_CORPORA = 1000,
    O_ONLY,
    O_MANIFEST,
    O_LABELS,
    O_CACHE,
    O_ARCH,
    O_EPOCHS,
    O_BATCH,
    O_LR,
    O_LR_SCHEDULE,
    O_WD,
    O_LS,
    O_PATIENCE,
    O_SEED,
    O_THREADS,
    O_AUGMENT,
    O_BALANCE,
    O_MASK,
    O_VAL,
    O_OUTPUT,
    O_NAME,
    O_MODEL_VERSION,
    O_EVALUATION,
    O_TEMPERATURE,
    O_FOLDS,
    O_LOCO,
    O_ONLY_FOLDS,
    O_HOLDOUT,
    O_OUT,
    O_QUIET,
    O_SPEAKER_NORM,
    O_LOSS_CLASSES,
    O_CROPS,
    O_ENSEMBLE,
    O_ENSEMBLE_INPUTS,
    O_MIXUP,
    O_ADVERSARY,
    O_AROUSAL_LOSS,
    O_GAIN_JITTER,
    O_VOICE_SWAP,
    O_DROPOUT,
    O_ROBUST_NORM,
    O_CLASS_CENTRES,
    O_READ_WARMUP,
    O_CENTRE_CONFIDENCE,
    O_CHANNEL,
    O_PLUGIN_FIGURE,
    O_MODEL,
    O_HELP,
    O_VERSION
  };
  static const struct option opts[] = {{"corpora", 1, 0, O_CORPORA},
                                       {"only", 1, 0, O_ONLY},
                                       {"manifest", 1, 0, O_MANIFEST},
                                       {"labels", 1, 0, O_LABELS},
                                       {"cache", 1, 0, O_CACHE},
                                       {"arch", 1, 0, O_ARCH},
                                       {"epochs", 1, 0, O_EPOCHS},
                                       {"batch", 1, 0, O_BATCH},
                                       {"lr", 1, 0, O_LR},
                                       {"lr-schedule", 1, 0, O_LR_SCHEDULE},
                                       {"weight-decay", 1, 0, O_WD},
                                       {"label-smoothing", 1, 0, O_LS},
                                       {"patience", 1, 0, O_PATIENCE},
                                       {"seed", 1, 0, O_SEED},
                                       {"threads", 1, 0, O_THREADS},
                                       {"augment", 1, 0, O_AUGMENT},
                                       {"balance", 1, 0, O_BALANCE},
                                       {"mask", 1, 0, O_MASK},
                                       {"val-fraction", 1, 0, O_VAL},
                                       {"output", 1, 0, O_OUTPUT},
                                       {"name", 1, 0, O_NAME},
                                       {"model-version", 1, 0, O_MODEL_VERSION},
                                       {"evaluation", 1, 0, O_EVALUATION},
                                       {"temperature", 1, 0, O_TEMPERATURE},
                                       {"folds", 1, 0, O_FOLDS},
                                       {"loco", 0, 0, O_LOCO},
                                       {"only-folds", 1, 0, O_ONLY_FOLDS},
                                       {"holdout-speaker", 1, 0, O_HOLDOUT},
                                       {"out", 1, 0, O_OUT},
                                       {"quiet", 0, 0, O_QUIET},
                                       {"speaker-norm", 0, 0, O_SPEAKER_NORM},
                                       {"loss-classes", 1, 0, O_LOSS_CLASSES},
                                       {"crops", 1, 0, O_CROPS},
                                       {"ensemble", 1, 0, O_ENSEMBLE},
                                       {"ensemble-inputs", 1, 0, O_ENSEMBLE_INPUTS},
                                       {"mixup", 1, 0, O_MIXUP},
                                       {"adversary", 1, 0, O_ADVERSARY},
                                       {"arousal-loss", 1, 0, O_AROUSAL_LOSS},
                                       {"gain-jitter", 1, 0, O_GAIN_JITTER},
                                       {"voice-swap", 1, 0, O_VOICE_SWAP},
                                       {"dropout", 1, 0, O_DROPOUT},
                                       {"robust-norm", 1, 0, O_ROBUST_NORM},
                                       {"class-centres", 0, 0, O_CLASS_CENTRES},
                                       {"read-warmup", 1, 0, O_READ_WARMUP},
                                       {"centre-confidence", 1, 0, O_CENTRE_CONFIDENCE},
                                       {"channel", 1, 0, O_CHANNEL},
                                       {"plugin-figure", 1, 0, O_PLUGIN_FIGURE},
                                       {"model", 1, 0, O_MODEL},
                                       {"help", 0, 0, O_HELP},
                                       {"version", 0, 0, O_VERSION},
                                       {0, 0, 0, 0}};
  int o;
  while ((o = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
    char *end = NULL;
    switch (o) {
    case O_CORPORA:
      c->corpora = optarg;
      break;
    case O_ONLY:
      c->only = optarg;
      break;
    case O_MANIFEST:
      if (c->n_manifests < 16)
        c->manifests[c->n_manifests++] = optarg;
      break;
    case O_LABELS:
      c->labels = optarg;
      break;
    case O_CACHE:
      c->cache = optarg;
      break;
    case O_ARCH:
      c->arch = optarg;
      break;
    case O_EPOCHS:
      c->train.epochs = (int)strtol(optarg, &end, 10);
      break;
    case O_BATCH:
      c->train.batch = (int)strtol(optarg, &end, 10);
      break;
    case O_LR:
      c->train.lr = strtof(optarg, &end);
      break;
    case O_LR_SCHEDULE:
      if (strcmp(optarg, "plateau") && strcmp(optarg, "cosine")) {
        fprintf(stderr, "emovox-train: --lr-schedule must be plateau or cosine\n");
        return -1;
      }
      c->train.cosine = !strcmp(optarg, "cosine");
      break;
    case O_WD:
      c->train.weight_decay = strtof(optarg, &end);
      break;
    case O_LS:
      c->train.smoothing = strtof(optarg, &end);
      break;
    case O_PATIENCE:
      c->train.patience = (int)strtol(optarg, &end, 10);
      break;
    case O_SEED:
      c->train.seed = strtoull(optarg, &end, 10);
      break;
    case O_THREADS:
      c->train.threads = (int)strtol(optarg, &end, 10);
      break;
    case O_AUGMENT:
      c->augment = optarg;
      break;
    case O_BALANCE: {
      const int b = parse_balance(optarg, &c->train.balance_power);
      if (b < 0) {
        fprintf(stderr, "emovox-train: --balance must be none, weights, oversample, corpus or "
                        "corpus:P with P in 0..1\n");
        return -1;
      }
      c->train.balance = (ev_balance)b;
      break;
    }
    case O_MASK: {
      char merr[256];
      if (ev_mask_config_parse(&c->train.mask, optarg, merr, sizeof merr) != 0) {
        fprintf(stderr, "emovox-train: %s\n", merr);
        return -1;
      }
      break;
    }
    case O_VAL:
      c->val_fraction = strtod(optarg, &end);
      break;
    case 'o':
    case O_OUTPUT:
      c->output = optarg;
      break;
    case O_NAME:
      c->name = optarg;
      break;
    case O_MODEL_VERSION: { /* checked here, not after the training it would have wasted */
      char why[160];
      if (ev_model_check_version(optarg, why, sizeof why)) {
        fprintf(stderr, "emovox-train: --model-version: %s\n", why);
        return 2;
      }
      c->model_version = optarg;
      break;
    }
    case O_TEMPERATURE:
      c->temperature = strtod(optarg, &end);
      if (!(c->temperature >= 0.05 && c->temperature <= 20)) {
        fprintf(stderr, "emovox-train: --temperature must be a number in 0.05..20 (the T that "
                        "`evaluate` prints and writes to calibration.csv)\n");
        return -1;
      }
      break;
    case O_EVALUATION:
      c->evaluation = optarg;
      break;
    case O_MODEL:
      c->model = optarg;
      break;
    case O_FOLDS:
      c->folds = optarg;
      break;
    case O_ONLY_FOLDS:
      c->only_folds = optarg;
      break;
    case O_LOCO:
      c->loco = 1;
      break;
    case O_HOLDOUT:
      c->holdout = optarg;
      break;
    case O_OUT:
      c->out = optarg;
      c->out_given = 1;
      break;
    case O_ENSEMBLE:
      c->train.ensemble = (int)strtol(optarg, &end, 10);
      if (*end || c->train.ensemble < 1 || c->train.ensemble > EV_ENSEMBLE_MAX) {
        fprintf(stderr, "emovox-train: --ensemble must be 1 to %d\n", EV_ENSEMBLE_MAX);
        return -1;
      }
      break;
    case O_ENSEMBLE_INPUTS:
      c->train.ensemble_inputs = strtof(optarg, &end);
      if (*end || !(c->train.ensemble_inputs > 0.0f && c->train.ensemble_inputs <= 1.0f)) {
        fprintf(stderr, "emovox-train: --ensemble-inputs must be in (0, 1]\n");
        return -1;
      }
      break;
    case O_MIXUP:
      if (off_or_weight(optarg, "--mixup", 10.0f, "0.4", &c->train.mixup))
        return -1;
      break;
    case O_ADVERSARY:
      if (off_or_weight(optarg, "--adversary", 10.0f, "0.1", &c->train.adversary))
        return -1;
      break;
    case O_VOICE_SWAP:
      if (off_or_weight(optarg, "--voice-swap", 2.0f, "0.5", &c->train.voice_swap))
        return -1;
      break;
    case O_GAIN_JITTER:
      if (off_or_weight(optarg, "--gain-jitter", 40.0f, "10", &c->train.gain_jitter))
        return -1;
      break;
    case O_DROPOUT:
      if (off_or_weight(optarg, "--dropout", 0.9f, "0.2", &c->train.dropout))
        return -1;
      break;
    case O_CHANNEL:
      if (strcmp(optarg, "wide") && strcmp(optarg, "narrow") && strcmp(optarg, "narrow-floor")) {
        fprintf(stderr, "emovox-train: --channel is wide, narrow or narrow-floor, not '%s'\n",
                optarg);
        return -1;
      }
      c->narrowband = !strcmp(optarg, "narrow") ? 1 : !strcmp(optarg, "narrow-floor") ? 2 : 0;
      break;
    case O_ROBUST_NORM:
      if (off_or_weight(optarg, "--robust-norm", EV_INPUT_CLAMP, "10", &c->robust_norm))
        return -1;
      c->train.robust_norm = c->robust_norm > 0.0f;
      break;
    case O_AROUSAL_LOSS:
      if (off_or_weight(optarg, "--arousal-loss", 100.0f, "1", &c->train.arousal_loss))
        return -1;
      break;
    case O_CROPS:
      if (strcmp(optarg, "uniform") && strcmp(optarg, "late")) {
        fprintf(stderr, "emovox-train: --crops must be uniform or late\n");
        return -1;
      }
      c->train.late_crops = !strcmp(optarg, "late");
      break;
    case O_LOSS_CLASSES:
      if (!strncmp(optarg, "corpus:", 7)) { /* a share of the loss over every label */
        c->train.all_share = strtof(optarg + 7, &end);
        if (*end || !(c->train.all_share >= 0.0f && c->train.all_share <= 1.0f)) {
          fprintf(stderr, "emovox-train: --loss-classes corpus:S needs S from 0 to 1\n");
          return -1;
        }
        c->train.corpus_classes = 1;
        break;
      }
      if (strcmp(optarg, "all") && strcmp(optarg, "corpus")) {
        fprintf(stderr, "emovox-train: --loss-classes must be all, corpus or corpus:S\n");
        return -1;
      }
      c->train.corpus_classes = !strcmp(optarg, "corpus");
      break;
    case O_SPEAKER_NORM:
      c->train.speaker_norm = 1;
      break;
    case O_CLASS_CENTRES:
      c->train.class_centres = 1;
      break;
    case O_READ_WARMUP:
      c->train.read_warmup = strtof(optarg, &end);
      if (*end || !(c->train.read_warmup >= 0.0f && c->train.read_warmup <= 10000.0f)) {
        fprintf(stderr, "emovox-train: --read-warmup takes a number of model steps, 0..10000\n");
        return -1;
      }
      break;
    case O_CENTRE_CONFIDENCE:
      c->train.centre_confidence = strtof(optarg, &end);
      if (*end || !(c->train.centre_confidence >= 0.0f && c->train.centre_confidence <= 0.999f)) {
        fprintf(stderr, "emovox-train: --centre-confidence takes a probability, 0..0.999\n");
        return -1;
      }
      break;
    case O_QUIET:
      c->quiet = 1;
      break;
    case O_PLUGIN_FIGURE:
      if (strcmp(optarg, "on") && strcmp(optarg, "off") && strcmp(optarg, "quick")) {
        fprintf(stderr, "emovox-train: --plugin-figure must be on, quick or off\n");
        return -1;
      }
      c->plugin_figure = !strcmp(optarg, "on") ? 1 : !strcmp(optarg, "quick") ? 2 : 0;
      break;
    case 'h':
    case O_HELP:
      usage(stdout);
      exit(ev_stdout_status("emovox-train", 0));
    case O_VERSION:
      printf("emovox-train " EV_VERSION "\n");
      exit(ev_stdout_status("emovox-train", 0));
    default:
      fprintf(stderr, "Try 'emovox-train --help'.\n");
      return -1;
    }
    if (end && *end) {
      fprintf(stderr, "emovox-train: '%s' is not a number\n", optarg);
      return -1;
    }
  }
  if (optind < argc)
    c->command = argv[optind++];
  if (optind < argc) {
    fprintf(stderr, "emovox-train: unexpected argument '%s'. Try 'emovox-train --help'.\n",
            argv[optind]);
    return -1;
  }
  if (!c->command) {
    usage(stderr);
    return -1;
  }
  ev_train_opts *t = &c->train;
  if (t->epochs < 1 || t->batch < 1 || !(t->lr > 0) || t->weight_decay < 0 || t->smoothing < 0 ||
      t->smoothing >= 1 || t->threads < 1 || t->threads > 64 || c->val_fraction < 0 ||
      c->val_fraction >= 1 || t->patience < 1) {
    fprintf(stderr, "emovox-train: an option is out of range (epochs, batch, threads, patience "
                    ">= 1; lr > 0; 0 <= label-smoothing < 1; 0 <= val-fraction < 1)\n");
    return -1;
  }
  if (t->ensemble_inputs > 0.0f && t->ensemble_inputs < 1.0f && t->ensemble < 2) {
    fprintf(stderr, "emovox-train: --ensemble-inputs draws each member's inputs: it needs "
                    "--ensemble 2 or more\n");
    return -1;
  }
  if (t->centre_confidence > 0.0f && !t->class_centres) {
    fprintf(stderr, "emovox-train: --centre-confidence weighs the class centres' offset: it "
                    "needs --class-centres\n");
    return -1;
  }
  if (t->voice_swap > 0.0f && !t->class_centres) {
    fprintf(stderr, "emovox-train: --voice-swap moves a voice's offset from the class centres: "
                    "it needs --class-centres\n");
    return -1;
  }
  t->progress = !c->quiet;
  return 0;
}

static int mkdir_p(const char *dir) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", dir);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      mkdir(buf, 0777);
      *p = '/';
    }
  return (mkdir(buf, 0777) == 0 || errno == EEXIST) ? 0 : -1;
}

/* "fold 3/5 next; about 2m10s left (4m20s so far)" on stderr, with the epoch lines. */
static void print_remaining(double t0, int done, int total) {
  double el = ev_now() - t0, left = el / done * (total - done);
  long l = (long)(left + 0.5), e = (long)(el + 0.5);
  fprintf(stderr, "fold %d/%d next; about %ldm%02lds left for %d fold%s (%ldm%02lds so far)\n",
          done + 1, total, l / 60, l % 60, total - done, total - done == 1 ? "" : "s", e / 60,
          e % 60);
}

/* ---- provenance ---- */
static void git_revision(char *buf, size_t len) {
  const char *dirs[] = {".", EV_SOURCE_ROOT};
  buf[0] = 0;
  for (int i = 0; i < 2 && !buf[0]; i++) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "git -C '%s' rev-parse HEAD 2>/dev/null", dirs[i]);
    FILE *p = popen(cmd, "r");
    if (!p)
      continue;
    if (fgets(buf, (int)len, p)) {
      size_t n = strlen(buf);
      while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = 0;
    } else {
      buf[0] = 0;
    }
    pclose(p);
  }
  if (!buf[0])
    snprintf(buf, len, "unknown");
}

static json_t *metrics_json(const ev_metrics *m, const ev_labelset *ls) {
  json_t *o = json_object();
  json_object_set_new(o, "clips", json_integer(m->total));
  json_object_set_new(o, "accuracy", json_real(m->accuracy));
  json_object_set_new(o, "uar", json_real(m->uar));
  json_object_set_new(o, "macro_f1", json_real(m->macro_f1));
  json_t *pc = json_object();
  for (int i = 0; i < ls->n; i++) {
    json_t *c = json_object();
    json_object_set_new(c, "precision", json_real(m->precision[i]));
    json_object_set_new(c, "recall", json_real(m->recall[i]));
    json_object_set_new(c, "f1", json_real(m->f1[i]));
    json_object_set_new(c, "support", json_integer(m->support[i]));
    json_object_set_new(pc, ls->names[i], c);
  }
  json_object_set_new(o, "per_class", pc);
  return o;
}

static void write_history(const char *path, const ev_train_result *r) {
  FILE *f = fopen(path, "w");
  if (!f)
    return;
  fprintf(f, "epoch,train_loss,train_acc,val_loss,val_acc,val_uar,lr,seconds\n");
  for (int i = 0; i < r->n_hist; i++) {
    const ev_epoch_stats *h = &r->hist[i];
    fprintf(f, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6g,%.3f\n", h->epoch, h->train_loss, h->train_acc,
            h->val_loss, h->val_acc, h->val_uar, h->lr, h->seconds);
  }
  fclose(f);
}

/* ---- the commands ---- */
typedef struct session {
  cli *c;
  ev_clip_list clips;
  ev_labelset ls;
  ev_speakers spk;
  ev_arch arch;
  ev_augment_config aug;
  ev_dataset ds;
  char cache_dir[4096];
  /* score: bit per canonical label the model has (0: any label); the clips of other labels
   * are left out and counted in label_skipped */
  unsigned model_labels;
  size_t label_skipped;
} session;

static int build_labelset(session *s) {
  ev_labelset *ls = &s->ls;
  memset(ls, 0, sizeof *ls);
  int want[EV_N_EMOTIONS] = {0};
  if (s->c->labels) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s->c->labels);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
      int l = ev_label_from_name(t);
      if (l < 0) {
        fprintf(stderr, "emovox-train: --labels: unknown label '%s' (use %s, %s, ...)\n", t,
                ev_emotion_names[0], ev_emotion_names[1]);
        return -1;
      }
      want[l] = 1;
    }
  } else {
    for (size_t i = 0; i < s->clips.n; i++)
      want[s->clips.v[i].label] = 1;
  }
  /* score: only the labels the model has; the others' clips are counted per label */
  size_t lacked[EV_N_EMOTIONS] = {0};
  for (int e = 0; s->model_labels && e < EV_N_EMOTIONS; e++)
    if (want[e] && !(s->model_labels & (1u << e))) {
      want[e] = 0;
      for (size_t i = 0; i < s->clips.n; i++)
        lacked[e] += s->clips.v[i].label == e;
    }
  for (int e = 0; e < EV_N_EMOTIONS; e++) {
    ls->index_of[e] = -1;
    if (want[e]) {
      ls->index_of[e] = ls->n;
      ls->canon[ls->n] = e;
      ls->names[ls->n] = ev_emotion_names[e];
      ls->n++;
    }
  }
  /* drop clips whose label is not trained */
  size_t k = 0, dropped = 0;
  for (size_t i = 0; i < s->clips.n; i++) {
    if (ls->index_of[s->clips.v[i].label] >= 0)
      s->clips.v[k++] = s->clips.v[i];
    else {
      free(s->clips.v[i].path);
      dropped++;
    }
  }
  s->clips.n = k;
  for (int e = 0; e < EV_N_EMOTIONS; e++)
    if (lacked[e]) {
      fprintf(stderr,
              "emovox-train: warning: the model has no label %s: its %zu clip(s) left out (scored "
              "over the labels the model and the clips share)\n",
              ev_emotion_names[e], lacked[e]);
      s->label_skipped += lacked[e];
      dropped -= lacked[e];
    }
  if (dropped)
    fprintf(stderr, "emovox-train: %zu clip(s) with labels outside --labels left out\n", dropped);
  if (ls->n < 2 && s->model_labels) {
    fprintf(stderr,
            "emovox-train: the model and the clips share %d label(s): nothing to score (the "
            "model's labels: `emovox-model info FILE`; the clips': `emovox-train list`)\n",
            ls->n);
    return -1;
  }
  if (ls->n < 2) {
    fprintf(stderr, "emovox-train: need at least 2 labels, found %d\n", ls->n);
    return -1;
  }
  return 0;
}

static void report_distribution(session *s) {
  long counts[EV_CORPUS_KIND_COUNT * EV_METRICS_MAX_CLASSES] = {0};
  int used[EV_CORPUS_KIND_COUNT] = {0};
  for (size_t i = 0; i < s->clips.n; i++) {
    counts[s->clips.v[i].corpus * s->ls.n + s->ls.index_of[s->clips.v[i].label]]++;
    used[s->clips.v[i].corpus] = 1;
  }
  long packed[EV_CORPUS_KIND_COUNT * EV_METRICS_MAX_CLASSES];
  const char *names[EV_CORPUS_KIND_COUNT];
  int nc = 0;
  char path[4200];
  snprintf(path, sizeof path, "%s/label_distribution.csv", s->c->out);
  FILE *f = fopen(path, "w");
  if (f) {
    fprintf(f, "corpus");
    for (int l = 0; l < s->ls.n; l++)
      fprintf(f, ",%s", s->ls.names[l]);
    fprintf(f, ",speakers\n");
  }
  printf("%-10s", "corpus");
  for (int l = 0; l < s->ls.n; l++)
    printf(" %9.9s", s->ls.names[l]);
  printf(" %8s\n", "speakers");
  for (int c = 0; c < EV_CORPUS_KIND_COUNT; c++) {
    if (!used[c])
      continue;
    int nspk = 0;
    for (int k = 0; k < s->spk.n; k++)
      nspk += s->spk.corpus[k] == c;
    names[nc] = ev_corpus_kind_name((ev_corpus_kind)c);
    printf("%-10s", names[nc]);
    if (f)
      fprintf(f, "%s", names[nc]);
    for (int l = 0; l < s->ls.n; l++) {
      packed[nc * s->ls.n + l] = counts[c * s->ls.n + l];
      printf(" %9ld", counts[c * s->ls.n + l]);
      if (f)
        fprintf(f, ",%ld", counts[c * s->ls.n + l]);
    }
    printf(" %8d\n", nspk);
    if (f)
      fprintf(f, ",%d\n", nspk);
    nc++;
  }
  if (f)
    fclose(f);
  snprintf(path, sizeof path, "%s/label_distribution.png", s->c->out);
  if (nc)
    ev_plot_label_distribution(path, packed, nc, names, s->ls.n, s->ls.names);
}

static int load_clips(session *s) {
  char err[512];
  cli *c = s->c;
  if (c->n_manifests == 0 || c->only) {
    int found = ev_corpus_scan_root(c->corpora, c->only, &s->clips, err, sizeof err);
    if (found < 0) {
      fprintf(stderr, "emovox-train: %s\n", err);
      return -1;
    }
  }
  for (int i = 0; i < c->n_manifests; i++)
    if (ev_corpus_read_manifest(c->manifests[i], &s->clips, err, sizeof err) < 0) {
      fprintf(stderr, "emovox-train: %s\n", err);
      return -1;
    }
  if (s->clips.n == 0) {
    fprintf(stderr,
            "emovox-train: no labelled clips found under %s (give --corpora DIR or "
            "--manifest CSV)\n",
            c->corpora);
    return -1;
  }
  if (s->clips.rejected)
    fprintf(stderr,
            "emovox-train: %zu file(s) skipped (names or rows that do not parse, missing files)\n",
            s->clips.rejected);
  if (build_labelset(s) != 0 || ev_speakers_collect(&s->clips, &s->spk) != 0)
    return -1;
  return 0;
}

static int extract(session *s) {
  char err[512];
  cli *c = s->c;
  ev_augment_config_default(&s->aug);
  if (ev_augment_config_parse(&s->aug, c->augment, err, sizeof err) != 0) {
    fprintf(stderr, "emovox-train: --%s\n", err);
    return -1;
  }
  const char *cache = NULL;
  if (!c->cache) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0])
      snprintf(s->cache_dir, sizeof s->cache_dir, "%s/emovox-train", xdg);
    else if (home && home[0])
      snprintf(s->cache_dir, sizeof s->cache_dir, "%s/.cache/emovox-train", home);
    if (s->cache_dir[0])
      cache = s->cache_dir;
  } else if (strcmp(c->cache, "none") != 0) {
    cache = c->cache;
  }
  if (cache && mkdir_p(cache) != 0) {
    fprintf(stderr,
            "emovox-train: cannot create the cache folder %s (use --cache DIR or "
            "--cache none)\n",
            cache);
    return -1;
  }
  ev_extract_opts eo = {.arch = &s->arch,
                        .aug = &s->aug,
                        .seed = c->train.seed,
                        .cache_dir = cache,
                        .threads = c->train.threads,
                        .progress = !c->quiet,
                        .narrowband = c->narrowband};
  double t0 = ev_now();
  if (ev_dataset_extract(&s->ds, &s->clips, &eo, err, sizeof err) != 0) {
    fprintf(stderr, "emovox-train: %s\n", err);
    return -1;
  }
  if (!c->quiet)
    fprintf(stderr,
            "features: %zu clips x %d version(s) in %.1f s (cache: %zu hits, %zu "
            "extracted%s%s)\n",
            s->clips.n, s->ds.copies + 1, ev_now() - t0, s->ds.cache_hits, s->ds.cache_misses,
            cache ? ", " : "", cache ? cache : "");
  return 0;
}

/* Rows of an evaluate run's per_corpus.csv (corpus,clips,accuracy,uar,macro_f1) as JSON. */
static json_t *per_corpus_json(const char *path) {
  json_t *rows = json_array();
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "emovox-train: cannot read %s (--evaluation); the model will not carry it\n",
            path);
    return rows;
  }
  char line[512], corpus[128];
  long clips;
  double acc, uar, f1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "%127[^,],%ld,%lf,%lf,%lf", corpus, &clips, &acc, &uar, &f1) == 5) {
      json_t *r = json_object();
      json_object_set_new(r, "corpus", json_string(corpus));
      json_object_set_new(r, "clips", json_integer(clips));
      json_object_set_new(r, "accuracy", json_real(acc));
      json_object_set_new(r, "uar", json_real(uar));
      json_object_set_new(r, "macro_f1", json_real(f1));
      json_array_append_new(rows, r);
    }
  fclose(f);
  return rows;
}

static char *provenance(session *s, const ev_run *run, const ev_metrics *val, size_t n_val_spk,
                        const char *val_speakers) {
  json_t *o = json_object();
  json_t *corp = json_array();
  size_t per[EV_CORPUS_KIND_COUNT] = {0};
  for (size_t i = 0; i < s->clips.n; i++)
    per[s->clips.v[i].corpus]++;
  for (int c = 0; c < EV_CORPUS_KIND_COUNT; c++)
    if (per[c]) {
      json_t *e = json_object();
      json_object_set_new(e, "name", json_string(ev_corpus_kind_name((ev_corpus_kind)c)));
      json_object_set_new(e, "clips", json_integer((json_int_t)per[c]));
      json_array_append_new(corp, e);
    }
  json_object_set_new(o, "corpora", corp);
  json_object_set_new(o, "command", json_string(s->c->cmdline));
  char date[64];
  time_t now = time(NULL);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  json_object_set_new(o, "date", json_string(date));
  char rev[128];
  git_revision(rev, sizeof rev);
  json_object_set_new(o, "revision", json_string(rev));
  json_object_set_new(o, "trainer", json_string("emovox-train " EV_VERSION));
  json_object_set_new(o, "arch", json_string(s->arch.name));
  json_object_set_new(o, "seed", json_integer((json_int_t)s->c->train.seed));
  char aug[256];
  ev_augment_config_describe(&s->aug, aug, sizeof aug);
  json_object_set_new(o, "augment", json_string(aug));
  char mask[96];
  ev_mask_config_describe(&s->c->train.mask, mask, sizeof mask);
  json_object_set_new(o, "mask", json_string(mask));
  json_object_set_new(o, "mixup", json_real(s->c->train.mixup));
  json_object_set_new(o, "adversary", json_real(s->c->train.adversary));
  json_object_set_new(o, "arousal_loss", json_real(s->c->train.arousal_loss));
  json_object_set_new(o, "gain_jitter", json_real(s->c->train.gain_jitter));
  json_object_set_new(o, "voice_swap", json_real(s->c->train.voice_swap));
  json_object_set_new(o, "dropout", json_real(s->c->train.dropout));
  json_object_set_new(o, "robust_norm", json_real(s->c->robust_norm));
  json_object_set_new(o, "class_centres", json_boolean(s->c->train.class_centres));
  if (s->c->train.read_warmup >= 0.0f)
    json_object_set_new(o, "read_warmup", json_real(s->c->train.read_warmup));
  if (s->c->train.centre_confidence > 0.0f)
    json_object_set_new(o, "centre_confidence", json_real(s->c->train.centre_confidence));
  if (s->c->train.ensemble_inputs > 0.0f && s->c->train.ensemble_inputs < 1.0f)
    json_object_set_new(o, "ensemble_inputs", json_real(s->c->train.ensemble_inputs));
  json_object_set_new(o, "channel",
                      json_string(s->c->narrowband == 2 ? "narrow-floor"
                                  : s->c->narrowband    ? "narrow"
                                                        : "wide"));
  char lc[32] = "all";
  if (s->c->train.corpus_classes && s->c->train.all_share > 0.0f)
    snprintf(lc, sizeof lc, "corpus:%g", s->c->train.all_share);
  else if (s->c->train.corpus_classes)
    snprintf(lc, sizeof lc, "corpus");
  json_object_set_new(o, "loss_classes", json_string(lc));
  json_object_set_new(o, "temperature", json_real(s->c->temperature));
  json_object_set_new(o, "epochs_run", json_integer(run->result.n_hist));
  json_object_set_new(o, "best_epoch", json_integer(run->result.best_epoch));
  json_t *ev = json_object();
  if (val && val->total) {
    json_t *v = metrics_json(val, &s->ls);
    json_object_set_new(v, "speakers", json_integer((json_int_t)n_val_spk));
    json_object_set_new(v, "speaker_list", json_string(val_speakers));
    json_object_set_new(ev, "validation", v);
  }
  if (s->c->evaluation) /* the cross-validation figures of this recipe, from `evaluate` */
    json_object_set_new(ev, "cross_validation", per_corpus_json(s->c->evaluation));
  json_object_set_new(o, "evaluation", ev);
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  return text;
}

static size_t *clip_indices(session *s, const char *mark, int want, size_t *n) {
  size_t *idx = malloc((s->clips.n + 1) * sizeof *idx);
  *n = 0;
  if (!idx)
    return NULL;
  for (size_t i = 0; i < s->clips.n; i++)
    if (mark[s->spk.of_clip[i]] == want)
      idx[(*n)++] = i;
  return idx;
}

/* How many of the clips idx[0..n) were read: an unreadable clip (reported by the extraction)
 * stays in the lists and the runs skip it. */
static size_t n_read(const session *s, const size_t *idx, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += s->ds.ok[idx[i]] != 0;
  return k;
}

static int cmd_train(session *s) {
  cli *c = s->c;
  char err[512], path[4300];
  char *val_mark = calloc((size_t)s->spk.n + 1, 1);
  if (!val_mark)
    return -1;
  ev_pick_validation(&s->spk, NULL, c->val_fraction, c->train.seed, val_mark);
  size_t n_tr, n_va, n_vspk = 0;
  size_t *tr = clip_indices(s, val_mark, 0, &n_tr), *va = clip_indices(s, val_mark, 1, &n_va);
  char vlist[2048] = "";
  for (int k = 0; k < s->spk.n; k++)
    if (val_mark[k]) {
      n_vspk++;
      strncat(vlist, s->spk.name[k], sizeof vlist - strlen(vlist) - 2);
      strncat(vlist, " ", sizeof vlist - strlen(vlist) - 1);
    }
  /* the clips actually used: the count of the lists would include the unreadable ones */
  const size_t tr_read = n_read(s, tr, n_tr), va_read = n_read(s, va, n_va);
  char tr_skip[64] = "", va_skip[64] = "";
  if (tr_read < n_tr)
    snprintf(tr_skip, sizeof tr_skip, " (%zu unreadable skipped)", n_tr - tr_read);
  if (va_read < n_va)
    snprintf(va_skip, sizeof va_skip, " (%zu unreadable skipped)", n_va - va_read);
  printf("training on %zu clips%s, validating on %zu clips%s of %zu held-out speakers: %s\n",
         tr_read, tr_skip, va_read, va_skip, n_vspk, vlist[0] ? vlist : "(none: fixed epochs)");
  ev_run run;
  int rc =
      ev_run_train(&run, &s->arch, &s->ds, &s->ls, tr, n_tr, va, n_va, &c->train, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "emovox-train: %s\n", err);
    goto done;
  }
  ev_confusion cm;
  ev_metrics m;
  ev_confusion_init(&cm, s->ls.n);
  if (n_va) {
    if (ev_run_evaluate(&run, &s->arch, &s->ds, &s->ls, va, n_va, c->train.threads, &cm, NULL, NULL,
                        NULL, NULL, err, sizeof err) != 0) {
      fprintf(stderr, "emovox-train: %s\n", err);
      rc = -1;
      goto done;
    }
  }
  ev_metrics_compute(&cm, &m);
  if (n_va) {
    printf("validation (best epoch %d of %d):\n", run.result.best_epoch, run.result.n_hist);
    ev_metrics_print(stdout, &cm, &m, s->ls.names);
    snprintf(path, sizeof path, "%s/validation", c->out);
    ev_metrics_write_csv(path, &cm, &m, s->ls.names);
    snprintf(path, sizeof path, "%s/validation_confusion.png", c->out);
    ev_plot_confusion(path, &cm, s->ls.names, "validation (held-out speakers)");
  }
  snprintf(path, sizeof path, "%s/history.csv", c->out);
  write_history(path, &run.result);
  snprintf(path, sizeof path, "%s/learning_curves.png", c->out);
  char title[160];
  snprintf(title, sizeof title, "%s: learning curves", s->arch.name);
  ev_plot_learning_curves(path, run.result.hist, run.result.n_hist, title);
  if (s->arch.functionals) {
    printf("functionals baseline: evaluation only, no model file written\n");
  } else {
    if (c->temperature != 1.0 && ev_net_fold_temperature(&run.net, (float)c->temperature) != 0) {
      fprintf(stderr, "emovox-train: --temperature needs a model whose last layer before the "
                      "softmax is a linear dense or conv1d layer\n");
      rc = -1;
      goto done;
    }
    char *prov = provenance(s, &run, &m, n_vspk, vlist);
    char model_path[4300];
    if (c->output)
      snprintf(model_path, sizeof model_path, "%s", c->output);
    else
      snprintf(model_path, sizeof model_path, "%s/emovox-%s.safetensors", c->out, s->arch.name);
    /* the channel's band: what ev_aug_band leaves below its 8 kHz rate's Nyquist */
    const int band_hz = c->narrowband ? EV_AUG_BAND_HZ : 0;
    rc = ev_run_export(&run, &s->arch, &s->ls, c->name ? c->name : s->arch.name, c->model_version,
                       band_hz, prov, model_path, err, sizeof err);
    free(prov);
    if (rc != 0)
      fprintf(stderr, "emovox-train: cannot write %s: %s\n", model_path, err);
    else
      printf("model written: %s (%zu parameters, %.0f training clips/s)\n", model_path,
             run.net.n_params, run.result.clips_per_second);
  }
done:
  ev_run_free(&run);
  free(tr);
  free(va);
  free(val_mark);
  return rc;
}

/* The folds the command line asks for: leave one corpus out, one held-out speaker or K
 * speaker folds. */
static int make_folds(session *s, ev_folds *folds) {
  cli *c = s->c;
  char err[512];
  int frc;
  if (c->loco) {
    frc = ev_folds_loco(&s->spk, folds, err, sizeof err);
  } else if (c->holdout) {
    frc = ev_folds_holdout(&s->spk, c->holdout, folds, err, sizeof err);
  } else {
    int k_folds = 5;
    if (c->folds && sscanf(c->folds, "speaker:%d", &k_folds) != 1) {
      fprintf(stderr, "emovox-train: --folds must be speaker:K\n");
      return -1;
    }
    frc = ev_folds_speaker(&s->spk, k_folds, folds, err, sizeof err);
  }
  if (frc != 0)
    fprintf(stderr, "emovox-train: %s\n", err);
  return frc;
}

static const char *folds_kind(const cli *c) {
  return c->loco ? "leave one corpus out" : c->holdout ? "held-out speaker" : "speaker folds";
}

/* What `evaluate` gathers over the folds: confusions over all and per corpus, and every scored
 * test clip's out-of-fold confidence and crop logits (for calibration). */
typedef struct evaluation {
  ev_confusion total;
  ev_confusion per_corpus[EV_CORPUS_KIND_COUNT];
  size_t crop_floats; /* EV_PRED_MAX_CROPS * labels */
  float *conf, *logits;
  int *correct, *crops, *truth;
  size_t n_scored;
  FILE *folds_csv;
  int stream; /* also what the plugin reports (ev_stream_eval.h) */
  ev_stream_eval se;
} evaluation;

static void evaluation_free(evaluation *e) {
  if (e->stream)
    ev_stream_eval_free(&e->se);
  if (e->folds_csv)
    fclose(e->folds_csv);
  free(e->conf);
  free(e->logits);
  free(e->crops);
  free(e->truth);
  free(e->correct);
}

static int evaluation_init(evaluation *e, session *s) {
  cli *c = s->c;
  char path[4300];
  memset(e, 0, sizeof *e);
  snprintf(path, sizeof path, "%s/folds.csv", c->out);
  e->folds_csv = fopen(path, "w");
  if (e->folds_csv)
    fprintf(e->folds_csv,
            "fold,test_speakers,test_clips,accuracy,uar,macro_f1,best_epoch,epochs\n");
  ev_confusion_init(&e->total, s->ls.n);
  for (int k = 0; k < EV_CORPUS_KIND_COUNT; k++)
    ev_confusion_init(&e->per_corpus[k], s->ls.n);
  e->crop_floats = (size_t)EV_PRED_MAX_CROPS * (size_t)s->ls.n;
  e->conf = malloc((s->clips.n + 1) * sizeof *e->conf);
  e->correct = malloc((s->clips.n + 1) * sizeof *e->correct);
  e->logits = malloc((s->clips.n * e->crop_floats + 1) * sizeof *e->logits);
  e->crops = malloc((s->clips.n + 1) * sizeof *e->crops);
  e->truth = malloc((s->clips.n + 1) * sizeof *e->truth);
  if (!e->conf || !e->correct || !e->logits || !e->crops || !e->truth)
    return -1;
  /* the functionals baseline cannot stream */
  if (c->plugin_figure && !s->arch.functionals) {
    if (ev_stream_eval_init(&e->se, &s->clips, &s->spk, &s->ls, c->train.threads, c->train.seed) !=
        0)
      return -1;
    e->stream = 1;
    e->se.skip48 = c->plugin_figure == 2;
    e->se.folded_temperature = c->temperature;
  }
  return 0;
}

/* One fold's test predictions (per test clip: label or -1, confidence, crop logits). */
typedef struct fold_preds {
  int *pred, *n_crops;
  float *conf, *logits;
} fold_preds;

static void fold_preds_free(fold_preds *p) {
  free(p->pred);
  free(p->n_crops);
  free(p->conf);
  free(p->logits);
}

static int fold_preds_alloc(fold_preds *p, size_t n, size_t crop_floats) {
  p->pred = malloc((n + 1) * sizeof *p->pred);
  p->conf = malloc((n + 1) * sizeof *p->conf);
  p->logits = malloc((n * crop_floats + 1) * sizeof *p->logits);
  p->n_crops = malloc((n + 1) * sizeof *p->n_crops);
  return p->pred && p->conf && p->logits && p->n_crops ? 0 : -1;
}

/* Adds a fold's scored test clips to the per-corpus confusions and the calibration data. */
static void gather_fold(evaluation *e, session *s, const size_t *te, size_t n_te,
                        const fold_preds *p) {
  for (size_t i = 0; i < n_te; i++) {
    if (p->pred[i] < 0)
      continue;
    const ev_clip *clip = &s->clips.v[te[i]];
    const int truth = s->ls.index_of[clip->label];
    ev_confusion_add(&e->per_corpus[clip->corpus], truth, p->pred[i]);
    memcpy(e->logits + e->n_scored * e->crop_floats, p->logits + i * e->crop_floats,
           e->crop_floats * sizeof *p->logits);
    e->crops[e->n_scored] = p->n_crops[i];
    e->truth[e->n_scored] = truth;
    e->conf[e->n_scored] = p->conf[i];
    e->correct[e->n_scored++] = p->pred[i] == truth;
  }
}

/* A fold's figures on stdout and in folds.csv, its history and learning curves. */
static void report_fold(evaluation *e, session *s, const char *fold_name, int f, const char *tlist,
                        const ev_confusion *cm, const ev_run *run) {
  cli *c = s->c;
  char path[4300];
  ev_metrics m;
  ev_metrics_compute(cm, &m);
  ev_confusion_merge(&e->total, cm);
  printf("%s: accuracy %.2f%%  UAR %.2f%%  macro-F1 %.2f%%  (%ld clips)\n", fold_name,
         100 * m.accuracy, 100 * m.uar, 100 * m.macro_f1, m.total);
  if (e->stream)
    ev_stream_eval_fold_line(&e->se, f, fold_name, stdout);
  if (e->folds_csv)
    fprintf(e->folds_csv, "%s,%s,%ld,%.6f,%.6f,%.6f,%d,%d\n", fold_name, tlist, m.total, m.accuracy,
            m.uar, m.macro_f1, run->result.best_epoch, run->result.n_hist);
  snprintf(path, sizeof path, "%s/%s_history.csv", c->out, fold_name);
  write_history(path, &run->result);
  snprintf(path, sizeof path, "%s/%s_curves.png", c->out, fold_name);
  char title[200];
  snprintf(title, sizeof title, "%s, %s: learning curves", s->arch.name, fold_name);
  ev_plot_learning_curves(path, run->result.hist, run->result.n_hist, title);
}

/* Fold f: trains on its training speakers (early stopping on validation speakers drawn from
 * them), scores its test speakers, as the trainer and as the plugin. */
static int evaluate_fold(evaluation *e, session *s, const ev_folds *folds, int f) {
  cli *c = s->c;
  char err[512];
  char *role = malloc((size_t)s->spk.n + 1);
  if (!role || ev_fold_roles(&s->spk, folds, f, c->val_fraction, c->train.seed, role) != 0) {
    free(role);
    return -1;
  }
  char tlist[2048] = "";
  for (int k = 0; k < s->spk.n; k++)
    if (role[k] == EV_ROLE_TEST) {
      strncat(tlist, s->spk.name[k], sizeof tlist - strlen(tlist) - 2);
      strncat(tlist, " ", sizeof tlist - strlen(tlist) - 1);
    }
  size_t n_tr, n_va, n_te;
  size_t *tr = clip_indices(s, role, EV_ROLE_TRAIN, &n_tr);
  size_t *va = clip_indices(s, role, EV_ROLE_VAL, &n_va);
  size_t *te = clip_indices(s, role, EV_ROLE_TEST, &n_te);
  /* the clips read (the lists keep the unreadable ones, which the runs skip) */
  const size_t unread =
      (n_te - n_read(s, te, n_te)) + (n_tr - n_read(s, tr, n_tr)) + (n_va - n_read(s, va, n_va));
  char skipped[64] = "";
  if (unread)
    snprintf(skipped, sizeof skipped, " (%zu unreadable skipped)", unread);
  printf("== %s: test %zu clips (%s), train %zu, validation %zu%s\n", folds->name[f],
         n_read(s, te, n_te), tlist, n_read(s, tr, n_tr), n_read(s, va, n_va), skipped);
  ev_run run;
  ev_confusion cm;
  ev_confusion_init(&cm, s->ls.n);
  int rc =
      ev_run_train(&run, &s->arch, &s->ds, &s->ls, tr, n_tr, va, n_va, &c->train, err, sizeof err);
  fold_preds p = {0};
  if (fold_preds_alloc(&p, n_te, e->crop_floats) != 0 && rc == 0) {
    snprintf(err, sizeof err, "out of memory");
    rc = -1;
  }
  if (rc == 0)
    rc = ev_run_evaluate(&run, &s->arch, &s->ds, &s->ls, te, n_te, c->train.threads, &cm, p.pred,
                         p.conf, p.logits, p.n_crops, err, sizeof err);
  /* the plugin figures read each fold's model as the shipped file is read: at the recipe's T
   * (the trainer's own figure and calibration above stay at T = 1, where T is fitted) */
  if (rc == 0 && e->stream && c->temperature != 1.0 &&
      ev_net_fold_temperature(&run.net, (float)c->temperature) != 0) {
    snprintf(err, sizeof err,
             "--temperature needs a model whose last layer before the softmax is a linear dense "
             "or conv1d layer");
    rc = -1;
  }
  if (rc == 0 && e->stream)
    rc = ev_stream_eval_run(&e->se, &run, &s->arch, f, te, n_te, err, sizeof err);
  if (rc == 0)
    gather_fold(e, s, te, n_te, &p);
  fold_preds_free(&p);
  if (rc != 0)
    fprintf(stderr, "emovox-train: %s: %s\n", folds->name[f], err);
  else
    report_fold(e, s, folds->name[f], f, tlist, &cm, &run);
  ev_run_free(&run);
  free(tr);
  free(va);
  free(te);
  free(role);
  return rc;
}

/* Expected calibration error of the out-of-fold predictions, and the temperature that fits
 * them best (the value to train the shipped model with, --temperature) with the ECE it would
 * give; printed and written to calibration.csv. */
static void report_calibration(evaluation *e, session *s) {
  char path[4300];
  const int C = s->ls.n;
  const double ece = ev_ece(e->conf, e->correct, e->n_scored, 10);
  printf("expected calibration error (10 bins): %.2f%%\n", 100 * ece);
  double nll_t, nll_1;
  const float temp = ev_temperature_fit(e->logits, e->crops, e->truth, e->n_scored, C,
                                        EV_PRED_MAX_CROPS, &nll_t, &nll_1);
  for (size_t i = 0; i < e->n_scored; i++) {
    float p[EV_METRICS_MAX_CLASSES * 4];
    ev_crop_probs(e->logits + i * e->crop_floats, e->crops[i], C, temp, p);
    int best = 0;
    for (int k = 1; k < C; k++)
      best = p[k] > p[best] ? k : best;
    e->conf[i] = p[best];
    e->correct[i] = best == e->truth[i];
  }
  const double ece_t = ev_ece(e->conf, e->correct, e->n_scored, 10);
  printf("temperature fitted on these predictions: T = %.3f (NLL %.4f -> %.4f), expected "
         "calibration error %.2f%% -> %.2f%%\n",
         (double)temp, nll_1, nll_t, 100 * ece, 100 * ece_t);
  snprintf(path, sizeof path, "%s/calibration.csv", s->c->out);
  FILE *fc = fopen(path, "w");
  if (fc) {
    fprintf(fc, "ece_10_bins,clips,temperature,ece_10_bins_at_temperature\n%.6f,%zu,%.4f,%.6f\n",
            ece, e->n_scored, (double)temp, ece_t);
    fclose(fc);
  }
}

/* Each corpus's figures on stdout, per_corpus.csv (with the total m) and <CORPUS>_*.csv. */
static void report_per_corpus(evaluation *e, session *s, const ev_metrics *m) {
  cli *c = s->c;
  char path[4300];
  snprintf(path, sizeof path, "%s/per_corpus.csv", c->out);
  FILE *fc = fopen(path, "w");
  if (fc)
    fprintf(fc, "corpus,clips,accuracy,uar,macro_f1\n");
  for (int k = 0; k < EV_CORPUS_KIND_COUNT; k++) {
    ev_metrics mk;
    ev_metrics_compute(&e->per_corpus[k], &mk);
    if (mk.total == 0)
      continue;
    const char *cn = ev_corpus_kind_name((ev_corpus_kind)k);
    printf("%-10s accuracy %.2f%%  UAR %.2f%%  macro-F1 %.2f%%  (%ld clips)\n", cn,
           100 * mk.accuracy, 100 * mk.uar, 100 * mk.macro_f1, mk.total);
    if (fc)
      fprintf(fc, "%s,%ld,%.6f,%.6f,%.6f\n", cn, mk.total, mk.accuracy, mk.uar, mk.macro_f1);
    snprintf(path, sizeof path, "%s/%s", c->out, cn);
    ev_metrics_write_csv(path, &e->per_corpus[k], &mk, s->ls.names);
  }
  if (fc) {
    fprintf(fc, "all,%ld,%.6f,%.6f,%.6f\n", m->total, m->accuracy, m->uar, m->macro_f1);
    fclose(fc);
  }
}

/* The figures over all folds: stdout, calibration, per corpus, overall_* and, with
 * --speaker-norm, a note that the clip figures used an oracle; then the plugin's figures. */
static int report_evaluation(evaluation *e, session *s) {
  cli *c = s->c;
  char path[4300];
  ev_metrics m;
  ev_metrics_compute(&e->total, &m);
  /* --speaker-norm gives each test clip its speaker's statistics over all of their clips:
   * an oracle the plugin never has */
  const char *oracle = c->train.speaker_norm ? " [clip figures, oracle speaker norm: not what "
                                               "the plugin gives]"
                                             : " [clip figures]";
  printf("== all folds (%s, arch %s)%s:\n", folds_kind(c), s->arch.name, oracle);
  ev_metrics_print(stdout, &e->total, &m, s->ls.names);
  report_calibration(e, s);
  report_per_corpus(e, s, &m);
  snprintf(path, sizeof path, "%s/overall", c->out);
  ev_metrics_write_csv(path, &e->total, &m, s->ls.names);
  snprintf(path, sizeof path, "%s/overall_confusion.png", c->out);
  char title[200];
  snprintf(title, sizeof title, "%s: confusion over all test folds", s->arch.name);
  ev_plot_confusion(path, &e->total, s->ls.names, title);
  if (c->train.speaker_norm) {
    snprintf(path, sizeof path, "%s/ORACLE_SPEAKER_NORM.txt", c->out);
    FILE *fc = fopen(path, "w");
    if (fc) {
      fprintf(fc, "oracle speaker norm: not what the plugin gives.\nfolds.csv, per_corpus.csv, "
                  "overall_*, <CORPUS>_* and calibration.csv normalise every test clip with "
                  "the statistics of all of its speaker's clips (--speaker-norm). The "
                  "plugin's figures are plugin_figures.csv/.json.\n");
      fclose(fc);
    }
  }
  int rc = 0;
  if (e->stream) {
    char stitle[256];
    snprintf(stitle, sizeof stitle, "%s, %s", folds_kind(c), s->arch.name);
    rc = ev_stream_eval_report(&e->se, c->out, stitle, stdout);
  }
  printf("reports in %s/\n", c->out);
  return rc;
}

/* The folds --only-folds names (every fold without it), in the folds' order, each once: a
 * number from 1, or a fold's name (LOCO: the corpus left out, any case). -1 with a message
 * for a name or number that is no fold. */
static int folds_to_run(const char *list, const ev_folds *folds, int *run, int *n_run) {
  int want[EV_FOLDS_MAX] = {0};
  if (!list)
    for (int f = 0; f < folds->n; f++)
      want[f] = 1;
  char buf[512];
  snprintf(buf, sizeof buf, "%s", list ? list : "");
  for (char *tok = strtok(buf, ","); list && tok; tok = strtok(NULL, ",")) {
    char *end;
    long k = strtol(tok, &end, 10);
    int f = -1;
    if (*tok && !*end)
      f = k >= 1 && k <= folds->n ? (int)k - 1 : -1;
    else
      for (int g = 0; g < folds->n && f < 0; g++)
        if (!strcasecmp(tok, folds->name[g]))
          f = g;
    if (f < 0) {
      fprintf(stderr, "emovox-train: --only-folds: '%s' is no fold (1 to %d", tok, folds->n);
      for (int g = 0; g < folds->n; g++)
        fprintf(stderr, "%s%s", g ? ", " : "; or ", folds->name[g]);
      fprintf(stderr, ")\n");
      return -1;
    }
    want[f] = 1;
  }
  *n_run = 0;
  for (int f = 0; f < folds->n; f++)
    if (want[f])
      run[(*n_run)++] = f;
  return 0;
}

static int cmd_evaluate(session *s) {
  ev_folds folds;
  if (make_folds(s, &folds) != 0)
    return -1;
  int run[EV_FOLDS_MAX], n_run = 0;
  if (folds_to_run(s->c->only_folds, &folds, run, &n_run) != 0) {
    ev_folds_free(&folds);
    return -1;
  }
  if (s->c->only_folds && !s->c->quiet) {
    fprintf(stderr, "only %d of %d folds (--only-folds):", n_run, folds.n);
    for (int i = 0; i < n_run; i++)
      fprintf(stderr, " %s", folds.name[run[i]]);
    fprintf(stderr, "\n");
  }
  evaluation e;
  int rc = evaluation_init(&e, s);
  const double folds_t0 = ev_now();
  for (int i = 0; i < n_run && rc == 0; i++) {
    if (i > 0) /* the folds are alike in size: the mean so far times the folds to go */
      print_remaining(folds_t0, i, n_run);
    rc = evaluate_fold(&e, s, &folds, run[i]);
  }
  if (e.folds_csv) { /* complete before the reports */
    fclose(e.folds_csv);
    e.folds_csv = NULL;
  }
  if (rc == 0)
    rc = report_evaluation(&e, s);
  evaluation_free(&e);
  ev_folds_free(&folds);
  return rc;
}

/* `evaluate --arch egemaps-svm`: the classic baseline (ev_svm_eval.h) on the same folds. */
static int cmd_svm_baseline(cli *c) {
  if (strcmp(c->command, "evaluate") != 0) {
    fprintf(stderr,
            "emovox-train: %s is an evaluation baseline: use it with `evaluate` (it "
            "writes no model)\n",
            EV_SVM_ARCH_NAME);
    return 2;
  }
  if (mkdir_p(c->out) != 0) {
    fprintf(stderr, "emovox-train: cannot create the report folder %s (use --out DIR)\n", c->out);
    return 1;
  }
  session s;
  memset(&s, 0, sizeof s);
  s.c = c;
  char err[512];
  int rc = load_clips(&s);
  ev_folds folds;
  memset(&folds, 0, sizeof folds);
  const char *title = c->loco      ? "leave one corpus out"
                      : c->holdout ? "held-out speaker"
                                   : "speaker folds";
  if (rc == 0) {
    report_distribution(&s);
    int k_folds = 5;
    if (c->loco)
      rc = ev_folds_loco(&s.spk, &folds, err, sizeof err);
    else if (c->holdout)
      rc = ev_folds_holdout(&s.spk, c->holdout, &folds, err, sizeof err);
    else if (c->folds && sscanf(c->folds, "speaker:%d", &k_folds) != 1) {
      snprintf(err, sizeof err, "--folds must be speaker:K");
      rc = -1;
    } else
      rc = ev_folds_speaker(&s.spk, k_folds, &folds, err, sizeof err);
    if (rc != 0)
      fprintf(stderr, "emovox-train: %s\n", err);
  }
  const char *cache = NULL;
  char cache_dir[4096] = "";
  if (!c->cache) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0])
      snprintf(cache_dir, sizeof cache_dir, "%s/emovox-train", xdg);
    else if (home && home[0])
      snprintf(cache_dir, sizeof cache_dir, "%s/.cache/emovox-train", home);
    cache = cache_dir[0] ? cache_dir : NULL;
  } else if (strcmp(c->cache, "none") != 0) {
    cache = c->cache;
  }
  if (cache && mkdir_p(cache) != 0)
    cache = NULL;
  if (rc == 0) {
    ev_svm_eval_opts o = {cache, c->train.threads, c->train.seed, !c->quiet, c->out,
                          title, c->narrowband};
    rc = ev_svm_eval(&s.clips, &s.spk, &s.ls, &folds, &o, stdout, err, sizeof err);
    if (rc != 0)
      fprintf(stderr, "emovox-train: %s\n", err);
  }
  ev_folds_free(&folds);
  ev_speakers_free(&s.spk);
  ev_clip_list_free(&s.clips);
  ev_plots_shutdown();
  return rc == 0 ? 0 : 1;
}

static int cmd_list(session *s) {
  for (int k = 0; k < s->spk.n; k++) {
    long n = 0;
    for (size_t i = 0; i < s->clips.n; i++)
      n += s->spk.of_clip[i] == k;
    printf("speaker %-16s %5ld clips\n", s->spk.name[k], n);
  }
  if (s->c->out_given)
    printf("%zu clips, %d speakers, %d labels; distribution in %s/label_distribution.{csv,png}\n",
           s->clips.n, s->spk.n, s->ls.n, s->c->out);
  else
    printf("%zu clips, %d speakers, %d labels (--out DIR also writes the label distribution)\n",
           s->clips.n, s->spk.n, s->ls.n);
  return 0;
}

/* The corpora (by name) of the model's provenance (`train` records them) that are scored here,
 * comma-separated into buf: their figures are the model on clips it learnt from. Manifest clips
 * are left out, since "MANIFEST" names no particular collection. */
static void trained_on_scored(const ev_model *m, const session *s, char *buf, size_t len) {
  buf[0] = 0;
  json_t *prov = json_loads(ev_model_provenance(m), 0, NULL);
  json_t *corpora = prov ? json_object_get(prov, "corpora") : NULL;
  int scored[EV_CORPUS_KIND_COUNT] = {0};
  for (size_t i = 0; i < s->clips.n; i++)
    scored[s->clips.v[i].corpus] = 1;
  for (size_t i = 0; i < json_array_size(corpora); i++) {
    const char *name = json_string_value(json_object_get(json_array_get(corpora, i), "name"));
    for (int k = 0; name && k < EV_CORPUS_KIND_COUNT; k++)
      if (k != EV_CORPUS_MANIFEST && scored[k] &&
          !strcmp(name, ev_corpus_kind_name((ev_corpus_kind)k))) {
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "", name);
        scored[k] = 0;
      }
  }
  json_decref(prov);
}

/* `score`: the given model over every selected clip (one pseudo-fold) through the plugin's
 * path, reported as evaluate's plugin figure (ev_stream_eval.h). No features are extracted:
 * the stream evaluation reads the audio itself. */
static int cmd_score(cli *c) {
  char err[512];
  if (!c->model) {
    fprintf(stderr, "emovox-train: score needs --model FILE (e.g. --model "
                    "models/emovox-default.safetensors)\n");
    return 2;
  }
  if (!c->plugin_figure) {
    fprintf(stderr, "emovox-train: score reports only the plugin figure: give --plugin-figure on "
                    "or quick\n");
    return 2;
  }
  ev_model *model = ev_model_load_file(c->model, err, sizeof err);
  if (!model) {
    fprintf(stderr,
            "emovox-train: cannot load the model %s: %s (give a .safetensors model file, as "
            "`emovox-train train` writes)\n",
            c->model, err);
    return 2;
  }
  if (mkdir_p(c->out) != 0) {
    fprintf(stderr, "emovox-train: cannot create the report folder %s (use --out DIR)\n", c->out);
    ev_model_free(model);
    return 1;
  }
  session s;
  memset(&s, 0, sizeof s);
  s.c = c;
  for (int i = 0; i < ev_model_n_labels(model); i++) {
    const int k = ev_model_label_canonical(model, i);
    if (k >= 0)
      s.model_labels |= 1u << k;
  }
  char name[256];
  ev_model_display_name(model, name, sizeof name);
  int rc = s.model_labels ? 0 : -1;
  if (rc != 0)
    fprintf(stderr, "emovox-train: the model %s has no emotion label the plugin knows\n", c->model);
  if (rc == 0)
    rc = load_clips(&s);
  if (rc == 0) {
    report_distribution(&s);
    printf("scoring %s (%s) on %zu clips of %d speakers, %d labels%s\n", name, c->model, s.clips.n,
           s.spk.n, s.ls.n, c->plugin_figure == 2 ? " (quick: no 48 kHz run)" : "");
  }
  ev_stream_eval se;
  memset(&se, 0, sizeof se);
  size_t *all = rc == 0 ? malloc((s.clips.n + 1) * sizeof *all) : NULL;
  if (rc == 0 && (!all || ev_stream_eval_init(&se, &s.clips, &s.spk, &s.ls, c->train.threads,
                                              c->train.seed) != 0)) {
    fprintf(stderr, "emovox-train: out of memory\n");
    rc = -1;
  }
  if (rc == 0) {
    se.skip48 = c->plugin_figure == 2;
    se.progress = !c->quiet;
    se.given_model = 1;
    se.label_skipped = s.label_skipped;
    for (size_t i = 0; i < s.clips.n; i++)
      all[i] = i;
    rc = ev_stream_eval_model(&se, model, 0, all, s.clips.n, err, sizeof err);
    if (rc != 0)
      fprintf(stderr, "emovox-train: %s\n", err);
  }
  if (rc == 0) {
    char title[400];
    snprintf(title, sizeof title, "score, %s", name);
    rc = ev_stream_eval_report(&se, c->out, title, stdout);
    char seen[256];
    trained_on_scored(model, &s, seen, sizeof seen);
    if (seen[0])
      printf("note: the model was trained on %s (its provenance says so): there these figures "
             "are how it fits clips it learnt from, not how it does on new speakers (for that: "
             "`emovox-train evaluate`, or a corpus it has not heard)\n",
             seen);
    printf("reports in %s/\n", c->out);
  }
  if (se.clips)
    ev_stream_eval_free(&se);
  free(all);
  ev_model_free(model);
  ev_speakers_free(&s.spk);
  ev_clip_list_free(&s.clips);
  ev_plots_shutdown();
  return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  /* Results go to stdout, progress and epoch lines to stderr: with both sent to one file,
   * a fully buffered stdout would land after every epoch line. One line at a time keeps the
   * order in which things happened. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc > 1 && !strcmp(argv[1], "compare")) /* reads reports only: options of its own */
    return ev_stdout_status("emovox-train", ev_compare_main(argc - 1, argv + 1));
  cli c;
  if (parse_cli(argc, argv, &c) != 0)
    return 2;
  if (!strcmp(c.command, "presets")) {
    for (int i = 0; i < ev_arch_n_presets(); i++) {
      ev_arch a;
      char err[256];
      if (ev_arch_parse(ev_arch_preset_json(i), &a, err, sizeof err) == 0) {
        printf("%-14s %s\n", a.name, a.description);
        ev_arch_free(&a);
      }
    }
    printf("%-14s %s\n", EV_SVM_ARCH_NAME,
           "eGeMAPS v02 88 statistics per file -> RBF SVM (libsvm), C and gamma by speaker-grouped "
           "search; evaluation baseline only (`evaluate`), no model");
    return ev_stdout_status("emovox-train", 0);
  }
  if (c.temperature != 1.0 &&
      (!strcmp(c.command, "score") || (!strcmp(c.command, "evaluate") && !c.plugin_figure))) {
    /* it would change nothing, which a user who asked for it would not expect */
    fprintf(stderr, "emovox-train: --temperature is for train, and for evaluate's plugin "
                    "figures (score reads a model at the temperature its file carries)\n");
    return 2;
  }
  if (!strcmp(c.command, "score")) /* a given model: no architecture, no features */
    return ev_stdout_status("emovox-train", cmd_score(&c));
  if (c.only_folds && strcmp(c.command, "evaluate")) {
    fprintf(stderr, "emovox-train: --only-folds chooses evaluate's folds\n");
    return 2;
  }
  if (c.model) { /* silently training instead of scoring the file would waste the run */
    fprintf(stderr, "emovox-train: --model is for `score` (train writes its model to --output "
                    "FILE)\n");
    return 2;
  }
  if (strcmp(c.command, "train") && strcmp(c.command, "evaluate") && strcmp(c.command, "list") &&
      strcmp(c.command, "extract")) {
    fprintf(stderr,
            "emovox-train: unknown command '%s' (train, evaluate, score, list, extract, "
            "presets, compare)\n",
            c.command);
    return 2;
  }
  if (!strcmp(c.arch, EV_SVM_ARCH_NAME))
    return ev_stdout_status("emovox-train", cmd_svm_baseline(&c));
  session s;
  memset(&s, 0, sizeof s);
  s.c = &c;
  char err[512];
  if (ev_arch_load(c.arch, &s.arch, err, sizeof err) != 0) {
    fprintf(stderr, "emovox-train: %s\n", err);
    return 2;
  }
  if (c.robust_norm > 0.0f) /* the model clamps what the robust prior normalises */
    s.arch.input.norm.clamp = c.robust_norm;
  /* `list` only reads: it writes the distribution report only when --out was given. */
  int list = !strcmp(c.command, "list");
  int reports = !list || c.out_given;
  if (reports && mkdir_p(c.out) != 0) {
    fprintf(stderr, "emovox-train: cannot create the report folder %s (use --out DIR)\n", c.out);
    return 1;
  }
  int rc = load_clips(&s);
  if (rc == 0 && reports)
    report_distribution(&s);
  if (rc == 0 && !strcmp(c.command, "list"))
    rc = cmd_list(&s);
  else if (rc == 0) {
    rc = extract(&s);
    if (rc == 0 && strcmp(c.command, "extract") != 0)
      rc = !strcmp(c.command, "train") ? cmd_train(&s) : cmd_evaluate(&s);
  }
  ev_dataset_free(&s.ds);
  ev_speakers_free(&s.spk);
  ev_clip_list_free(&s.clips);
  ev_arch_free(&s.arch);
  ev_plots_shutdown();
  return ev_stdout_status("emovox-train", rc == 0 ? 0 : 1);
}
