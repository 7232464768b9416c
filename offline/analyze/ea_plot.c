#include "ea_plot.h"

#include "ea_host.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define N_BUCKETS 4000
#define PLOT_W    1600
#define PLOT_H    1000

/* One colour per emotion, distinct and roughly matching common associations. */
static const double label_rgb[EV_N_EMOTIONS][3] = {
    {0.62, 0.62, 0.62}, {0.47, 0.75, 0.90}, {0.99, 0.80, 0.18}, {0.20, 0.36, 0.75},
    {0.85, 0.15, 0.15}, {0.55, 0.30, 0.70}, {0.35, 0.65, 0.25}, {0.98, 0.55, 0.15}};

static void on_frame(void *user, const ev_frame *frame) {
  ea_plot_data *p = user;
  const size_t nm = (size_t)p->n_mels;
  if (!p->mel_sum)
    return;
  if (p->n_mel_cols == EA_PLOT_MEL_COLS && (size_t)p->mel_count[p->n_mel_cols - 1] == p->mel_span) {
    for (size_t c = 0; c < EA_PLOT_MEL_COLS / 2; c++) { /* full: neighbours merge in pairs */
      for (size_t m = 0; m < nm; m++)
        p->mel_sum[c * nm + m] = p->mel_sum[2 * c * nm + m] + p->mel_sum[(2 * c + 1) * nm + m];
      p->mel_count[c] = p->mel_count[2 * c] + p->mel_count[2 * c + 1];
    }
    p->n_mel_cols = EA_PLOT_MEL_COLS / 2;
    p->mel_span *= 2;
  }
  if (p->n_mel_cols == 0 || (size_t)p->mel_count[p->n_mel_cols - 1] == p->mel_span) {
    memset(p->mel_sum + p->n_mel_cols * nm, 0, nm * sizeof *p->mel_sum);
    p->mel_count[p->n_mel_cols++] = 0;
  }
  double *col = p->mel_sum + (p->n_mel_cols - 1) * nm;
  const float *v = frame->feat[EV_FEAT_LOGMEL];
  for (size_t m = 0; m < nm; m++) {
    col[m] += v[m];
    p->mel_top = v[m] > p->mel_top ? v[m] : p->mel_top;
  }
  p->mel_count[p->n_mel_cols - 1]++;
  p->n_mel_frames++;
}

void ea_plot_row(ea_plot_data *p, double time, const double *row) {
  const size_t ns = EA_PLOT_N_SUMS;
  if (p->n_pts == EA_PLOT_POINTS && (size_t)p->pt_rows[p->n_pts - 1] == p->pt_span) {
    for (size_t c = 0; c < EA_PLOT_POINTS / 2; c++) { /* full: neighbours merge in pairs */
      for (size_t k = 0; k < ns; k++)
        p->pt_sum[c * ns + k] = p->pt_sum[2 * c * ns + k] + p->pt_sum[(2 * c + 1) * ns + k];
      p->pt_time[c] = p->pt_time[2 * c] + p->pt_time[2 * c + 1];
      p->pt_end[c] = p->pt_end[2 * c + 1];
      p->pt_rows[c] = p->pt_rows[2 * c] + p->pt_rows[2 * c + 1];
      p->pt_silent[c] = p->pt_silent[2 * c] + p->pt_silent[2 * c + 1];
    }
    p->n_pts = EA_PLOT_POINTS / 2;
    p->pt_span *= 2;
  }
  if (p->n_pts == 0 || (size_t)p->pt_rows[p->n_pts - 1] == p->pt_span) {
    memset(p->pt_sum + p->n_pts * ns, 0, ns * sizeof *p->pt_sum);
    p->pt_time[p->n_pts] = 0;
    p->pt_rows[p->n_pts] = p->pt_silent[p->n_pts] = 0;
    p->n_pts++;
  }
  const size_t i = p->n_pts - 1;
  double *sum = p->pt_sum + i * ns;
  sum[EA_PLOT_SUM_VOICE] += row[p->cols.voice];
  for (int e = 0; e < EV_N_EMOTIONS; e++)
    sum[EA_PLOT_SUM_PROB + e] += row[p->cols.prob[e]];
  p->pt_time[i] += time;
  p->pt_end[i] = time;
  p->pt_rows[i]++;
  p->pt_silent[i] += row[p->cols.dominant] == 0.0;
}

