/* emovox-analyze: batch emotion analysis of audio files through the Emovox LV2 plugin. main()
 * runs named steps: parse the command line (ea_cli.c), check the options, gather the files,
 * make one host per job, run the jobs, report. */
#include "ea_cli.h"
#include "ea_console.h"
#include "ea_files.h"
#include "ea_host.h"
#include "ea_job.h"
#include "emovox_protocol.h" /* EMOVOX_NARROWBAND_MAX_RATE */
#include "ev_analyzer.h"
#include "ea_plot.h"
#include "ea_session.h"
#include "ev_model.h"
#include "ev_stdout.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* mkdir -p dir: 0, or -1 + err naming the part that could not be made. */
static int mkdir_p(const char *dir, char *err, size_t errlen) {
  char *d = strdup(dir);
  if (!d) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  int rc = 0;
  for (char *p = d + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char c = *p;
    *p = '\0';
    struct stat st;
    if (mkdir(d, 0777) != 0 && errno != EEXIST) {
      snprintf(err, errlen, "cannot create %s: %s", d, strerror(errno));
      rc = -1;
    } else if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
      snprintf(err, errlen, "%s is not a directory", d);
      rc = -1;
    }
    *p = c;
    if (rc || c == '\0')
      break;
  }
  free(d);
  return rc;
}

/* The options' paths, checked before the batch starts. */
static int early_checks(const ea_options *opt, char *err, size_t errlen) {
  struct stat st;
  if (opt->host.model) {
    if (stat(opt->host.model, &st) != 0) {
      snprintf(err, errlen, "--model %s: %s", opt->host.model, strerror(errno));
      return -1;
    }
    if (!S_ISREG(st.st_mode) || access(opt->host.model, R_OK) != 0) {
      snprintf(err, errlen, "--model %s: not a readable file", opt->host.model);
      return -1;
    }
    /* The plugin would refuse a corrupt model at every file (each one "skipped", exit 1, the
     * reason twice per file); its loader here makes that one setup error before any work. */
    char why[768];
    ev_model *m = ev_model_load_file(opt->host.model, why, sizeof why);
    if (!m) {
      if (strstr(why, opt->host.model)) /* the loader's reason usually names the file */
        snprintf(err, errlen, "--model: %s", why);
      else
        snprintf(err, errlen, "--model %s: %s", opt->host.model, why);
      return -1;
    }
    ev_model_free(m);
  }
  if (opt->outdir) {
    char why[900];
    if (mkdir_p(opt->outdir, why, sizeof why)) {
      snprintf(err, errlen, "--outdir %s: %s", opt->outdir, why);
      return -1;
    }
    if (access(opt->outdir, W_OK) != 0) {
      snprintf(err, errlen, "--outdir %s: %s", opt->outdir, strerror(errno));
      return -1;
    }
  }
  if (opt->summary && strcmp(opt->summary, "-")) {
    char *dir = strdup(opt->summary);
    if (!dir) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    char *slash = strrchr(dir, '/');
    int rc = 0;
    char why[900];
    if (slash && slash != dir) {
      *slash = '\0';
      if (mkdir_p(dir, why, sizeof why)) {
        snprintf(err, errlen, "--summary %s: %s", opt->summary, why);
        rc = -1;
      }
    }
    const char *parent = slash ? (slash == dir ? "/" : dir) : ".";
    if (rc == 0 && stat(opt->summary, &st) == 0 && S_ISDIR(st.st_mode)) {
      snprintf(err, errlen, "--summary %s: is a directory", opt->summary);
      rc = -1;
    } else if (rc == 0 && (access(parent, W_OK) != 0 ||
                           (access(opt->summary, F_OK) == 0 && access(opt->summary, W_OK) != 0))) {
      snprintf(err, errlen, "--summary %s: %s", opt->summary, strerror(errno));
      rc = -1;
    }
    free(dir);
    return rc;
  }
  return 0;
}

typedef struct shared {
  const ea_options *opt;
  const ea_columns *cols;
  const ea_file_list *files;
  const ea_groups *groups; /* without --session: one file per group */
  ea_result *results;
  atomic_size_t next;
} shared;

typedef struct job {
  shared *sh;
  ea_host *host;
  int index;
  pthread_t thread;
} job;

