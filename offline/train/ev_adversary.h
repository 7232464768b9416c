/* The corpus adversary (`--adversary LAMBDA`): domain-adversarial training conditioned on the
 * label. A linear softmax head per emotion reads the network's last hidden layer (the input of
 * its last dense layer, at the crop's last frame) and learns which corpus a clip of that
 * emotion comes from; the layers below learn, with weight lambda, to make that head read every
 * corpus as equally likely (the domain confusion loss of Tzeng et al. 2015), so that an angry
 * clip of one corpus looks like an angry clip of another. Why confusion and not Ganin &
 * Lempitsky's reversed gradient: reversal rewards the layers below for making the head wrong,
 * so they overshoot into swapping the corpora (measured on our corpora: the head's loss went
 * past chance, 2.47 against ln 5 = 1.61, then swung back); confusion has its optimum at chance.
 * Why conditioned on the label: the corpora have different label sets (only RAVDESS has calm),
 * so an unconditioned head could tell the corpus from the emotion, and confusing it would remove
 * the emotion. An emotion that only one corpus has trains no head. The head exists during
 * training only; the model file never holds it. */
#ifndef EV_ADVERSARY_H
#define EV_ADVERSARY_H

#include "ev_net.h"

#define EV_ADV_MAX_GROUPS  16
#define EV_ADV_MAX_CHUNKS  8
#define EV_ADV_MAX_CLASSES 32

typedef struct ev_adversary {
  int C, G, H;  /* labels, corpora, the hidden layer's width */
  int top;      /* the index of act[] the head reads (the last dense layer's input) */
  int chunks;   /* gradient slices, summed in order */
  size_t n;     /* head parameters: C * G * (H + 1), weights then the bias per (label, corpus) */
  float *w;     /* [C][G][H + 1] */
  float *g;     /* [chunks][n] */
  float *m, *v; /* Adam's moments */
  long step;    /* Adam's steps */
  unsigned has[EV_ADV_MAX_CLASSES]; /* per label: bit g set when corpus g has clips of it */
} ev_adversary;

/* A head for net's last hidden layer; has[c]: the corpora (bits, < EV_ADV_MAX_GROUPS) with clips
 * of label c. The head starts at zero (every corpus equally likely). 0, or -1 with err. */
int ev_adversary_init(ev_adversary *a, const ev_net *net, const unsigned *has, int chunks,
                      char *err, size_t errlen);
void ev_adversary_free(ev_adversary *a);

/* One crop of clip (label, group) weighing weight: forward through net; the head's cross-entropy
 * of the corpus (over the corpora that have the label) with its gradient into chunk's slice of
 * a->g; lambda times the confusion loss's gradient (the head's cross-entropy against the uniform
 * distribution over those corpora) back through the layers below the hidden layer into
 * w->grad. Returns the head's loss (0 and nothing done when fewer than two corpora have the
 * label or group is not one of them). */
float ev_adversary_crop(const ev_adversary *a, int chunk, const ev_net *net, ev_work *w,
                        const float *x, int T, int label, int group, float weight, float lambda);

/* The head's step after a batch of nb crops: the chunks' gradients summed in order, divided by
 * nb, then Adam at lr; the slices are cleared for the next batch. */
void ev_adversary_update(ev_adversary *a, int nb, double lr);

/* DANN's schedule (Ganin & Lempitsky): lambda * (2 / (1 + exp(-10 p)) - 1) at progress p in
 * [0, 1], so that the head has learnt something before the layers below follow it. */
double ev_adversary_ramp(double lambda, double p);

#endif