int ea_plot_begin(ea_plot_data *p, double rate, int64_t frames, uint32_t max_block,
                  const ea_plot_columns *cols, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  p->cols = *cols;
  p->rate = rate;
  p->frames = frames;
  p->max_block = max_block;
  p->per_bucket = frames / N_BUCKETS + 1;
  p->n_buckets = (size_t)((frames + p->per_bucket - 1) / p->per_bucket);
  p->env_min = calloc(p->n_buckets, sizeof(float));
  p->env_max = calloc(p->n_buckets, sizeof(float));
  p->mono = malloc(max_block * sizeof(float));
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  p->n_mels = ev_feature_dims(&cfg, EV_FEAT_LOGMEL);
  p->mel_sum = malloc((size_t)EA_PLOT_MEL_COLS * (size_t)p->n_mels * sizeof *p->mel_sum);
  p->mel_count = malloc(EA_PLOT_MEL_COLS * sizeof *p->mel_count);
  p->mel_span = 1;
  p->mel_top = -INFINITY;
  p->pt_time = malloc(EA_PLOT_POINTS * sizeof *p->pt_time);
  p->pt_end = malloc(EA_PLOT_POINTS * sizeof *p->pt_end);
  p->pt_sum = malloc((size_t)EA_PLOT_POINTS * EA_PLOT_N_SUMS * sizeof *p->pt_sum);
  p->pt_rows = malloc(EA_PLOT_POINTS * sizeof *p->pt_rows);
  p->pt_silent = malloc(EA_PLOT_POINTS * sizeof *p->pt_silent);
  p->pt_span = 1;
  if (!p->env_min || !p->env_max || !p->mono || !p->mel_sum || !p->mel_count || !p->pt_time ||
      !p->pt_end || !p->pt_sum || !p->pt_rows || !p->pt_silent) {
    snprintf(err, errlen, "out of memory");
    ea_plot_free(p);
    return -1;
  }
  char why[256] = "";
  ea_global_lock(); /* FFTW planning is not thread-safe */
  p->ex = ev_extractor_new(&cfg, rate, max_block, why, sizeof why);
  ea_global_unlock();
  if (!p->ex) {
    snprintf(err, errlen, "plot: the feature extractor refused %g Hz: %s", rate, why);
    ea_plot_free(p);
    return -1;
  }
  return 0;
}

void ea_plot_feed(ea_plot_data *p, const float *a, const float *b, uint32_t n) {
  while (n > 0) {
    uint32_t m = n < p->max_block ? n : p->max_block;
    for (uint32_t i = 0; i < m; i++) {
      float v = b ? 0.5f * (a[i] + b[i]) : a[i];
      p->mono[i] = v;
      size_t k = (size_t)((p->fed + i) / p->per_bucket);
      if (k < p->n_buckets && isfinite(v)) {
        if (v < p->env_min[k])
          p->env_min[k] = v;
        if (v > p->env_max[k])
          p->env_max[k] = v;
      }
    }
    ev_extractor_process(p->ex, p->mono, m, on_frame, p);
    p->fed += m;
    a += m;
    if (b)
      b += m;
    n -= m;
  }
}

void ea_plot_free(ea_plot_data *p) {
  if (p->ex) {
    ea_global_lock();
    ev_extractor_free(p->ex);
    ea_global_unlock();
  }
  free(p->env_min);
  free(p->env_max);
  free(p->mel_sum);
  free(p->mel_count);
  free(p->mono);
  free(p->pt_time);
  free(p->pt_end);
  free(p->pt_sum);
  free(p->pt_rows);
  free(p->pt_silent);
  memset(p, 0, sizeof *p);
}

/* ---- drawing ----------------------------------------------------------------------------- */

typedef struct rect {
  double x, y, w, h;
} rect;

