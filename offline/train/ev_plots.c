/* Cairo figures for the training reports. Plain and legible: axes, ticks, legends. */
#include "ev_plots.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double palette[8][3] = {{0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.17, 0.63, 0.17},
                                     {0.84, 0.15, 0.16}, {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29},
                                     {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50}};

static cairo_t *begin(cairo_surface_t **s, int w, int h) {
  *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create(*s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 12);
  return cr;
}

static int finish(cairo_t *cr, cairo_surface_t *s, const char *path) {
  cairo_destroy(cr);
  cairo_status_t st = cairo_surface_write_to_png(s, path);
  cairo_surface_destroy(s);
  return st == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

static void text(cairo_t *cr, double x, double y, const char *t, double align) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, t, &e);
  cairo_move_to(cr, x - align * e.width, y);
  cairo_show_text(cr, t);
}

/* One line chart panel: series[k] over epochs, y in [ylo, yhi]. */
static void panel(cairo_t *cr, double x0, double y0, double w, double h, const char *ylabel,
                  double ylo, double yhi, int n, const double *const *series,
                  const char *const *names, int n_series, const ev_epoch_stats *hist) {
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, x0, y0, w, h);
  cairo_stroke(cr);
  char buf[32];
  for (int i = 0; i <= 4; i++) {
    double v = ylo + (yhi - ylo) * i / 4.0, y = y0 + h - h * i / 4.0;
    snprintf(buf, sizeof buf, "%.2f", v);
    text(cr, x0 - 6, y + 4, buf, 1.0);
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x0 + w, y);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
  }
  int last = n > 0 ? hist[n - 1].epoch : 1;
  for (int i = 0; i < n; i += (n > 10 ? n / 10 : 1)) {
    double x = x0 + (n > 1 ? w * i / (n - 1.0) : w / 2);
    snprintf(buf, sizeof buf, "%d", hist[i].epoch);
    text(cr, x, y0 + h + 16, buf, 0.5);
  }
  (void)last;
  text(cr, x0 + w / 2, y0 + h + 32, "epoch", 0.5);
  text(cr, x0, y0 - 8, ylabel, 0.0);
  for (int k = 0; k < n_series; k++) {
    cairo_set_source_rgb(cr, palette[k][0], palette[k][1], palette[k][2]);
    cairo_set_line_width(cr, 2);
    int started = 0;
    for (int i = 0; i < n; i++) {
      double v = series[k][i];
      if (!isfinite(v))
        continue;
      double x = x0 + (n > 1 ? w * i / (n - 1.0) : w / 2);
      double y = y0 + h - h * (v - ylo) / (yhi - ylo > 0 ? yhi - ylo : 1);
      if (y < y0)
        y = y0;
      if (y > y0 + h)
        y = y0 + h;
      if (started)
        cairo_line_to(cr, x, y);
      else
        cairo_move_to(cr, x, y);
      started = 1;
    }
    cairo_stroke(cr);
    cairo_rectangle(cr, x0 + w - 150, y0 + 10 + 16 * k, 12, 8);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, x0 + w - 132, y0 + 18 + 16 * k, names[k], 0.0);
  }
}

int ev_plot_learning_curves(const char *path, const ev_epoch_stats *h, int n, const char *title) {
  if (n < 1)
    return -1;
  cairo_surface_t *s;
  cairo_t *cr = begin(&s, 900, 420);
  cairo_set_font_size(cr, 15);
  text(cr, 450, 24, title, 0.5);
  cairo_set_font_size(cr, 12);
  double tl[512], vl[512], ta[512], va[512], vu[512];
  if (n > 512)
    n = 512;
  double lmax = 0;
  for (int i = 0; i < n; i++) {
    tl[i] = h[i].train_loss;
    vl[i] = h[i].val_loss;
    ta[i] = h[i].train_acc;
    va[i] = h[i].val_acc;
    vu[i] = h[i].val_uar;
    if (isfinite(tl[i]) && tl[i] > lmax)
      lmax = tl[i];
    if (isfinite(vl[i]) && vl[i] > lmax)
      lmax = vl[i];
  }
  const double *ls[2] = {tl, vl};
  const char *ln[2] = {"train loss", "validation loss"};
  panel(cr, 70, 60, 340, 300, "cross-entropy", 0, lmax > 0 ? lmax * 1.05 : 1, n, ls, ln, 2, h);
  const double *as[3] = {ta, va, vu};
  const char *an[3] = {"train accuracy (crops)", "validation accuracy", "validation UAR"};
  panel(cr, 520, 60, 340, 300, "accuracy", 0, 1, n, as, an, 3, h);
  return finish(cr, s, path);
}

int ev_plot_confusion(const char *path, const ev_confusion *c, const char *const *names,
                      const char *title) {
  int n = c->n;
  double cell = n <= 8 ? 60 : 40, x0 = 110, y0 = 70;
  int W = (int)(x0 + cell * n + 40), H = (int)(y0 + cell * n + 60);
  cairo_surface_t *s;
  cairo_t *cr = begin(&s, W, H);
  cairo_set_font_size(cr, 14);
  text(cr, W / 2.0, 22, title, 0.5);
  cairo_set_font_size(cr, 11);
  text(cr, x0 + cell * n / 2, 44, "predicted", 0.5);
  for (int i = 0; i < n; i++) {
    long row = 0;
    for (int j = 0; j < n; j++)
      row += c->m[i][j];
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, x0 - 6, y0 + cell * i + cell / 2 + 4, names[i], 1.0);
    text(cr, x0 + cell * i + cell / 2, y0 - 6, names[i], 0.5);
    for (int j = 0; j < n; j++) {
      double f = row ? (double)c->m[i][j] / (double)row : 0;
      cairo_set_source_rgb(cr, 1 - 0.85 * f, 1 - 0.6 * f, 1 - 0.2 * f);
      cairo_rectangle(cr, x0 + cell * j, y0 + cell * i, cell - 1, cell - 1);
      cairo_fill(cr);
      char buf[32];
      snprintf(buf, sizeof buf, "%ld", c->m[i][j]);
      cairo_set_source_rgb(cr, f > 0.5 ? 1 : 0, f > 0.5 ? 1 : 0, f > 0.5 ? 1 : 0);
      text(cr, x0 + cell * j + cell / 2, y0 + cell * i + cell / 2 + 4, buf, 0.5);
    }
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  text(cr, 10, y0 + cell * n + 30, "rows: true label; shade: fraction of the row", 0.0);
  return finish(cr, s, path);
}

