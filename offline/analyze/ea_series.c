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
  fputc('\n', f);
}

void ea_series_init(ea_series *s, int n_cols, const char *const *names, const int *is_integer) {
  memset(s, 0, sizeof *s);
  s->n_cols = n_cols;
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

static int add_raw(ea_series *s, double time, const double *values) {
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
  memcpy(s->values + s->n_rows * (size_t)s->n_cols, values, (size_t)s->n_cols * sizeof *values);
  s->n_rows++;
  return 0;
}

int ea_series_add(ea_series *s, double time, const float *values) {
  double row[256];
  int n = s->n_cols < 256 ? s->n_cols : 256;
  for (int c = 0; c < n; c++)
    row[c] = s->is_integer[c] ? (isfinite(values[c]) ? rint(values[c]) : 0.0) : round6(values[c]);
  return add_raw(s, round6(time), row);
}

static void put_value(FILE *f, const ea_series *s, int c, double v) {
  if (s->is_integer[c])
    fprintf(f, "%.0f", v == 0.0 ? 0.0 : v);
  else
    fprintf(f, "%.6f", v);
}

int ea_series_write(const ea_series *s, ea_format format, const char *path, char *err,
                    size_t errlen) {
  size_t n = strlen(path) + 8;
  char *tmp = malloc(n);
  if (!tmp) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  snprintf(tmp, n, "%s.part", path);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    free(tmp);
    return -1;
  }
  if (format == EA_FORMAT_CSV) {
    fputs("time_s", f);
    for (int c = 0; c < s->n_cols; c++)
      fprintf(f, ",%s", s->names[c]);
    fputc('\n', f);
  }
  for (size_t r = 0; r < s->n_rows; r++) {
    const double *row = s->values + r * (size_t)s->n_cols;
    if (format == EA_FORMAT_CSV) {
      fprintf(f, "%.6f", s->time[r]);
      for (int c = 0; c < s->n_cols; c++) {
        fputc(',', f);
        put_value(f, s, c, row[c]);
      }
    } else {
      fprintf(f, "{\"time_s\":%.6f", s->time[r]);
      for (int c = 0; c < s->n_cols; c++) {
        fprintf(f, ",\"%s\":", s->names[c]);
        put_value(f, s, c, row[c]);
      }
      fputc('}', f);
    }
    fputc('\n', f);
  }
  int bad = ferror(f);
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    remove(tmp);
    free(tmp);
    return -1;
  }
  free(tmp);
  return 0;
}

static int read_csv(ea_series *s, FILE *f, char *err, size_t errlen) {
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
  if ((int)pos != s->n_cols + 1) {
    snprintf(err, errlen, "time series has %zu columns, the plugin has %d outputs", pos, s->n_cols);
    goto out;
  }
  size_t lineno = 1;
  while (getline(&line, &cap, f) >= 0) {
    lineno++;
    char *p = line, *end;
    double t = strtod(p, &end);
    for (int c = 0; c < s->n_cols; c++) {
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
    if (add_raw(s, t, row)) {
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

static int read_jsonl(ea_series *s, FILE *f, char *err, size_t errlen) {
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
      ok = json_is_number(v);
      if (ok)
        row[c] = json_number_value(v);
    }
    double time = ok ? json_number_value(t) : 0.0;
    json_decref(obj);
    if (!ok) {
      snprintf(err, errlen, "time series line %zu lacks a plugin output", lineno);
      goto out;
    }
    if (add_raw(s, time, row)) {
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

int ea_series_read(ea_series *s, ea_format format, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  ea_series_clear(s);
  int rc = format == EA_FORMAT_CSV ? read_csv(s, f, err, errlen) : read_jsonl(s, f, err, errlen);
  fclose(f);
  return rc;
}

void ea_summary_compute(const ea_series *s, const int *prob_col, int dominant_col,
                        double duration_s, ea_summary *out) {
  memset(out, 0, sizeof *out);
  out->duration_s = duration_s;
  out->dominant = -1;
  size_t speech = 0;
  for (size_t r = 0; r < s->n_rows; r++) {
    const double *row = s->values + r * (size_t)s->n_cols;
    if (row[dominant_col] == 0.0)
      continue;
    speech++;
    for (int i = 0; i < EV_N_EMOTIONS; i++)
      out->prob[i] += row[prob_col[i]];
  }
  out->speech_ratio = s->n_rows ? (double)speech / (double)s->n_rows : 0.0;
  if (!speech)
    return;
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    out->prob[i] /= (double)speech;
    if (out->dominant < 0 || out->prob[i] > out->prob[out->dominant])
      out->dominant = i;
  }
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
    snprintf(row + len, cap - (size_t)len, "\n");
  }
  free(quoted);
  return row;
}
