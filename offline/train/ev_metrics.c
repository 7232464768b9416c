/* Metrics: the standard definitions; UAR is the mean per-class recall (the SER literature's
 * "unweighted accuracy"), over classes that occur in the truth. */
#include "ev_metrics.h"

#include <math.h>

#include <string.h>

void ev_confusion_init(ev_confusion *c, int n) {
  memset(c, 0, sizeof *c);
  c->n = n < EV_METRICS_MAX_CLASSES ? n : EV_METRICS_MAX_CLASSES;
}

void ev_confusion_add(ev_confusion *c, int truth, int pred) {
  if (truth >= 0 && truth < c->n && pred >= 0 && pred < c->n)
    c->m[truth][pred]++;
}

void ev_confusion_merge(ev_confusion *dst, const ev_confusion *src) {
  for (int i = 0; i < dst->n && i < src->n; i++)
    for (int j = 0; j < dst->n && j < src->n; j++)
      dst->m[i][j] += src->m[i][j];
}

void ev_metrics_compute(const ev_confusion *c, ev_metrics *m) {
  memset(m, 0, sizeof *m);
  m->n = c->n;
  long correct = 0;
  int present = 0;
  for (int i = 0; i < c->n; i++) {
    long row = 0, col = 0;
    for (int j = 0; j < c->n; j++) {
      row += c->m[i][j];
      col += c->m[j][i];
    }
    m->support[i] = row;
    m->total += row;
    correct += c->m[i][i];
    m->recall[i] = row ? (double)c->m[i][i] / (double)row : 0.0;
    m->precision[i] = col ? (double)c->m[i][i] / (double)col : 0.0;
    double pr = m->precision[i] + m->recall[i];
    m->f1[i] = pr > 0 ? 2.0 * m->precision[i] * m->recall[i] / pr : 0.0;
    if (row) {
      present++;
      m->uar += m->recall[i];
      m->macro_f1 += m->f1[i];
    }
  }
  m->accuracy = m->total ? (double)correct / (double)m->total : 0.0;
  if (present) {
    m->uar /= present;
    m->macro_f1 /= present;
  }
}

void ev_metrics_print(FILE *f, const ev_confusion *c, const ev_metrics *m,
                      const char *const *names) {
  fprintf(f, "accuracy %.2f%%  UAR %.2f%%  macro-F1 %.2f%%  (%ld clips)\n", 100 * m->accuracy,
          100 * m->uar, 100 * m->macro_f1, m->total);
  fprintf(f, "%-10s %9s %9s %9s %8s\n", "class", "precision", "recall", "F1", "support");
  for (int i = 0; i < m->n; i++)
    fprintf(f, "%-10s %9.3f %9.3f %9.3f %8ld\n", names[i], m->precision[i], m->recall[i], m->f1[i],
            m->support[i]);
  fprintf(f, "confusion (rows: true, columns: predicted)\n%-10s", "");
  for (int j = 0; j < c->n; j++)
    fprintf(f, " %6.6s", names[j]);
  fprintf(f, "\n");
  for (int i = 0; i < c->n; i++) {
    fprintf(f, "%-10s", names[i]);
    for (int j = 0; j < c->n; j++)
      fprintf(f, " %6ld", c->m[i][j]);
    fprintf(f, "\n");
  }
}

int ev_metrics_write_csv(const char *prefix, const ev_confusion *c, const ev_metrics *m,
                         const char *const *names) {
  char path[4096];
  snprintf(path, sizeof path, "%s_metrics.csv", prefix);
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "class,precision,recall,f1,support\n");
  for (int i = 0; i < m->n; i++)
    fprintf(f, "%s,%.6f,%.6f,%.6f,%ld\n", names[i], m->precision[i], m->recall[i], m->f1[i],
            m->support[i]);
  fprintf(f, "accuracy,,,%.6f,%ld\nuar,,,%.6f,%ld\nmacro_f1,,,%.6f,%ld\n", m->accuracy, m->total,
          m->uar, m->total, m->macro_f1, m->total);
  int bad = ferror(f);
  bad |= fclose(f);
  snprintf(path, sizeof path, "%s_confusion.csv", prefix);
  f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "true\\pred");
  for (int j = 0; j < c->n; j++)
    fprintf(f, ",%s", names[j]);
  fprintf(f, "\n");
  for (int i = 0; i < c->n; i++) {
    fprintf(f, "%s", names[i]);
    for (int j = 0; j < c->n; j++)
      fprintf(f, ",%ld", c->m[i][j]);
    fprintf(f, "\n");
  }
  bad |= ferror(f);
  bad |= fclose(f);
  return bad ? -1 : 0;
}

double ev_ece(const float *confidence, const int *correct, size_t n, int bins) {
  if (n == 0 || bins < 1 || bins > 1000)
    return 0.0;
  double conf_sum[1000] = {0}, acc_sum[1000] = {0};
  size_t count[1000] = {0};
  for (size_t i = 0; i < n; i++) {
    double c = confidence[i];
    int b = (int)(c * bins);
    b = b < 0 ? 0 : b >= bins ? bins - 1 : b;
    conf_sum[b] += c;
    acc_sum[b] += correct[i] ? 1.0 : 0.0;
    count[b]++;
  }
  double ece = 0.0;
  for (int b = 0; b < bins; b++)
    if (count[b])
      ece += fabs(acc_sum[b] - conf_sum[b]) / (double)n;
  return ece;
}

double ev_ccc(const double *x, const double *y, size_t n, double *pearson) {
  if (pearson)
    *pearson = NAN;
  if (n < 2)
    return NAN;
  double mx = 0.0, my = 0.0;
  for (size_t i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= (double)n;
  my /= (double)n;
  double vx = 0.0, vy = 0.0, cxy = 0.0;
  for (size_t i = 0; i < n; i++) {
    vx += (x[i] - mx) * (x[i] - mx);
    vy += (y[i] - my) * (y[i] - my);
    cxy += (x[i] - mx) * (y[i] - my);
  }
  vx /= (double)n;
  vy /= (double)n;
  cxy /= (double)n;
  if (!(vx > 0.0) || !(vy > 0.0))
    return NAN;
  if (pearson)
    *pearson = cxy / sqrt(vx * vy);
  return 2.0 * cxy / (vx + vy + (mx - my) * (mx - my));
}