static void *job_main(void *arg) {
  job *j = arg;
  shared *sh = j->sh;
  for (;;) {
    size_t g = atomic_fetch_add(&sh->next, 1);
    if (g >= sh->groups->n)
      break;
    const size_t first = sh->groups->start[g];
    ea_analyze_session(j->host, sh->cols, sh->opt, sh->files, sh->groups->member + first,
                       sh->groups->start[g + 1] - first, j->index, sh->results);
  }
  return NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A regular file (or a new one) is written as PATH.part and renamed over PATH when complete, as
 * the time series are: a full disk leaves neither a shortened summary that reads like the whole
 * run nor a lost earlier one. "-" and other files (/dev/null, a FIFO) are written in place. */
static int write_summary(const char *path, const ea_file_list *files, const ea_result *res) {
  const int to_stdout = !strcmp(path, "-");
  struct stat st;
  char *tmp = NULL;
  if (!to_stdout && (stat(path, &st) != 0 || S_ISREG(st.st_mode))) {
    size_t n = strlen(path) + sizeof ".part";
    if (!(tmp = malloc(n))) {
      ea_msg("cannot write the summary %s: out of memory", path);
      return -1;
    }
    snprintf(tmp, n, "%s.part", path);
  }
  FILE *f = to_stdout ? stdout : fopen(tmp ? tmp : path, "w");
  if (!f) {
    ea_msg("cannot write the summary %s: %s", tmp ? tmp : path, strerror(errno));
    free(tmp);
    return -1;
  }
  ea_summary_write_header(f);
  for (size_t i = 0; i < files->count; i++)
    if (res[i].row)
      fputs(res[i].row, f);
  int bad = ferror(f);
  if (f != stdout)
    bad |= fclose(f) != 0;
  else
    bad |= fflush(f) != 0;
  if (!bad && tmp && rename(tmp, path) != 0)
    bad = 1;
  if (bad) {
    int e = errno;
    if (tmp)
      remove(tmp);
    ea_msg("cannot write the summary %s: %s", path, strerror(e));
  }
  free(tmp);
  return bad ? -1 : 0;
}

/* What the options need of each other, and their paths: usage errors before any work. */
static int check_options(ea_cli *cli) {
  ea_options *opt = &cli->opt;
  char err[1024];
  if (cli->n_inputs == 0 && cli->n_lists == 0)
    return ea_cli_usage_error("%s", "no input files or directories given");
  if (opt->plot && !opt->outdir)
    return ea_cli_usage_error("%s", "--plot needs --outdir DIR to write the plots into");
  if (opt->skip_existing && !opt->outdir)
    return ea_cli_usage_error("%s",
                              "--skip-existing needs --outdir DIR (the outputs it looks for)");
  if (!opt->summary && !opt->outdir)
    opt->summary = "-";
  /* Typos and missing folders stop the run here, before any work, with one message; output
   * folders are created as mkdir -p would. */
  if (early_checks(opt, err, sizeof err))
    return ea_cli_usage_error("%s", err);
  return 0;
}

/* The file list (sorted, unique, then this shard) and its sessions (one file per group without
 * --session). 0, or the exit status with the message printed and nothing left to free. */
static int gather_files(const ea_cli *cli, ea_file_list *files, ea_groups *groups, size_t *n_all) {
  const ea_options *opt = &cli->opt;
  char err[1024];
  for (int i = 0; i < cli->n_inputs; i++)
    if (ea_files_add_input(files, cli->inputs[i], err, sizeof err))
      goto usage;
  for (int i = 0; i < cli->n_lists; i++)
    if (ea_files_add_list(files, cli->lists[i], err, sizeof err))
      goto usage;
  ea_files_sort_unique(files);
  *n_all = files->count;
  if (files->count == 0) {
    snprintf(err, sizeof err, "no audio files found in the inputs");
    goto usage;
  }
  long renamed = opt->outdir ? ea_files_disambiguate(files, err, sizeof err) : 0;
  if (renamed < 0)
    goto usage;
  if (renamed > 0 && !opt->quiet)
    ea_msg("%ld inputs share a name with another (x.flac and x.mp3): their outputs keep the "
           "audio extension (x.flac.csv, x.mp3.csv)",
           renamed);
  if (cli->session == EA_SESSION_NONE) {
    ea_files_shard(files, (size_t)cli->shard_index, (size_t)cli->shard_count);
  } else if (cli->shard_count > 1) { /* a session is never split between shards */
    if (ea_groups_make(files, cli->session, &cli->session_re, 0, groups)) {
      snprintf(err, sizeof err, "out of memory");
      goto usage;
    }
    ea_groups_shard(files, groups, (size_t)cli->shard_index, (size_t)cli->shard_count);
    ea_groups_free(groups);
  }
  if (ea_groups_make(files, cli->session, &cli->session_re, 1, groups)) {
    snprintf(err, sizeof err, "out of memory");
    goto usage;
  }
  if (opt->outdir && ea_files_check_names(files, err, sizeof err))
    goto usage_groups;
  if (opt->outdir && mkdir(opt->outdir, 0777) != 0 && errno != EEXIST) {
    snprintf(err, sizeof err, "--outdir %s: %s", opt->outdir, strerror(errno));
    goto usage_groups;
  }
  return 0;
usage_groups:
  ea_groups_free(groups);
usage:
  ea_files_free(files);
  return ea_cli_usage_error("%s", err);
}

/* One host (own lilv world, own instance) per job, all made before any work starts; the
 * columns from the first. 0, or 2 with the message printed and the hosts freed. */
static int make_hosts(const ea_options *opt, job *jobs, int n_jobs, ea_columns *cols) {
  char err[1024];
  for (int j = 0; j < n_jobs; j++) {
    jobs[j].host = ea_host_new(&opt->host, err, sizeof err);
    if (!jobs[j].host || (j == 0 && ea_columns_find(jobs[0].host, cols, err, sizeof err))) {
      for (int k = 0; k <= j; k++)
        ea_host_free(jobs[k].host);
      fprintf(stderr, "emovox-analyze: %s\n", err);
      return 2;
    }
  }
  return 0;
}

/* Runs the groups on n_jobs threads (the main thread is job 0); returns the seconds taken. */
static double run_jobs(shared *sh, job *jobs, int n_jobs) {
  double t0 = now();
  ea_progress_start(!sh->opt->quiet && isatty(STDERR_FILENO), sh->files->count);
  for (int j = 0; j < n_jobs; j++) {
    jobs[j].sh = sh;
    jobs[j].index = j;
  }
  int started = 0;
  for (int j = 1; j < n_jobs; j++, started++)
    if (pthread_create(&jobs[j].thread, NULL, job_main, &jobs[j]) != 0)
      break;
  job_main(&jobs[0]);
  for (int j = 1; j <= started; j++)
    pthread_join(jobs[j].thread, NULL);
  ea_progress_stop();
  return now() - t0;
}

/* The summary file and the final tally; the exit status (1 if anything failed). */
static int report(const ea_cli *cli, const ea_file_list *files, const ea_result *results,
                  size_t n_all, int n_jobs, double elapsed) {
  int rc = 0;
  size_t n_ok = 0, n_failed = 0, n_skipped = 0, n_no_plot = 0, n_resampled = 0,
         n_band[EV_BAND_EXCESS + 1] = {0}, n_telephone = 0;
  double audio_s = 0;
  for (size_t i = 0; i < files->count; i++) {
    n_failed += results[i].failed;
    n_skipped += results[i].skipped;
    n_no_plot += results[i].plot_failed;
    n_resampled += results[i].resampled_from != 0;
    n_telephone += results[i].telephone != 0;
    if (results[i].band_kind >= 0 && results[i].band_kind <= EV_BAND_EXCESS)
      n_band[results[i].band_kind]++;
    n_ok += !results[i].failed && !results[i].skipped;
    if (!results[i].failed && !results[i].skipped)
      audio_s += results[i].duration_s;
  }
  if (cli->opt.summary && write_summary(cli->opt.summary, files, results))
    rc = 1;
  if (!cli->opt.quiet) {
    char shard_text[64] = "", plot_text[64] = "";
    if (n_no_plot)
      snprintf(plot_text, sizeof plot_text, ", %zu plot%s not drawn", n_no_plot,
               n_no_plot == 1 ? "" : "s");
    char rs_text[320] = "";
    if (n_resampled)
      snprintf(rs_text, sizeof rs_text, ", %zu of them resampled to %d Hz", n_resampled,
               EA_RESAMPLE_RATE);
    /* after the resampling's text: "..., 2 of them below 16 kHz (unreliable)" */
    static const char *const band_text[EV_BAND_EXCESS + 1] = {
        NULL, "at 8 kHz (read by the narrowband model)", "below 16 kHz (unreliable)",
        "wider than the model's band (unreliable)"};
    for (int k = EV_BAND_NARROW; k <= EV_BAND_EXCESS; k++)
      if (n_band[k])
        snprintf(rs_text + strlen(rs_text), sizeof rs_text - strlen(rs_text), ", %zu of them %s",
                 n_band[k], band_text[k]);
    if (n_telephone)
      snprintf(rs_text + strlen(rs_text), sizeof rs_text - strlen(rs_text),
               ", %zu of them telephone audio (read by the narrowband model)", n_telephone);
    if (cli->shard_count > 1)
      snprintf(shard_text, sizeof shard_text, " (shard %ld/%ld of %zu files)", cli->shard_index,
               cli->shard_count, n_all);
    ea_msg("%zu analysed%s (%.1f s of audio in %.2f s, %.0fx realtime, %d job%s), %zu skipped as "
           "existing, %zu failed%s%s",
           n_ok, rs_text, audio_s, elapsed, elapsed > 0 ? audio_s / elapsed : 0.0, n_jobs,
           n_jobs == 1 ? "" : "s", n_skipped, n_failed, plot_text, shard_text);
  }
  if (n_failed || n_no_plot)
    rc = 1;
  return rc;
}

/* Everything after the command line: check, gather, make the hosts, run, report. */
static int analyze(ea_cli *cli) {
  int rc = check_options(cli);
  if (rc)
    return rc;
  ea_file_list files = {0};
  ea_groups groups;
  size_t n_all = 0;
  if ((rc = gather_files(cli, &files, &groups, &n_all)))
    return rc;
  int n_jobs = cli->opt.jobs < (int)groups.n ? cli->opt.jobs : (int)(groups.n ? groups.n : 1);
  job jobs[EA_MAX_JOBS];
  memset(jobs, 0, sizeof jobs);
  ea_columns cols;
  ea_result *results = NULL;
  if ((rc = make_hosts(&cli->opt, jobs, n_jobs, &cols)))
    goto out;
  /* which model answers, before the work: results are only comparable from the same one */
  if (!cli->opt.quiet && ea_host_model_label(jobs[0].host)[0]) {
    const char *wide = ea_host_model_label(jobs[0].host),
               *narrow = ea_host_model_label_at(jobs[0].host, EMOVOX_NARROWBAND_MAX_RATE);
    if (narrow[0] && strcmp(narrow, wide)) /* the bundle's model for 8 kHz files */
      ea_msg("model %s (%s for files at 8 kHz)", wide, narrow);
    else
      ea_msg("model %s", wide);
  }
  results = calloc(files.count + 1, sizeof *results);
  if (!results) {
    fprintf(stderr, "emovox-analyze: out of memory\n");
    rc = 2;
  } else {
    shared sh = {&cli->opt, &cols, &files, &groups, results, 0};
    double elapsed = run_jobs(&sh, jobs, n_jobs);
    rc = report(cli, &files, results, n_all, n_jobs, elapsed);
    for (size_t i = 0; i < files.count; i++)
      free(results[i].row);
    free(results);
  }
  for (int j = 0; j < n_jobs; j++)
    ea_host_free(jobs[j].host);
out:
  ea_groups_free(&groups);
  ea_files_free(&files);
  if (cli->opt.plot) /* release the font caches cairo's text filled (leak checkers see them) */
    ea_plot_release_fonts();
  return rc;
}

int main(int argc, char **argv) {
  ea_cli cli;
  int rc = ea_cli_parse(&cli, argc, argv); /* -1: --help or --version printed */
  if (rc == 0)
    rc = analyze(&cli);
  ea_cli_free(&cli);
  /* --help or --version lost on a full disk exits 1 (ev_stdout.h); the summary on standard
   * output is checked where it is written. The progress bar has stopped: the reason goes to
   * standard error as ea_msg would write it. */
  return ev_stdout_status("emovox-analyze", rc < 0 ? 0 : rc);
}
