/* emovox-analyze: batch emotion analysis of audio files through the Emovox LV2 plugin. */
#include "ea_console.h"
#include "ea_files.h"
#include "ea_host.h"
#include "ea_job.h"
#include "ea_plot.h"
#include "ea_session.h"
#include "emovox_protocol.h"

#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SETTINGS 64
#define MAX_JOBS     256

static void usage(FILE *f) {
  fputs("Usage: emovox-analyze [OPTIONS] INPUT...\n"
        "Analyses speech emotion in audio files through the Emovox LV2 plugin, as a host would.\n"
        "INPUTs are audio files (any format libsndfile reads, any rate and channel count) or\n"
        "directories, searched recursively for audio files.\n"
        "\n"
        "Outputs:\n"
        "  -o, --outdir DIR        write one time series per file below DIR (a row every 10 ms:\n"
        "                          time_s and every control output of the plugin)\n"
        "  -f, --format FMT        csv (default) or jsonl\n"
        "  -s, --summary FILE      write the per-file summary CSV (\"-\": stdout); without\n"
        "                          --outdir and --summary the summary goes to stdout\n"
        "      --plot              also draw a timeline per file into DIR (needs --outdir)\n"
        "      --plot-format EXT   png (default), svg or pdf\n"
        "Plugin:\n"
        "  -m, --model FILE        load this model (.safetensors) into the plugin first\n"
        "      --set SYMBOL=VALUE  set a control input, e.g. --set response_ms=300 (repeatable)\n"
        "      --plugin URI        plugin to load (default " EMOVOX_URI_MONO ";\n"
        "                          \"stereo\" for " EMOVOX_URI_STEREO ")\n"
        "      --bundle PATH       load the plugin from this bundle only (default: LV2_PATH,\n"
        "                          ~/.lv2, /usr/lib/lv2, ...)\n"
        "  -b, --block N           largest block given to the plugin (default 512)\n"
        "Batch:\n"
        "  -l, --list FILE         read inputs from FILE, one per line (\"-\": stdin)\n"
        "  -j, --jobs N            analyse N files at a time (default 1)\n"
        "      --shard I/N         only files whose index in the sorted list is I modulo N\n"
        "      --skip-existing     skip files whose outputs exist (their summary rows are\n"
        "                          recomputed from the written time series)\n"
        "Sessions:\n"
        "      --session           the files of each directory go through one plugin instance,\n"
        "                          one after another in sorted order, as one recording; each\n"
        "                          file still gets its own time series and summary row\n"
        "      --session-regex RE  sessions by the first capture group of the extended regular\n"
        "                          expression RE on the file name, e.g. '^([0-9]+)_'\n"
        "  -q, --quiet             no progress bar and no final tally\n"
        "  -v, --verbose           also print the plugin's notes and traces\n"
        "  -h, --help              this help;  -V, --version\n"
        "\n"
        "Exit status: 0 all files analysed, 1 some files failed (each reported with the reason),\n"
        "2 usage or setup error. See docs/analyze.md for cluster use (GNU parallel, Slurm).\n",
        f);
}

