#include "ea_job.h"

#include "ea_audio.h"
#include "ea_console.h"
#include "ea_plot.h"
#include "emovox_protocol.h"
#include "ev_analyzer.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK 16384 /* frames read from the file at a time */

int ea_columns_find(const ea_host *h, ea_columns *c, char *err, size_t errlen) {
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    c->prob[i] = ea_host_output_by_port(h, (uint32_t)(EMOVOX_PROB_FIRST + i));
  c->dominant = ea_host_output_by_port(h, EMOVOX_DOMINANT);
  c->voice = ea_host_output_by_port(h, EMOVOX_VOICE);
  c->status = ea_host_output_by_port(h, EMOVOX_STATUS);
  c->summary_window_rows = ea_host_summary_window_rows(h);
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    if (c->prob[i] < 0) {
      snprintf(err, errlen, "the plugin lacks the Emovox probability outputs (port %d)",
               EMOVOX_PROB_FIRST + i);
      return -1;
    }
  if (c->dominant < 0 || c->voice < 0) {
    snprintf(err, errlen, "the plugin lacks the Emovox dominant/voice outputs");
    return -1;
  }
  return 0;
}

static char *out_path(const ea_options *opt, const ea_file *f, const char *ext) {
  size_t n = strlen(opt->outdir) + strlen(f->rel) + strlen(ext) + 3;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s.%s", opt->outdir, f->rel, ext);
  return p;
}

/* mkdir -p of the directory part of path. */
static int make_parents(const char *path, char *err, size_t errlen) {
  char *dir = strdup(path);
  if (!dir)
    return -1;
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
      snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
      free(dir);
      return -1;
    }
    *p = '/';
  }
  free(dir);
  return 0;
}

static int exists(const char *path) {
  return path && access(path, F_OK) == 0;
}

typedef struct summary_sink {
  const ea_columns *cols;
  ea_summary_acc acc;
} summary_sink;

static int sink_row(void *user, double time, const double *row) {
  summary_sink *k = user;
  (void)time;
  ea_summary_acc_add(&k->acc, row, k->cols->prob, k->cols->dominant);
  return 0;
}