/* A perceptually ordered dark-to-bright map (after matplotlib's "magma"). */
static void colormap(double t, unsigned char *r, unsigned char *g, unsigned char *b) {
  static const double stops[6][3] = {{0.00, 0.00, 0.02}, {0.23, 0.06, 0.44}, {0.55, 0.16, 0.51},
                                     {0.87, 0.29, 0.41}, {0.99, 0.62, 0.42}, {0.99, 0.99, 0.75}};
  if (!(t > 0.0))
    t = 0.0;
  if (t > 1.0)
    t = 1.0;
  double x = t * 5.0;
  int i = (int)x;
  if (i > 4)
    i = 4;
  double f = x - i;
  *r = (unsigned char)(255.0 * (stops[i][0] + f * (stops[i + 1][0] - stops[i][0])));
  *g = (unsigned char)(255.0 * (stops[i][1] + f * (stops[i + 1][1] - stops[i][1])));
  *b = (unsigned char)(255.0 * (stops[i][2] + f * (stops[i + 1][2] - stops[i][2])));
}

static void panel_frame(cairo_t *cr, rect r, const char *name) {
  cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, r.x + 0.5, r.y + 0.5, r.w - 1, r.h - 1);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_set_font_size(cr, 14);
  cairo_text_extents_t te;
  cairo_text_extents(cr, name, &te);
  cairo_save(cr);
  cairo_move_to(cr, r.x - 48, r.y + r.h / 2 + te.width / 2);
  cairo_rotate(cr, -M_PI / 2);
  cairo_show_text(cr, name);
  cairo_restore(cr);
}

static void y_label(cairo_t *cr, double x, double y, const char *text) {
  cairo_text_extents_t te;
  cairo_set_font_size(cr, 11);
  cairo_text_extents(cr, text, &te);
  cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
  cairo_move_to(cr, x - te.width - 6, y + te.height / 2);
  cairo_show_text(cr, text);
}

static void draw_waveform(cairo_t *cr, rect r, const ea_plot_data *p) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_fill(cr);
  double peak = 1e-4;
  for (size_t k = 0; k < p->n_buckets; k++)
    peak = fmax(peak, fmax(fabs(p->env_min[k]), fabs(p->env_max[k])));
  /* Scaled to the peak so that quiet recordings stay visible; the scale is printed. */
  double mid = r.y + r.h / 2, half = r.h / 2 - 3;
  cairo_set_source_rgb(cr, 0.16, 0.42, 0.66);
  int cols = (int)r.w;
  for (int c = 0; c < cols; c++) {
    size_t k0 = (size_t)((double)c / cols * p->n_buckets);
    size_t k1 = (size_t)((double)(c + 1) / cols * p->n_buckets);
    if (k1 <= k0)
      k1 = k0 + 1;
    float lo = 0, hi = 0;
    for (size_t k = k0; k < k1 && k < p->n_buckets; k++) {
      lo = fminf(lo, p->env_min[k]);
      hi = fmaxf(hi, p->env_max[k]);
    }
    double y0 = mid - hi / peak * half, y1 = mid - lo / peak * half;
    cairo_rectangle(cr, r.x + c, y0, 1.0, fmax(y1 - y0, 1.0));
  }
  cairo_fill(cr);
  char text[32];
  snprintf(text, sizeof text, "%+.2f", peak);
  y_label(cr, r.x, r.y + 6, text);
  y_label(cr, r.x, mid, "0");
  snprintf(text, sizeof text, "%+.2f", -peak);
  y_label(cr, r.x, r.y + r.h - 6, text);
  panel_frame(cr, r, "waveform");
}

static double mel_to_hz(double mel) { /* Slaney scale, as librosa's default */
  const double f_sp = 200.0 / 3, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = log(6.4) / 27.0;
  return mel < min_log_mel ? f_sp * mel : min_log_hz * exp(logstep * (mel - min_log_mel));
}
static double hz_to_mel(double hz) {
  const double f_sp = 200.0 / 3, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = log(6.4) / 27.0;
  return hz < min_log_hz ? hz / f_sp : min_log_mel + log(hz / min_log_hz) / logstep;
}

