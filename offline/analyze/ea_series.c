#include "ea_series.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ea_summary_write_header(FILE *f) {
  fputs("file,duration_s,speech_ratio,dominant", f);
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    fprintf(f, ",%s", ev_emotion_names[i]);
  fputs(",arousal,valence\n", f);
}

void ea_series_init(ea_series *s, int n_cols, const char *const *names, const int *is_integer) {
  memset(s, 0, sizeof *s);
  s->n_cols = n_cols;
  s->n_required = n_cols;
  s->names = names;
  s->is_integer = is_integer;
}

void ea_series_clear(ea_series *s) {
  s->n_rows = 0;
}

void ea_series_free(ea_series *s) {
  free(s->time);
  free(s->values);
  s->time = s->values = NULL;
  s->n_rows = s->capacity = 0;
}

static double round6(double v) {
  if (!isfinite(v))
    return 0.0;
  double r = round(v * 1e6) / 1e6;
  return r == 0.0 ? 0.0 : r; /* no "-0.000000" */
}

int ea_series_append(ea_series *s, double time, const double *row) {
  if (s->n_rows == s->capacity) {
    size_t cap = s->capacity ? 2 * s->capacity : 1024;
    double *t = realloc(s->time, cap * sizeof *t);
    if (!t)
      return -1;
    s->time = t;
    double *v = realloc(s->values, cap * (size_t)s->n_cols * sizeof *v);
    if (!v)
      return -1;
    s->values = v;
    s->capacity = cap;
  }
  s->time[s->n_rows] = time;
  memcpy(s->values + s->n_rows * (size_t)s->n_cols, row, (size_t)s->n_cols * sizeof *row);
  s->n_rows++;
  return 0;
}

double ea_series_round_row(const ea_series *s, double time, const float *values, double *row) {
  for (int c = 0; c < s->n_cols; c++)
    row[c] = s->is_integer[c] ? (isfinite(values[c]) ? rint(values[c]) : 0.0) : round6(values[c]);
  return round6(time);
}

int ea_series_add(ea_series *s, double time, const float *values) {
  double row[256];
  if (s->n_cols > 256)
    return -1;
  double t = ea_series_round_row(s, time, values, row);
  return ea_series_append(s, t, row);
}

size_t ea_format_decimal(char *buf, double v, int decimals) {
  /* The rows hold integers or values rounded to 6 decimals (round6: the nearest double to
   * k / 1e6). For those, printf's correctly rounded decimal is k itself: v lies within half an
   * ulp (< 1e-10 below 1e6) of k / 1e6, far from the half-way points. Checked, not assumed:
   * anything else takes snprintf. */
  const double scale = decimals == 6 ? 1e6 : 1.0;
  if ((decimals == 6 || decimals == 0) && fabs(v) < 1e6) {
    const long long k = llround(v * scale);
    if ((double)k / scale == v) {
      char digits[24];
      int n = 0;
      unsigned long long u = (unsigned long long)(k < 0 ? -k : k);
      for (int d = 0; d < decimals; d++, u /= 10) /* the fraction, last digit first */
        digits[n++] = (char)('0' + u % 10);
      if (decimals)
        digits[n++] = '.';
      do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
      } while (u);
      size_t len = 0;
      if (signbit(v)) /* printf writes the sign of -0 too */
        buf[len++] = '-';
      while (n > 0)
        buf[len++] = digits[--n];
      buf[len] = '\0';
      return len;
    }
  }
  const int len = snprintf(buf, EA_DECIMAL_MAX, "%.*f", decimals, v);
  return len < 0 ? 0 : (size_t)len < EA_DECIMAL_MAX ? (size_t)len : EA_DECIMAL_MAX - 1;
}

/* One row is formatted into a buffer and written at once: a formatted print per value was an
 * eighth of emovox-analyze's instructions. */
typedef struct line_buf {
  FILE *f;
  size_t n;
  char b[8192];
} line_buf;

static void lb_put(line_buf *l, const char *s, size_t n) {
  if (l->n + n > sizeof l->b) {
    fwrite(l->b, 1, l->n, l->f);
    l->n = 0;
    if (n > sizeof l->b) {
      fwrite(s, 1, n, l->f);
      return;
    }
  }
  memcpy(l->b + l->n, s, n);
  l->n += n;
}

static void lb_num(line_buf *l, double v, int decimals) {
  char tmp[EA_DECIMAL_MAX];
  lb_put(l, tmp, ea_format_decimal(tmp, v, decimals));
}

static void put_value(line_buf *l, const ea_series *s, int c, double v) {
  if (s->is_integer[c])
    lb_num(l, v == 0.0 ? 0.0 : v, 0);
  else
    lb_num(l, v, 6);
}

static void put_header(FILE *f, const ea_series *s, ea_format format) {
  if (format != EA_FORMAT_CSV)
    return;
  fputs("time_s", f);
  for (int c = 0; c < s->n_cols; c++)
    fprintf(f, ",%s", s->names[c]);
  fputc('\n', f);
}

