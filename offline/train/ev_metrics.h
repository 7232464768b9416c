/* Classification metrics from a confusion matrix: accuracy, UAR (unweighted average recall),
 * per-class precision/recall/F1, macro F1; printed as a table and written as CSV. */
#ifndef EV_METRICS_H
#define EV_METRICS_H

#include <stdio.h>

#define EV_METRICS_MAX_CLASSES 16

typedef struct ev_confusion {
  int n;                                                  /* classes */
  long m[EV_METRICS_MAX_CLASSES][EV_METRICS_MAX_CLASSES]; /* m[true][pred] */
} ev_confusion;

typedef struct ev_metrics {
  int n;
  long total;
  double accuracy;
  double uar;      /* mean recall over classes with support > 0 */
  double macro_f1; /* mean F1 over classes with support > 0 */
  double precision[EV_METRICS_MAX_CLASSES], recall[EV_METRICS_MAX_CLASSES],
      f1[EV_METRICS_MAX_CLASSES];
  long support[EV_METRICS_MAX_CLASSES]; /* true count per class */
} ev_metrics;

void ev_confusion_init(ev_confusion *c, int n);
void ev_confusion_add(ev_confusion *c, int truth, int pred);
void ev_confusion_merge(ev_confusion *dst, const ev_confusion *src);
/* Precision of a class that was never predicted is 0 (and so is its F1). */
void ev_metrics_compute(const ev_confusion *c, ev_metrics *m);

void ev_metrics_print(FILE *f, const ev_confusion *c, const ev_metrics *m,
                      const char *const *names);
/* Writes `<prefix>_metrics.csv` (class,precision,recall,f1,support + overall rows) and
 * `<prefix>_confusion.csv` (true\\pred matrix). 0 or -1. */
int ev_metrics_write_csv(const char *prefix, const ev_confusion *c, const ev_metrics *m,
                         const char *const *names);

/* Expected calibration error: clips binned by confidence (the probability of the predicted
 * class) into `bins` equal bins over [0, 1]; the mean over clips of |accuracy(bin) -
 * mean confidence(bin)|, weighted by the bin's share of clips. 0 when n is 0. */
double ev_ece(const float *confidence, const int *correct, size_t n, int bins);

/* Lin's concordance correlation coefficient of x and y (population moments): 2 cov(x, y) /
 * (var x + var y + (mean x - mean y)^2), the agreement measure of dimensional emotion
 * recognition: 1 only when y = x, lowered by a shift or a scale as well as by scatter. *pearson
 * (may be NULL): Pearson's r. NAN (both) when n < 2 or a variance is 0. */
double ev_ccc(const double *x, const double *y, size_t n, double *pearson);

#endif