/* The colour scale is absolute dB (power_to_db with ref 1, as the features): the brightest
 * colour is the file's loudest mel cell, but never below SPEC_TOP_MIN_DB, so that silence or
 * a near-silent file stays dark instead of being stretched over the whole scale. With -20 dB
 * (RAVDESS speech peaks at about -11 dB) digital silence, the features' -100 dB floor, is the
 * darkest colour. */
#define SPEC_RANGE_DB   80.0 /* as librosa's specshow examples */
#define SPEC_TOP_MIN_DB -20.0

/* The dB colour bar right of the spectrogram, labelled every 20 dB. */
static void draw_colour_bar(cairo_t *cr, rect r, double top_db) {
  rect bar = {r.x + r.w + 12, r.y, 14, r.h};
  for (int y = 0; y < (int)bar.h; y++) {
    unsigned char c8[3];
    colormap(1.0 - (y + 0.5) / bar.h, &c8[0], &c8[1], &c8[2]);
    cairo_set_source_rgb(cr, c8[0] / 255.0, c8[1] / 255.0, c8[2] / 255.0);
    cairo_rectangle(cr, bar.x, bar.y + y, bar.w, 1);
    cairo_fill(cr);
  }
  cairo_set_font_size(cr, 11);
  cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
  for (double d = 0; d <= SPEC_RANGE_DB + 1e-9; d += 20) {
    double db = 20.0 * ceil((top_db - SPEC_RANGE_DB) / 20.0) + d; /* round steps of 20 dB */
    if (db > top_db + 1e-9)
      break;
    double y = bar.y + (top_db - db) / SPEC_RANGE_DB * bar.h;
    char text[16];
    snprintf(text, sizeof text, "%.0f", db);
    cairo_move_to(cr, bar.x + bar.w + 4, y + 4);
    cairo_show_text(cr, text);
  }
  cairo_move_to(cr, bar.x, bar.y + bar.h + 14);
  cairo_show_text(cr, "dB");
}

static void draw_spectrogram(cairo_t *cr, rect r, const ea_plot_data *p, double duration) {
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_fill(cr);
  const int nk = (int)p->n_mel_cols, nm = p->n_mels;
  const double top = fmax(SPEC_TOP_MIN_DB, p->mel_top);
  double floor_db = top - SPEC_RANGE_DB;
  if (nk > 0 && nm > 0) {
    /* One image column per 10 ms frame would be wider than cairo's largest image surface
     * (32767 px) past 5.5 minutes: the seconds per column follow from the duration instead,
     * at most two columns per pixel of the panel, each the mean dB of the frames it covers
     * (of the stored columns it covers, past EA_PLOT_MEL_COLS frames). */
    int ncol = nk < (int)(2 * r.w) ? nk : (int)(2 * r.w);
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, ncol, nm);
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
      unsigned char *px = cairo_image_surface_get_data(img);
      int stride = cairo_image_surface_get_stride(img);
      cairo_surface_flush(img);
      for (int c = 0; c < ncol; c++) {
        size_t k0 = (size_t)c * (size_t)nk / (size_t)ncol;
        size_t k1 = (size_t)(c + 1) * (size_t)nk / (size_t)ncol;
        long frames = 0;
        for (size_t k = k0; k < k1; k++)
          frames += p->mel_count[k];
        for (int m = 0; m < nm; m++) {
          double sum = 0;
          for (size_t k = k0; k < k1; k++)
            sum += p->mel_sum[k * (size_t)nm + (size_t)m];
          double v = (sum / (double)frames - floor_db) / SPEC_RANGE_DB;
          uint32_t *dst = (uint32_t *)(px + (size_t)(nm - 1 - m) * (size_t)stride) + c;
          unsigned char cr8, cg8, cb8;
          colormap(v, &cr8, &cg8, &cb8);
          *dst = (uint32_t)cr8 << 16 | (uint32_t)cg8 << 8 | cb8;
        }
      }
      cairo_surface_mark_dirty(img);
      /* Frame t covers [t*hop, t*hop + n_fft) at 16 kHz: place it by its start. */
      double frames_dur = (double)p->n_mel_frames * 0.01;
      double w = r.w * fmin(frames_dur / duration, 1.0);
      cairo_save(cr);
      cairo_rectangle(cr, r.x, r.y, r.w, r.h);
      cairo_clip(cr);
      cairo_translate(cr, r.x, r.y);
      cairo_scale(cr, w / ncol, r.h / nm);
      cairo_set_source_surface(cr, img, 0, 0);
      cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
      cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
      cairo_rectangle(cr, 0, 0, ncol, nm);
      cairo_fill(cr);
      cairo_restore(cr);
    }
    cairo_surface_destroy(img); /* a failed surface is cairo's inert error object */
  }
  draw_colour_bar(cr, r, top);
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  double mel_lo = hz_to_mel(cfg.fmin), mel_hi = hz_to_mel(cfg.fmax);
  static const double ticks[] = {250, 500, 1000, 2000, 4000, 8000};
  for (size_t i = 0; i < sizeof ticks / sizeof *ticks; i++) {
    if (ticks[i] > cfg.fmax)
      break;
    double y = r.y + r.h - (hz_to_mel(ticks[i]) - mel_lo) / (mel_hi - mel_lo) * r.h;
    char text[16];
    snprintf(text, sizeof text, ticks[i] >= 1000 ? "%.0fk" : "%.0f",
             ticks[i] >= 1000 ? ticks[i] / 1000 : ticks[i]);
    y_label(cr, r.x, y, text);
  }
  (void)mel_to_hz;
  panel_frame(cr, r, "log-mel (Hz)");
}