/* Grouped bars: values[series * n_groups + group] on a y axis from 0 to ymax with ticks every
 * ymax / 4 (tick_fmt formats a tick), one colour per series and its legend on the right;
 * labels: each bar's value above it (value_fmt), for a reader who wants the number. A
 * non-finite value leaves its bar out. */
typedef struct bars {
  const char *title, *tick_fmt, *value_fmt; /* value_fmt NULL: no labels */
  const double *values;
  int n_series, n_groups;
  const char *const *series_names, *const *group_names;
  double ymax;
} bars;

static int draw_bars(const char *path, const bars *b) {
  const double bar = b->value_fmt ? 22 : 12, pitch = bar + 2;
  const double x0 = 60, y0 = 50, h = 300, group = 40.0 + pitch * b->n_series;
  double legend = 0;
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t *m = cairo_create(s);
  cairo_set_font_size(m, 11);
  for (int k = 0; k < b->n_series; k++) { /* the legend's width: the longest name */
    cairo_text_extents_t e;
    cairo_text_extents(m, b->series_names[k], &e);
    legend = e.x_advance > legend ? e.x_advance : legend;
  }
  cairo_destroy(m);
  cairo_surface_destroy(s);
  int W = (int)(x0 + group * b->n_groups + 60 + legend), H = 420;
  cairo_t *cr = begin(&s, W, H);
  cairo_set_font_size(cr, 14);
  text(cr, W / 2.0, 24, b->title, 0.5);
  cairo_set_font_size(cr, 11);
  cairo_set_line_width(cr, 1);
  for (int i = 0; i <= 4; i++) {
    double y = y0 + h - h * i / 4.0;
    char buf[32];
    snprintf(buf, sizeof buf, b->tick_fmt, b->ymax * i / 4.0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, x0 - 6, y + 4, buf, 1.0);
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x0 + group * b->n_groups, y);
    cairo_stroke(cr);
  }
  for (int g = 0; g < b->n_groups; g++) {
    for (int k = 0; k < b->n_series; k++) {
      const double v = b->values[k * b->n_groups + g];
      if (!isfinite(v))
        continue;
      double bh = h * (v > 0 ? (v < b->ymax ? v : b->ymax) : 0) / b->ymax;
      const double x = x0 + group * g + 20 + pitch * k;
      cairo_set_source_rgb(cr, palette[k % 8][0], palette[k % 8][1], palette[k % 8][2]);
      cairo_rectangle(cr, x, y0 + h - bh, bar, bh);
      cairo_fill(cr);
      if (b->value_fmt) {
        char buf[32];
        snprintf(buf, sizeof buf, b->value_fmt, v);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_font_size(cr, 9);
        text(cr, x + bar / 2, y0 + h - bh - 3, buf, 0.5);
        cairo_set_font_size(cr, 11);
      }
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, x0 + group * g + group / 2, y0 + h + 16, b->group_names[g], 0.5);
  }
  for (int k = 0; k < b->n_series; k++) {
    double y = y0 + 10 + 18 * k, x = x0 + group * b->n_groups + 20;
    cairo_set_source_rgb(cr, palette[k % 8][0], palette[k % 8][1], palette[k % 8][2]);
    cairo_rectangle(cr, x, y - 9, 12, 10);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, x + 18, y, b->series_names[k], 0.0);
  }
  return finish(cr, s, path);
}

int ev_plot_label_distribution(const char *path, const long *counts, int n_corpora,
                               const char *const *corpus_names, int n_labels,
                               const char *const *label_names) {
  if (n_corpora < 1 || n_labels < 1)
    return -1;
  long mx = 1;
  for (int i = 0; i < n_corpora * n_labels; i++)
    mx = counts[i] > mx ? counts[i] : mx;
  double *v = malloc((size_t)n_corpora * (size_t)n_labels * sizeof *v);
  if (!v)
    return -1;
  for (int i = 0; i < n_corpora * n_labels; i++)
    v[i] = (double)counts[i];
  const bars b = {"clips per label and corpus",
                  "%.0f",
                  NULL,
                  v,
                  n_corpora,
                  n_labels,
                  corpus_names,
                  label_names,
                  (double)mx};
  int rc = draw_bars(path, &b);
  free(v);
  return rc;
}

int ev_plot_uar_bars(const char *path, const char *title, const double *uar, int n_series,
                     const char *const *series_names, int n_groups,
                     const char *const *group_names) {
  if (n_series < 1 || n_groups < 1)
    return -1;
  const bars b = {title,    "%.0f %%",    "%.0f",      uar,  n_series,
                  n_groups, series_names, group_names, 100.0};
  return draw_bars(path, &b);
}

void ev_plots_shutdown(void) {
  cairo_debug_reset_static_data();
  FcFini();
}