/* --skip-existing: the outputs are there; the summary row comes from the written series. */
static int summarise_existing(ea_host *h, const ea_columns *cols, const ea_options *opt,
                              const ea_file *f, const char *series_path, ea_result *res, char *err,
                              size_t errlen) {
  /* the duration as a fresh run finds it: a compressed file is decoded to its end */
  ea_audio a;
  if (ea_audio_open(&a, f->path, err, errlen))
    return -1;
  int measured = ea_audio_measure(&a, err, errlen);
  double duration = ea_audio_duration(&a);
  ea_audio_close(&a);
  if (measured)
    return -1;
  int n = ea_host_n_outputs(h);
  const char **names = malloc((size_t)n * sizeof *names);
  int *is_int = malloc((size_t)n * sizeof *is_int);
  if (!names || !is_int) {
    free(names);
    free(is_int);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (int i = 0; i < n; i++) {
    names[i] = ea_host_output_symbol(h, i);
    is_int[i] = ea_host_output_is_integer(h, i);
  }
  ea_series s; /* the columns only: the rows are summed as they are read */
  ea_series_init(&s, n, names, is_int);
  /* A series written before outputs were appended (adapted) lacks them: the summary reads
   * only the columns up to the status, which every series has. */
  s.n_required = 0;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    s.n_required = cols->prob[i] + 1 > s.n_required ? cols->prob[i] + 1 : s.n_required;
  const int last[3] = {cols->dominant, cols->voice, cols->status};
  for (int i = 0; i < 3; i++)
    s.n_required = last[i] + 1 > s.n_required ? last[i] + 1 : s.n_required;
  summary_sink sink = {.cols = cols};
  ea_summary_acc_init(&sink.acc, cols->summary_window_rows, opt->labels);
  int rc = ea_series_read_rows(&s, opt->format, series_path, sink_row, &sink, err, errlen);
  if (rc == 0) {
    ea_summary sum;
    ea_summary_acc_finish(&sink.acc, duration, &sum);
    res->row = ea_summary_row(f->path, &sum);
    res->duration_s = duration;
  }
  free(names);
  free(is_int);
  return rc;
}

/* One file's analysis. Its rows are written (writing), summed (acc) and given to the plot as
 * they come, so its memory does not grow with the file's length (the plot keeps at most
 * EA_PLOT_POINTS points, ea_plot.h). */
typedef struct file_run {
  ea_audio audio;
  ea_series series; /* the columns (its rows are not kept) */
  ea_series_writer out;
  int writing;
  const ea_columns *cols;
  ea_summary_acc acc;
  double *row;        /* one rounded row */
  size_t fault_rows;  /* rows with status "model fault" */
  double first_fault; /* the first one's time */
  ea_plot_data plot;
  int plotting;
  float *chan[2];
  const float **inputs; /* one pointer per plugin audio input */
  const char **names;
  int *is_int;
  int resampled_from; /* the file's rate if it was resampled, else 0 */
  /* the loudest 10 ms of what the plugin heard (mean square, channels averaged), for the hint
   * that a file with no speech above the gate may only be quiet */
  double level_sum, level_peak;
  int64_t level_n;
} file_run;

static void file_run_free(file_run *r) {
  ea_audio_close(&r->audio);
  ea_series_free(&r->series);
  if (r->writing)
    ea_series_writer_abort(&r->out); /* a failed file leaves no partial series */
  free(r->row);
  if (r->plotting)
    ea_plot_free(&r->plot);
  free(r->chan[0]);
  free(r->chan[1]);
  free(r->inputs);
  free(r->names);
  free(r->is_int);
}

/* Where a stream of audio through one instance stands: a single file, or the files of a session
 * one after another. Rows are taken on the stream's 10 ms grid, so a session's rows are exactly
 * those of the concatenated audio. */
typedef struct stream {
  int started;
  int64_t rate;      /* integer: boundaries without rounding error */
  int64_t pos;       /* frames given to the plugin */
  int64_t hop_index; /* next row at sample hop_index * rate / 100 */
  int64_t next_row;
} stream;

/* The mean square of every 10 ms (hop frames) of the file, channels averaged; keeps the
 * largest. Non-finite samples count as silence, as the plugin treats them. */
static void track_level(file_run *r, int n_in, long got, int64_t hop) {
  for (long i = 0; i < got; i++) {
    double x = n_in == 2 ? 0.5 * ((double)r->chan[0][i] + r->chan[1][i]) : r->chan[0][i];
    r->level_sum += isfinite(x) ? x * x : 0.0;
    if (++r->level_n >= hop) {
      if (r->level_sum / (double)r->level_n > r->level_peak)
        r->level_peak = r->level_sum / (double)r->level_n;
      r->level_sum = 0.0;
      r->level_n = 0;
    }
  }
}

/* A file with no speech row whose loudest 10 ms are not far below the gate is most likely
 * quiet speech (a distant microphone, a low recording level: RAVDESS has such takes at -52
 * dBFS, 6 dB quieter -58), not silence: say so, and which gate would let it through (20 dB
 * under its loudest 10 ms), instead of a bare "none". */
static void hint_quiet(const ea_host *h, const file_run *r, const ea_summary *sum,
                       const char *path) {
  const float gate = ea_host_control_value(h, "gate_db");
  if (sum->dominant >= 0 || !(r->level_peak > 0.0) || !isfinite(gate))
    return;
  const double peak_db = 10.0 * log10(r->level_peak);
  if (peak_db < gate - 40.0)
    return; /* far below the gate: background, not a quiet voice */
  double suggest = 5.0 * floor((peak_db - 20.0) / 5.0);
  if (suggest < -90.0)
    suggest = -90.0;
  if (suggest >= gate)
    return; /* loud enough, yet no speech: music, tones or noise; the gate is not the cause */
  ea_msg("%s: no speech above the gate (%.0f dBFS); its loudest 10 ms reach %.1f dBFS: if it "
         "holds speech, lower the gate, e.g. --set gate_db=%.0f",
         path, (double)gate, peak_db, suggest);
}

/* One row of outputs: written, summed, checked for a model fault, drawn. */
static void take_row(file_run *r, double time, const float *values) {
  double t = ea_series_round_row(&r->series, time, values, r->row);
  if (r->writing)
    ea_series_writer_row(&r->out, t, r->row);
  ea_summary_acc_add(&r->acc, r->row, r->cols->prob, r->cols->dominant);
  if (r->cols->status >= 0 && lrint(r->row[r->cols->status]) == EMOVOX_STATUS_MODEL_FAULT) {
    if (!r->fault_rows)
      r->first_fault = t;
    r->fault_rows++;
  }
  if (r->plotting)
    ea_plot_row(&r->plot, t, r->row);
}

/* What a file's band means for the model that reads it (ev_analyzer_band_note): at 8 kHz the
 * plugin reads with the bundle's narrowband model, trained for that band, and says what to
 * expect; a model that reads more than the file holds (the default one below 16 kHz: at 11.025
 * kHz, or at 8 kHz given with --model or from a bundle without the narrowband one), or one
 * that heard less than the file may hold (the narrowband one given with --model for a
 * wide-band file), gives readings that cannot be trusted. Said in full for the first such file
 * of the run, even with --quiet, as it decides how far its rows can be trusted, then in one line
 * per file. The plugin's own note, the same text once per instance, is left to this
 * (ea_host.c); a file resampled here from below 8 kHz reaches the plugin at 16 kHz, and only
 * this can tell. */
static atomic_int band_said;
static void report_band(ea_result *res, const file_run *r, const ea_options *opt, const ea_host *h,
                        const char *path) {
  int rate = r->resampled_from ? r->resampled_from : r->audio.info.samplerate;
  /* the model that read it: a file resampled to 16 kHz is read by the wide-band one */
  const double read_at = r->audio.info.samplerate;
  char note[512];
  int kind = ev_analyzer_band_note(rate, ea_host_model_band_at(h, read_at), note, sizeof note);
  res->band_kind = kind;
  if (kind == EV_BAND_FULL)
    return;
  if (!atomic_exchange(&band_said, 1))
    ea_msg("%s: %s", path, note);
  else if (opt->quiet)
    return;
  else if (kind == EV_BAND_MISSING)
    ea_msg("%s: %d Hz, below 16 kHz: its reading is unreliable (see above)", path, rate);
  else if (kind == EV_BAND_EXCESS)
    ea_msg("%s: %d Hz, more band than the model heard: its reading is unreliable (see above)", path,
           rate);
  else
    ea_msg("%s: %d Hz: read by the narrowband model %s (see above)", path, rate,
           ea_host_model_label_at(h, read_at));
}

/* Runs the plugin over the whole file, continuing the stream (a new instance for its first
 * file: ea_host_start). Blocks are at most --block long and are cut at every 10 ms boundary of the
 * stream (sample floor(k * rate / 100), in integers), where a row of outputs is taken; a row
 * belongs to the file whose samples end there, with its time from that file's start. */
static int run_file(ea_host *h, const ea_options *opt, int job, file_run *r, stream *st, char *err,
                    size_t errlen) {
  /* A two-input plugin gets the left and right of a 2-channel file. Any other file is read as
   * the mean of all its channels, given to every input: a 5.1 file's dialogue is in its centre
   * channel, which its first two channels would miss, and the stereo and mono variants then
   * analyse the same signal. */
  int n_in = ea_host_n_audio_inputs(h) >= 2 && r->audio.info.channels == 2 ? 2 : 1;
  /* Rates the plugin does not take (a 4 kHz telephone archive, 384 kHz field recordings) are
   * resampled here to 16 kHz, the rate the plugin analyses at, with the same resampler. */
  if (r->audio.info.samplerate < EA_MIN_RATE || r->audio.info.samplerate > EA_MAX_RATE) {
    r->resampled_from = r->audio.info.samplerate;
    if (ea_audio_resample(&r->audio, EA_RESAMPLE_RATE, n_in, err, errlen))
      return -1;
  }
  double rate = r->audio.info.samplerate;
  if (st->started && st->rate != r->audio.info.samplerate) {
    snprintf(err, errlen,
             "its rate (%d Hz) differs from the session's (%lld Hz): a session is one recording",
             r->audio.info.samplerate, (long long)st->rate);
    return -1;
  }
  for (int c = 0; c < n_in; c++)
    if (!(r->chan[c] = malloc(READ_CHUNK * sizeof(float)))) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
  int n_plugin_in = ea_host_n_audio_inputs(h);
  const float **inputs = calloc((size_t)n_plugin_in + 1, sizeof *inputs);
  if (!inputs) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  r->inputs = inputs;
  if (r->plotting) {
    ea_plot_columns pc = {
        r->cols->voice, r->cols->dominant, {0}, r->cols->summary_window_rows, opt->labels};
    memcpy(pc.prob, r->cols->prob, sizeof pc.prob);
    if (ea_plot_begin(&r->plot, rate, r->audio.info.frames, READ_CHUNK, &pc, err, errlen))
      return -1;
  }
  if (!st->started) {
    if (ea_host_start(h, rate, err, errlen))
      return -1;
    st->started = 1;
    st->rate = r->audio.info.samplerate;
    st->pos = 0;
    st->hop_index = 1;
    st->next_row = st->rate / EA_HOPS_PER_S;
  }

  const int64_t start = st->pos;
  int64_t pos = st->pos, hop_index = st->hop_index, next_row = st->next_row;
  const int64_t int_rate = st->rate;
  int64_t total = r->audio.info.frames;
  int64_t progress_step = (int64_t)rate * 20, next_progress = progress_step;
  for (;;) {
    long got = ea_audio_read(&r->audio, r->chan, n_in, READ_CHUNK, err, errlen);
    if (got < 0)
      return -1;
    if (got == 0)
      break;
    if (r->plotting)
      ea_plot_feed(&r->plot, r->chan[0], n_in == 2 ? r->chan[1] : NULL, (uint32_t)got);
    track_level(r, n_in, got, int_rate / EA_HOPS_PER_S);
    long off = 0;
    while (off < got) {
      int64_t n = got - off;
      if (n > (int64_t)opt->host.block)
        n = opt->host.block;
      if (pos + n > next_row)
        n = next_row - pos;
      for (int c = 0; c < n_plugin_in; c++)
        inputs[c] = r->chan[n_in == 2 ? (c & 1) : 0] + off;
      if (n > 0)
        ea_host_process(h, inputs, (uint32_t)n);
      pos += n;
      st->pos = pos; /* what the instance has heard, even if the file fails further on */
      off += (long)n;
      if (pos == next_row) {
        take_row(r, (double)(pos - start) / rate, ea_host_outputs(h));
        hop_index++;
        next_row = hop_index * int_rate / EA_HOPS_PER_S;
        st->hop_index = hop_index;
        st->next_row = next_row;
      }
    }
    if (pos - start >= next_progress) {
      ea_progress_file_fraction(job, (double)(pos - start) / (double)total);
      next_progress += progress_step;
    }
  }
  total = r->audio.info.frames; /* a compressed stream's length is known at its end */
  if (pos - start != total) {
    snprintf(err, errlen, "truncated: %lld of %lld frames", (long long)(pos - start),
             (long long)total);
    return -1;
  }
  return 0;
}

/* Rows whose status is "model fault" (the model's output was not finite: its activations
 * overflowed; the plugin shows no emotion there) are said once per file, so a user does not
 * take those rows for silence. */
static void report_model_fault(const file_run *r, const char *path) {
  if (r->fault_rows)
    ea_msg("%s: warning: the model's output was not finite (its activations overflow) in %zu of "
           "%zu rows, from %.2f s: those rows show no emotion (status 3)",
           path, r->fault_rows, (size_t)r->acc.phrases.rows, r->first_fault);
}

/* Samples that were NaN or infinite (a broken float file) are heard as silence: an all-NaN
 * file reads "none" like a silent one. Said once per file, even with --quiet, as the note on
 * quiet files is; the exit status stays 0. */
static void report_nonfinite(const ea_audio *a, const char *path) {
  if (a->nonfinite)
    ea_msg("%s: warning: %lld of %lld samples are not finite (NaN or infinity): they were "
           "analysed as silence",
           path, (long long)a->nonfinite, (long long)a->file_position * a->info.channels);
}

/* Whether --skip-existing finds every output of f. */
static int outputs_exist(const ea_options *opt, const ea_file *f) {
  if (!opt->skip_existing || !opt->outdir)
    return 0;
  const char *ext = opt->format == EA_FORMAT_CSV ? "csv" : "jsonl";
  char *series_path = out_path(opt, f, ext);
  char *plot_path = opt->plot ? out_path(opt, f, opt->plot_format) : NULL;
  int found = exists(series_path) && (!opt->plot || exists(plot_path));
  free(series_path);
  free(plot_path);
  return found;
}

/* One file of a stream; skip: its outputs exist and its row comes from them. */
static void analyze_file(ea_host *h, const ea_columns *cols, const ea_options *opt,
                         const ea_file *f, int job, int skip, stream *st, ea_result *res) {
  char err[768] = "";
  const char *ext = opt->format == EA_FORMAT_CSV ? "csv" : "jsonl";
  char *series_path = opt->outdir ? out_path(opt, f, ext) : NULL;
  char *plot_path = opt->outdir && opt->plot ? out_path(opt, f, opt->plot_format) : NULL;
  memset(res, 0, sizeof *res);
  file_run r;
  memset(&r, 0, sizeof r);
  ea_summary_acc_init(&r.acc, cols->summary_window_rows, opt->labels);
  ea_host_set_log_name(h, f->path);

  if (opt->outdir && (!series_path || (opt->plot && !plot_path))) {
    snprintf(err, sizeof err, "out of memory");
    goto fail;
  }
  if (skip) {
    if (summarise_existing(h, cols, opt, f, series_path, res, err, sizeof err))
      goto fail;
    res->skipped = 1;
    goto done;
  }
  if (ea_audio_open(&r.audio, f->path, err, sizeof err))
    goto fail;
  int n = ea_host_n_outputs(h);
  r.names = malloc((size_t)n * sizeof *r.names);
  r.is_int = malloc((size_t)n * sizeof *r.is_int);
  if (!r.names || !r.is_int) {
    snprintf(err, sizeof err, "out of memory");
    goto fail;
  }
  for (int i = 0; i < n; i++) {
    r.names[i] = ea_host_output_symbol(h, i);
    r.is_int[i] = ea_host_output_is_integer(h, i);
  }
  ea_series_init(&r.series, n, r.names, r.is_int);
  r.cols = cols;
  if (!(r.row = malloc((size_t)n * sizeof *r.row))) {
    snprintf(err, sizeof err, "out of memory");
    goto fail;
  }
  r.plotting = plot_path != NULL;
  if (series_path) {
    if (make_parents(series_path, err, sizeof err) ||
        ea_series_writer_open(&r.out, &r.series, opt->format, series_path, err, sizeof err))
      goto fail;
    r.writing = 1;
  }
  if (run_file(h, opt, job, &r, st, err, sizeof err))
    goto fail;

  double duration = ea_audio_duration(&r.audio);
  if (r.resampled_from) {
    res->resampled_from = r.resampled_from;
    if (!opt->quiet)
      ea_msg("%s: resampled from %d Hz to %d Hz (the plugin takes %d-%d Hz)", f->path,
             r.resampled_from, EA_RESAMPLE_RATE, EA_MIN_RATE, EA_MAX_RATE);
  }
  report_band(res, &r, opt, h, f->path);
  res->telephone = ea_host_take_telephone(h);
  if (res->telephone && !opt->quiet)
    ea_msg("%s: telephone audio (nothing above 4 kHz at %d Hz): read by the narrowband model",
           f->path, r.audio.info.samplerate);
  report_model_fault(&r, f->path);
  report_nonfinite(&r.audio, f->path);
  ea_summary sum; /* the plot's legend shows it too */
  ea_summary_acc_finish(&r.acc, duration, &sum);
  /* The plot first: the series, written last through a rename, marks the file as done. */
  if (plot_path) {
    /* A plot that cannot be drawn is reported, and the analysis (series, summary row) is
     * kept: the file counts as failed only for the exit status, and --skip-existing draws
     * it again because the plot is missing. */
    if (make_parents(plot_path, err, sizeof err) ||
        ea_plot_render(&r.plot, &sum, f->path, plot_path, err, sizeof err)) {
      ea_msg("%s: plot not drawn: %s", f->path, err);
      res->plot_failed = 1;
      err[0] = '\0';
    }
  }
  if (r.writing) {
    r.writing = 0;
    if (ea_series_writer_commit(&r.out, err, sizeof err))
      goto fail;
  }
  hint_quiet(h, &r, &sum, f->path);
  res->row = ea_summary_row(f->path, &sum);
  res->duration_s = duration;
  if (!res->row) {
    snprintf(err, sizeof err, "out of memory");
    goto fail;
  }
  goto done;

fail:
  res->failed = 1;
  free(res->row);
  res->row = NULL;
  ea_msg("%s: skipped: %s", f->path, err);
done:
  ea_host_set_log_name(h, NULL);
  file_run_free(&r);
  free(series_path);
  free(plot_path);
}

void ea_analyze_session(ea_host *h, const ea_columns *cols, const ea_options *opt,
                        const ea_file_list *files, const size_t *member, size_t n, int job,
                        ea_result *results) {
  /* a session is re-run whole unless every file of it is done: its files' readings depend on
   * the files before them */
  int skip = n > 0;
  for (size_t k = 0; k < n && skip; k++)
    skip = outputs_exist(opt, &files->files[member[k]]);
  stream st;
  memset(&st, 0, sizeof st);
  for (size_t k = 0; k < n; k++) {
    analyze_file(h, cols, opt, &files->files[member[k]], job, skip, &st, &results[member[k]]);
    ea_progress_file_done(job);
  }
}