static double row_x(rect r, double t, double duration) {
  return r.x + t / duration * r.w;
}

/* A point's mean time and mean of sum k (a point of one row: that row's, exactly). */
static double pt_x(const ea_plot_data *p, rect r, size_t i, double duration) {
  return row_x(r, p->pt_time[i] / p->pt_rows[i], duration);
}
static double pt_mean(const ea_plot_data *p, size_t i, int k) {
  return p->pt_sum[i * EA_PLOT_N_SUMS + (size_t)k] / p->pt_rows[i];
}

static void draw_voice(cairo_t *cr, rect r, const ea_plot_data *p, double duration) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_fill(cr);
  if (p->n_pts) {
    cairo_move_to(cr, r.x, r.y + r.h);
    for (size_t i = 0; i < p->n_pts; i++) {
      double v = pt_mean(p, i, EA_PLOT_SUM_VOICE);
      cairo_line_to(cr, pt_x(p, r, i, duration), r.y + r.h - fmin(fmax(v, 0), 1) * r.h);
    }
    cairo_line_to(cr, pt_x(p, r, p->n_pts - 1, duration), r.y + r.h);
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, 0.2, 0.6, 0.3, 0.55);
    cairo_fill(cr);
  }
  y_label(cr, r.x, r.y + 6, "1");
  y_label(cr, r.x, r.y + r.h - 6, "0");
  panel_frame(cr, r, "voice");
}