static void put_row(FILE *f, const ea_series *s, ea_format format, double time, const double *row) {
  line_buf l;
  l.f = f;
  l.n = 0;
  if (format == EA_FORMAT_CSV) {
    lb_num(&l, time, 6);
    for (int c = 0; c < s->n_cols; c++) {
      lb_put(&l, ",", 1);
      put_value(&l, s, c, row[c]);
    }
  } else {
    lb_put(&l, "{\"time_s\":", 10);
    lb_num(&l, time, 6);
    for (int c = 0; c < s->n_cols; c++) {
      lb_put(&l, ",\"", 2);
      lb_put(&l, s->names[c], strlen(s->names[c]));
      lb_put(&l, "\":", 2);
      put_value(&l, s, c, row[c]);
    }
    lb_put(&l, "}", 1);
  }
  lb_put(&l, "\n", 1);
  fwrite(l.b, 1, l.n, f);
}

int ea_series_writer_open(ea_series_writer *w, const ea_series *cols, ea_format format,
                          const char *path, char *err, size_t errlen) {
  memset(w, 0, sizeof *w);
  w->cols = cols;
  w->format = format;
  size_t n = strlen(path) + 8;
  w->tmp = malloc(n);
  w->path = strdup(path);
  if (!w->tmp || !w->path) {
    snprintf(err, errlen, "out of memory");
    ea_series_writer_abort(w);
    return -1;
  }
  snprintf(w->tmp, n, "%s.part", path);
  w->f = fopen(w->tmp, "w");
  if (!w->f) {
    snprintf(err, errlen, "cannot write %s: %s", w->tmp, strerror(errno));
    free(w->tmp); /* nothing to remove */
    w->tmp = NULL;
    ea_series_writer_abort(w);
    return -1;
  }
  put_header(w->f, cols, format);
  return 0;
}

void ea_series_writer_row(ea_series_writer *w, double time, const double *row) {
  put_row(w->f, w->cols, w->format, time, row);
}

int ea_series_writer_commit(ea_series_writer *w, char *err, size_t errlen) {
  int bad = ferror(w->f);
  bad |= fclose(w->f) != 0;
  w->f = NULL;
  if (bad || rename(w->tmp, w->path) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", w->path, strerror(errno));
    ea_series_writer_abort(w);
    return -1;
  }
  free(w->tmp);
  w->tmp = NULL;
  ea_series_writer_abort(w);
  return 0;
}

void ea_series_writer_abort(ea_series_writer *w) {
  if (w->f)
    fclose(w->f);
  if (w->tmp)
    remove(w->tmp);
  free(w->tmp);
  free(w->path);
  memset(w, 0, sizeof *w);
}

int ea_series_write(const ea_series *s, ea_format format, const char *path, char *err,
                    size_t errlen) {
  ea_series_writer w;
  if (ea_series_writer_open(&w, s, format, path, err, errlen))
    return -1;
  for (size_t r = 0; r < s->n_rows; r++)
    ea_series_writer_row(&w, s->time[r], s->values + r * (size_t)s->n_cols);
  return ea_series_writer_commit(&w, err, errlen);
}

static int read_csv(const ea_series *s, FILE *f, ea_series_row_fn on_row, void *user, char *err,
                    size_t errlen) {
  char *line = NULL;
  size_t cap = 0;
  int rc = -1;
  int *col_of = calloc((size_t)s->n_cols + 1, sizeof *col_of); /* file column -> series column */
  double *row = calloc((size_t)s->n_cols + 1, sizeof *row);
  if (!col_of || !row) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  if (getline(&line, &cap, f) < 0) {
    snprintf(err, errlen, "empty time series");
    goto out;
  }
  line[strcspn(line, "\r\n")] = '\0';
  /* The header must be exactly what this plugin's outputs produce. */
  size_t pos = 0;
  char *save = NULL;
  for (char *tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save), pos++) {
    const char *want = pos == 0 ? "time_s" : (int)pos <= s->n_cols ? s->names[pos - 1] : NULL;
    if (!want || strcmp(tok, want)) {
      snprintf(err, errlen, "time series columns differ from the plugin's outputs (column %zu)",
               pos + 1);
      goto out;
    }
  }
  /* outputs appended since the file was written (after n_required) may be missing */
  const int n_file = (int)pos - 1;
  if (n_file < s->n_required || n_file > s->n_cols) {
    snprintf(err, errlen, "time series has %zu columns, the plugin has %d outputs", pos, s->n_cols);
    goto out;
  }
  for (int c = n_file; c < s->n_cols; c++)
    row[c] = NAN;
  size_t lineno = 1;
  while (getline(&line, &cap, f) >= 0) {
    lineno++;
    char *p = line, *end;
    double t = strtod(p, &end);
    for (int c = 0; c < n_file; c++) {
      if (*end != ',') {
        snprintf(err, errlen, "time series line %zu is malformed", lineno);
        goto out;
      }
      row[c] = strtod(end + 1, &end);
    }
    if (end == p || (*end != '\n' && *end != '\0' && *end != '\r')) {
      snprintf(err, errlen, "time series line %zu is malformed", lineno);
      goto out;
    }
    if (on_row(user, t, row)) {
      snprintf(err, errlen, "out of memory");
      goto out;
    }
  }
  rc = 0;