static int usage_error(const char *fmt, const char *arg) {
  fputs("emovox-analyze: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs("\nTry 'emovox-analyze --help'.\n", stderr);
  return 2;
}

static int parse_long(const char *s, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

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

static int write_summary(const char *path, const ea_file_list *files, const ea_result *res) {
  FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
  if (!f) {
    ea_msg("cannot write the summary %s: %s", path, strerror(errno));
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
  if (bad) {
    ea_msg("cannot write the summary %s: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  ea_options opt;
  memset(&opt, 0, sizeof opt);
  opt.host.plugin_uri = EMOVOX_URI_MONO;
  opt.host.block = 512;
  opt.format = EA_FORMAT_CSV;
  opt.plot_format = "png";
  opt.jobs = 1;
  ea_setting settings[MAX_SETTINGS];
  int n_settings = 0;
  const char *lists[64];
  int n_lists = 0;
  long shard_index = 0, shard_count = 1;
  int rc = 0;

  enum {
    OPT_PLOT = 256,
    OPT_PLOT_FORMAT,
    OPT_SET,
    OPT_PLUGIN,
    OPT_BUNDLE,
    OPT_SHARD,
    OPT_SKIP,
    OPT_SESSION,
    OPT_SESSION_REGEX
  };
  ea_session_mode session = EA_SESSION_NONE;
  regex_t session_re;
  memset(&session_re, 0, sizeof session_re);
  static const struct option longopts[] = {
      {"outdir", required_argument, 0, 'o'},
      {"format", required_argument, 0, 'f'},
      {"summary", required_argument, 0, 's'},
      {"plot", no_argument, 0, OPT_PLOT},
      {"plot-format", required_argument, 0, OPT_PLOT_FORMAT},
      {"model", required_argument, 0, 'm'},
      {"set", required_argument, 0, OPT_SET},
      {"plugin", required_argument, 0, OPT_PLUGIN},
      {"bundle", required_argument, 0, OPT_BUNDLE},
      {"block", required_argument, 0, 'b'},
      {"list", required_argument, 0, 'l'},
      {"jobs", required_argument, 0, 'j'},
      {"shard", required_argument, 0, OPT_SHARD},
      {"skip-existing", no_argument, 0, OPT_SKIP},
      {"session", no_argument, 0, OPT_SESSION},
      {"session-regex", required_argument, 0, OPT_SESSION_REGEX},
      {"quiet", no_argument, 0, 'q'},
      {"verbose", no_argument, 0, 'v'},
      {"help", no_argument, 0, 'h'},
      {"version", no_argument, 0, 'V'},
      {0, 0, 0, 0}};
  int c;
  long v;
  while ((c = getopt_long(argc, argv, "o:f:s:m:b:l:j:qvhV", longopts, NULL)) != -1) {
    switch (c) {
    case 'o':
      opt.outdir = optarg;
      break;
    case 'f':
      if (!strcmp(optarg, "csv"))
        opt.format = EA_FORMAT_CSV;
      else if (!strcmp(optarg, "jsonl"))
        opt.format = EA_FORMAT_JSONL;
      else
        return usage_error("--format %s: use csv or jsonl", optarg);
      break;
    case 's':
      opt.summary = optarg;
      break;
    case OPT_PLOT:
      opt.plot = 1;
      break;
    case OPT_PLOT_FORMAT:
      if (strcmp(optarg, "png") && strcmp(optarg, "svg") && strcmp(optarg, "pdf"))
        return usage_error("--plot-format %s: use png, svg or pdf", optarg);
      opt.plot_format = optarg;
      opt.plot = 1;
      break;
    case 'm':
      opt.host.model = optarg;
      break;
    case OPT_SET: {
      char *eq = strchr(optarg, '=');
      char *end;
      if (!eq || eq == optarg)
        return usage_error("--set %s: expected SYMBOL=VALUE", optarg);
      if (n_settings == MAX_SETTINGS)
        return usage_error("--set %s: too many settings", optarg);
      errno = 0;
      float value = strtof(eq + 1, &end);
      if (errno || end == eq + 1 || *end)
        return usage_error("--set %s: the value is not a number", optarg);
      if (!isfinite(value)) /* strtof reads "nan" and "inf" without an error */
        return usage_error("--set %s: the value must be a finite number", optarg);
      *eq = '\0'; /* the symbol stays in argv: nothing to free on any exit path */
      settings[n_settings].symbol = optarg;
      settings[n_settings].value = value;
      n_settings++;
      break;
    }
    case OPT_PLUGIN:
      opt.host.plugin_uri = !strcmp(optarg, "stereo") ? EMOVOX_URI_STEREO
                            : !strcmp(optarg, "mono") ? EMOVOX_URI_MONO
                                                      : optarg;
      break;
    case OPT_BUNDLE:
      opt.host.bundle = optarg;
      break;
    case 'b':
      if (parse_long(optarg, 1, 1 << 20, &v))
        return usage_error("--block %s: expected 1..1048576 samples", optarg);
      opt.host.block = (uint32_t)v;
      break;
    case 'l':
      if (n_lists == 64)
        return usage_error("--list %s: too many lists", optarg);
      lists[n_lists++] = optarg;
      break;
    case 'j':
      if (parse_long(optarg, 1, MAX_JOBS, &v))
        return usage_error("--jobs %s: expected 1..256", optarg);
      opt.jobs = (int)v;
      break;
    case OPT_SHARD: {
      char *slash = strchr(optarg, '/');
      if (!slash)
        return usage_error("--shard %s: expected I/N, e.g. 0/4", optarg);
      *slash = '\0';
      if (parse_long(slash + 1, 1, LONG_MAX, &shard_count) ||
          parse_long(optarg, 0, shard_count - 1, &shard_index)) {
        *slash = '/';
        return usage_error("--shard %s: expected I/N with 0 <= I < N", optarg);
      }
      *slash = '/';
      break;
    }
    case OPT_SKIP:
      opt.skip_existing = 1;
      break;
    case OPT_SESSION:
      if (session == EA_SESSION_NONE)
        session = EA_SESSION_DIR;
      break;
    case OPT_SESSION_REGEX: {
      if (session == EA_SESSION_REGEX)
        regfree(&session_re);
      int rerr = regcomp(&session_re, optarg, REG_EXTENDED);
      if (rerr) {
        char why[256];
        regerror(rerr, &session_re, why, sizeof why);
        fprintf(stderr, "emovox-analyze: --session-regex %s: %s\n", optarg, why);
        return 2;
      }
      if (session_re.re_nsub < 1) {
        regfree(&session_re);
        return usage_error("--session-regex %s: needs a capture group (...) naming the session",
                           optarg);
      }
      session = EA_SESSION_REGEX;
      break;
    }
    case 'q':
      opt.quiet = 1;
      break;
    case 'v':
      opt.host.verbose = 1;
      break;
    case 'h':
      usage(stdout);
      return 0;
    case 'V':
      printf("emovox-analyze " EMOVOX_VERSION "\n");
      return 0;
    default:
      fputs("Try 'emovox-analyze --help'.\n", stderr);
      return 2;
    }
  }
  char err[1024];
  opt.host.settings = settings;
  opt.host.n_settings = n_settings;
  if (optind >= argc && n_lists == 0)
    return usage_error("%s", "no input files or directories given");
  if (opt.plot && !opt.outdir)
    return usage_error("%s", "--plot needs --outdir DIR to write the plots into");
  if (opt.skip_existing && !opt.outdir)
    return usage_error("%s", "--skip-existing needs --outdir DIR (the outputs it looks for)");
  if (!opt.summary && !opt.outdir)
    opt.summary = "-";
  /* Typos and missing folders stop the run here, before any work, with one message; output
   * folders are created as mkdir -p would. */
  if (early_checks(&opt, err, sizeof err))
    return usage_error("%s", err);

  /* The file list: sorted, unique, then this shard. */
  ea_file_list files = {0};
  for (int i = optind; i < argc; i++)
    if (ea_files_add_input(&files, argv[i], err, sizeof err)) {
      ea_files_free(&files);
      return usage_error("%s", err);
    }
  for (int i = 0; i < n_lists; i++)
    if (ea_files_add_list(&files, lists[i], err, sizeof err)) {
      ea_files_free(&files);
      return usage_error("%s", err);
    }
  ea_files_sort_unique(&files);
  size_t n_all = files.count;
  if (n_all == 0) {
    ea_files_free(&files);
    return usage_error("%s", "no audio files found in the inputs");
  }
  long renamed = opt.outdir ? ea_files_disambiguate(&files, err, sizeof err) : 0;
  if (renamed < 0) {
    ea_files_free(&files);
    return usage_error("%s", err);
  }
  if (renamed > 0 && !opt.quiet)
    ea_msg("%ld inputs share a name with another (x.flac and x.mp3): their outputs keep the "
           "audio extension (x.flac.csv, x.mp3.csv)",
           renamed);
  ea_groups groups;
  if (session == EA_SESSION_NONE) {
    ea_files_shard(&files, (size_t)shard_index, (size_t)shard_count);
  } else if (shard_count > 1) { /* a session is never split between shards */
    if (ea_groups_make(&files, session, &session_re, 0, &groups)) {
      ea_files_free(&files);
      return usage_error("%s", "out of memory");
    }
    ea_groups_shard(&files, &groups, (size_t)shard_index, (size_t)shard_count);
    ea_groups_free(&groups);
  }
  if (ea_groups_make(&files, session, &session_re, 1, &groups)) {
    ea_files_free(&files);
    return usage_error("%s", "out of memory");
  }
  if (session == EA_SESSION_REGEX)
    regfree(&session_re);
  if (opt.outdir && ea_files_check_names(&files, err, sizeof err)) {
    ea_groups_free(&groups);
    ea_files_free(&files);
    return usage_error("%s", err);
  }
  if (opt.outdir && mkdir(opt.outdir, 0777) != 0 && errno != EEXIST) {
    ea_groups_free(&groups);
    ea_files_free(&files);
    snprintf(err, sizeof err, "--outdir %s: %s", opt.outdir, strerror(errno));
    return usage_error("%s", err);
  }

  /* One host (own lilv world, own instance) per job, all made before any work starts. */
  int n_jobs = opt.jobs < (int)groups.n ? opt.jobs : (int)(groups.n ? groups.n : 1);
  job jobs[MAX_JOBS];
  memset(jobs, 0, sizeof jobs);
  ea_columns cols;
  for (int j = 0; j < n_jobs; j++) {
    jobs[j].host = ea_host_new(&opt.host, err, sizeof err);
    if (!jobs[j].host || (j == 0 && ea_columns_find(jobs[0].host, &cols, err, sizeof err))) {
      for (int k = 0; k <= j; k++)
        ea_host_free(jobs[k].host);
      ea_groups_free(&groups);
      ea_files_free(&files);
      fprintf(stderr, "emovox-analyze: %s\n", err);
      return 2;
    }
  }

  ea_result *results = calloc(files.count + 1, sizeof *results);
  if (!results) {
    fprintf(stderr, "emovox-analyze: out of memory\n");
    return 2;
  }
  shared sh = {&opt, &cols, &files, &groups, results, 0};
  double t0 = now();
  ea_progress_start(!opt.quiet && isatty(STDERR_FILENO), files.count);
  for (int j = 0; j < n_jobs; j++) {
    jobs[j].sh = &sh;
    jobs[j].index = j;
  }
  int started = 0;
  for (int j = 1; j < n_jobs; j++, started++)
    if (pthread_create(&jobs[j].thread, NULL, job_main, &jobs[j]) != 0)
      break;
  job_main(&jobs[0]); /* the main thread is job 0 */
  for (int j = 1; j <= started; j++)
    pthread_join(jobs[j].thread, NULL);
  ea_progress_stop();
  double elapsed = now() - t0;

  size_t n_ok = 0, n_failed = 0, n_skipped = 0, n_no_plot = 0, n_resampled = 0;
  double audio_s = 0;
  for (size_t i = 0; i < files.count; i++) {
    n_failed += results[i].failed;
    n_skipped += results[i].skipped;
    n_no_plot += results[i].plot_failed;
    n_resampled += results[i].resampled_from != 0;
    n_ok += !results[i].failed && !results[i].skipped;
    if (!results[i].failed && !results[i].skipped)
      audio_s += results[i].duration_s;
  }
  if (opt.summary && write_summary(opt.summary, &files, results))
    rc = 1;
  if (!opt.quiet) {
    char shard_text[64] = "", plot_text[64] = "";
    if (n_no_plot)
      snprintf(plot_text, sizeof plot_text, ", %zu plot%s not drawn", n_no_plot,
               n_no_plot == 1 ? "" : "s");
    char rs_text[96] = "";
    if (n_resampled)
      snprintf(rs_text, sizeof rs_text, ", %zu of them resampled to %d Hz", n_resampled,
               EA_RESAMPLE_RATE);
    if (shard_count > 1)
      snprintf(shard_text, sizeof shard_text, " (shard %ld/%ld of %zu files)", shard_index,
               shard_count, n_all);
    ea_msg("%zu analysed%s (%.1f s of audio in %.2f s, %.0fx realtime, %d job%s), %zu skipped as "
           "existing, %zu failed%s%s",
           n_ok, rs_text, audio_s, elapsed, elapsed > 0 ? audio_s / elapsed : 0.0, n_jobs,
           n_jobs == 1 ? "" : "s", n_skipped, n_failed, plot_text, shard_text);
  }
  if (n_failed || n_no_plot)
    rc = 1;

  for (size_t i = 0; i < files.count; i++)
    free(results[i].row);
  free(results);
  for (int j = 0; j < n_jobs; j++)
    ea_host_free(jobs[j].host);
  ea_groups_free(&groups);
  ea_files_free(&files);
  if (opt.plot) /* release the font caches cairo's text filled (leak checkers see them) */
    ea_plot_release_fonts();
  return rc;
}