static void draw_emotions(cairo_t *cr, rect r, const ea_plot_data *p, double duration) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_fill(cr);
  /* Stacked areas: band i spans [sum_{j<i} p_j, sum_{j<=i} p_j]. Rows without speech are
   * shaded grey so that the probabilities the summary ignores are visible as such. */
  for (int e = 0; e < EV_N_EMOTIONS && p->n_pts; e++) {
    for (size_t i = 0; i < p->n_pts; i++) {
      double below = 0;
      for (int j = 0; j < e; j++)
        below += pt_mean(p, i, EA_PLOT_SUM_PROB + j);
      double y = r.y + r.h - fmin(below, 1.0) * r.h;
      if (i == 0)
        cairo_move_to(cr, pt_x(p, r, i, duration), y);
      else
        cairo_line_to(cr, pt_x(p, r, i, duration), y);
    }
    for (size_t i = p->n_pts; i-- > 0;) {
      double upto = 0;
      for (int j = 0; j <= e; j++)
        upto += pt_mean(p, i, EA_PLOT_SUM_PROB + j);
      cairo_line_to(cr, pt_x(p, r, i, duration), r.y + r.h - fmin(upto, 1.0) * r.h);
    }
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, label_rgb[e][0], label_rgb[e][1], label_rgb[e][2]);
    cairo_fill(cr);
  }
  /* Non-speech shading: a silent point's span, overlapping the next by 0.3 px so that a run of
   * them shows no seams; of a point with speech too (merged rows, past EA_PLOT_POINTS rows),
   * the share its silent rows make up, without the overlap, which would fade a whole long file
   * whose points are narrower than it */
  cairo_set_source_rgba(cr, 1, 1, 1, 0.6);
  for (size_t i = 0; i < p->n_pts; i++) {
    if (p->pt_silent[i] == 0)
      continue;
    double x0 = row_x(r, i ? p->pt_end[i - 1] : 0, duration), x1 = row_x(r, p->pt_end[i], duration);
    if (p->pt_silent[i] == p->pt_rows[i])
      cairo_rectangle(cr, x0, r.y, x1 - x0 + 0.3, r.h);
    else
      cairo_rectangle(cr, x0, r.y, (x1 - x0) * p->pt_silent[i] / p->pt_rows[i], r.h);
  }
  cairo_fill(cr);
  y_label(cr, r.x, r.y + 6, "1");
  y_label(cr, r.x, r.y + r.h / 2, "0.5");
  y_label(cr, r.x, r.y + r.h - 6, "0");
  panel_frame(cr, r, "emotion");
}

/* restricted: the summary is over the --labels emotions only (the others read 0 %). */
static void draw_legend(cairo_t *cr, double x, double y, const ea_summary *sum, int restricted) {
  cairo_set_font_size(cr, 13);
  for (int e = EV_N_EMOTIONS - 1, k = 0; e >= 0; e--, k++) {
    double yy = y + k * 24;
    cairo_set_source_rgb(cr, label_rgb[e][0], label_rgb[e][1], label_rgb[e][2]);
    cairo_rectangle(cr, x, yy, 16, 16);
    cairo_fill(cr);
    char text[64];
    snprintf(text, sizeof text, "%s %.0f%%", ev_emotion_names[e], 100.0 * sum->prob[e]);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_move_to(cr, x + 22, yy + 13);
    cairo_show_text(cr, text);
  }
  double yy = y + EV_N_EMOTIONS * 24 + 6;
  cairo_set_source_rgba(cr, 0.75, 0.75, 0.75, 1);
  cairo_rectangle(cr, x, yy, 16, 16);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_move_to(cr, x + 22, yy + 13);
  cairo_show_text(cr, "no speech (faded)");
  cairo_set_font_size(cr, 11);
  cairo_move_to(cr, x, yy + 36);
  cairo_show_text(cr, "% = phrase reading");
  if (restricted) {
    cairo_move_to(cr, x, yy + 52);
    cairo_show_text(cr, "over the --labels emotions");
  }
}

static double nice_step(double duration, double width_px) {
  static const double steps[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600};
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
    if (duration / steps[i] * 80.0 <= width_px)
      return steps[i];
  return 7200;
}

static void draw_time_axis(cairo_t *cr, rect r, double top, double duration) {
  double step = nice_step(duration, r.w);
  cairo_set_font_size(cr, 11);
  for (double t = 0; t <= duration + 1e-9; t += step) {
    double x = r.x + t / duration * r.w;
    cairo_set_source_rgba(cr, 0.3, 0.3, 0.3, 0.25);
    cairo_move_to(cr, floor(x) + 0.5, top);
    cairo_line_to(cr, floor(x) + 0.5, r.y);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    cairo_move_to(cr, floor(x) + 0.5, r.y);
    cairo_line_to(cr, floor(x) + 0.5, r.y + 5);
    cairo_stroke(cr);
    char text[32];
    if (step >= 60)
      snprintf(text, sizeof text, "%d:%02d", (int)(t / 60), (int)fmod(t, 60));
    else
      snprintf(text, sizeof text, step < 1 ? "%.1f" : "%.0f", t);
    cairo_text_extents_t te;
    cairo_text_extents(cr, text, &te);
    cairo_move_to(cr, x - te.width / 2, r.y + 18);
    cairo_show_text(cr, text);
  }
  cairo_set_font_size(cr, 13);
  const char *name = step >= 60 ? "time (min:s)" : "time (s)";
  cairo_text_extents_t te;
  cairo_text_extents(cr, name, &te);
  cairo_move_to(cr, r.x + r.w / 2 - te.width / 2, r.y + 38);
  cairo_show_text(cr, name);
}