out:
  free(line);
  free(col_of);
  free(row);
  return rc;
}

static int read_jsonl(const ea_series *s, FILE *f, ea_series_row_fn on_row, void *user, char *err,
                      size_t errlen) {
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  int rc = -1;
  double *row = calloc((size_t)s->n_cols + 1, sizeof *row);
  if (!row) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  while (getline(&line, &cap, f) >= 0) {
    lineno++;
    json_error_t je;
    json_t *obj = json_loads(line, 0, &je);
    if (!json_is_object(obj)) {
      json_decref(obj);
      snprintf(err, errlen, "time series line %zu is not a JSON object", lineno);
      goto out;
    }
    json_t *t = json_object_get(obj, "time_s");
    int ok = json_is_number(t);
    for (int c = 0; c < s->n_cols && ok; c++) {
      json_t *v = json_object_get(obj, s->names[c]);
      ok = json_is_number(v) || (!v && c >= s->n_required); /* appended since: NaN */
      row[c] = v ? json_number_value(v) : NAN;
    }
    double time = ok ? json_number_value(t) : 0.0;
    json_decref(obj);
    if (!ok) {
      snprintf(err, errlen, "time series line %zu lacks a plugin output", lineno);
      goto out;
    }
    if (on_row(user, time, row)) {
      snprintf(err, errlen, "out of memory");
      goto out;
    }
  }
  rc = 0;
out:
  free(line);
  free(row);
  return rc;
}

int ea_series_read_rows(const ea_series *cols, ea_format format, const char *path,
                        ea_series_row_fn on_row, void *user, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  int rc = format == EA_FORMAT_CSV ? read_csv(cols, f, on_row, user, err, errlen)
                                   : read_jsonl(cols, f, on_row, user, err, errlen);
  fclose(f);
  return rc;
}

static int append_row(void *user, double time, const double *row) {
  return ea_series_append(user, time, row);
}

int ea_series_read(ea_series *s, ea_format format, const char *path, char *err, size_t errlen) {
  ea_series_clear(s);
  return ea_series_read_rows(s, format, path, append_row, s, err, errlen);
}

void ea_summary_acc_init(ea_summary_acc *acc, long window_rows, unsigned labels) {
  ev_summary_init(&acc->phrases, window_rows);
  ev_summary_set_labels(&acc->phrases, labels);
}

void ea_summary_acc_add(ea_summary_acc *acc, const double *row, const int *prob_col,
                        int dominant_col) {
  double prob[EV_N_EMOTIONS];
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    prob[i] = row[prob_col[i]];
  ev_summary_add(&acc->phrases, row[dominant_col] != 0.0, prob);
}

void ea_summary_acc_finish(const ea_summary_acc *acc, double duration_s, ea_summary *out) {
  ev_summary s;
  ev_summary_finish(&acc->phrases, &s);
  memset(out, 0, sizeof *out);
  out->duration_s = duration_s;
  out->dominant = s.dominant;
  out->speech_ratio = s.rows ? (double)s.speech_rows / (double)s.rows : 0.0;
  memcpy(out->prob, s.prob, sizeof out->prob);
  out->arousal = s.arousal;
  out->valence = s.valence;
}

void ea_summary_compute(const ea_series *s, const int *prob_col, int dominant_col, long window_rows,
                        unsigned labels, double duration_s, ea_summary *out) {
  ea_summary_acc acc;
  ea_summary_acc_init(&acc, window_rows, labels);
  for (size_t r = 0; r < s->n_rows; r++)
    ea_summary_acc_add(&acc, s->values + r * (size_t)s->n_cols, prob_col, dominant_col);
  ea_summary_acc_finish(&acc, duration_s, out);
}

char *ea_summary_row(const char *file, const ea_summary *sum) {
  /* RFC 4180 quoting when the name holds a comma, quote or line break. */
  size_t n = strlen(file);
  char *quoted = malloc(2 * n + 3);
  if (!quoted)
    return NULL;
  if (strpbrk(file, ",\"\r\n")) {
    char *q = quoted;
    *q++ = '"';
    for (const char *p = file; *p; p++) {
      if (*p == '"')
        *q++ = '"';
      *q++ = *p;
    }
    *q++ = '"';
    *q = '\0';
  } else {
    memcpy(quoted, file, n + 1);
  }
  size_t cap = strlen(quoted) + 256;
  char *row = malloc(cap);
  if (row) {
    int len = snprintf(row, cap, "%s,%.3f,%.4f,%s", quoted, sum->duration_s, sum->speech_ratio,
                       sum->dominant >= 0 ? ev_emotion_names[sum->dominant] : "none");
    for (int i = 0; i < EV_N_EMOTIONS; i++)
      len += snprintf(row + len, cap - (size_t)len, ",%.6f", sum->prob[i]);
    snprintf(row + len, cap - (size_t)len, ",%.6f,%.6f\n", round6(sum->arousal),
             round6(sum->valence));
  }
  free(quoted);
  return row;
}