static void draw(cairo_t *cr, double W, double H, const ea_plot_data *p, const ea_summary *summary,
                 const char *title) {
  double duration = p->frames / p->rate;
  const ea_summary sum = *summary;
  const ea_plot_columns *cols = &p->cols;

  cairo_set_source_rgb(cr, 0.97, 0.97, 0.96);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, 17);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_move_to(cr, 90, 30);
  cairo_show_text(cr, title);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  char sub[160];
  snprintf(sub, sizeof sub, "%.2f s at %.0f Hz   speech %.0f%%   dominant%s: %s", duration, p->rate,
           100.0 * sum.speech_ratio, cols->summary_labels ? " of --labels" : "",
           sum.dominant >= 0 ? ev_emotion_names[sum.dominant] : "none");
  cairo_set_font_size(cr, 13);
  cairo_move_to(cr, 90, 50);
  cairo_show_text(cr, sub);

  /* tests/analyze (analyze_plot) reads the PNG's panels at this geometry: change both. */
  double left = 90, right = 200, top = 66, bottom = 56, gap = 10;
  double w = W - left - right, avail = H - top - bottom - 3 * gap;
  rect wave = {left, top, w, avail * 0.17};
  rect spec = {left, wave.y + wave.h + gap, w, avail * 0.33};
  rect voice = {left, spec.y + spec.h + gap, w, avail * 0.12};
  rect emo = {left, voice.y + voice.h + gap, w, avail * 0.38};
  draw_waveform(cr, wave, p);
  draw_spectrogram(cr, spec, p, duration);
  draw_voice(cr, voice, p, duration);
  draw_emotions(cr, emo, p, duration);
  draw_legend(cr, left + w + 20, emo.y, &sum, cols->summary_labels != 0);
  draw_time_axis(cr, (rect){left, emo.y + emo.h, w, 0}, top, duration);
}

int ea_plot_render(ea_plot_data *p, const ea_summary *sum, const char *title, const char *path,
                   char *err, size_t errlen) {
  ev_extractor_flush(p->ex, on_frame, p);
  /* a compressed file's length is known only at its end: draw what was fed */
  if (p->fed > 0)
    p->frames = p->fed;
  p->n_buckets = (size_t)((p->fed + p->per_bucket - 1) / p->per_bucket);
  const char *dot = strrchr(path, '.');
  const char *ext = dot ? dot + 1 : "";
  cairo_surface_t *surface;
  if (!strcasecmp(ext, "svg"))
    surface = cairo_svg_surface_create(path, PLOT_W, PLOT_H);
  else if (!strcasecmp(ext, "pdf"))
    surface = cairo_pdf_surface_create(path, PLOT_W, PLOT_H);
  else
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, PLOT_W, PLOT_H);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    snprintf(err, errlen, "plot %s: %s", path,
             cairo_status_to_string(cairo_surface_status(surface)));
    cairo_surface_destroy(surface);
    return -1;
  }
  cairo_t *cr = cairo_create(surface);
  draw(cr, PLOT_W, PLOT_H, p, sum, title);
  cairo_status_t st = cairo_status(cr);
  cairo_destroy(cr);
  if (st == CAIRO_STATUS_SUCCESS && cairo_surface_get_type(surface) == CAIRO_SURFACE_TYPE_IMAGE)
    st = cairo_surface_write_to_png(surface, path);
  cairo_surface_finish(surface);
  if (st == CAIRO_STATUS_SUCCESS)
    st = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS) {
    snprintf(err, errlen, "plot %s: %s", path, cairo_status_to_string(st));
    return -1;
  }
  return 0;
}

void ea_plot_release_fonts(void) {
  cairo_debug_reset_static_data();
  FcFini();
}
