#include "ea_cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "emovox_protocol.h"
#include "ev_emotions.h"

#define HELP_COLUMN 26 /* where the help text starts: "  -o, " + the option padded to 20 */

static int parse_long(const char *s, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

int ea_cli_usage_error(const char *fmt, const char *arg) {
  fputs("emovox-analyze: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs("\nTry 'emovox-analyze --help'.\n", stderr);
  return 2;
}

/* ---- what each option does: 0, or the exit status (message printed) ---- */

static int set_format(ea_cli *c, char *a) {
  if (!strcmp(a, "csv"))
    c->opt.format = EA_FORMAT_CSV;
  else if (!strcmp(a, "jsonl"))
    c->opt.format = EA_FORMAT_JSONL;
  else
    return ea_cli_usage_error("--format %s: use csv or jsonl", a);
  return 0;
}
static int set_plot_format(ea_cli *c, char *a) {
  if (strcmp(a, "png") && strcmp(a, "svg") && strcmp(a, "pdf"))
    return ea_cli_usage_error("--plot-format %s: use png, svg or pdf", a);
  c->opt.plot_format = a;
  c->opt.plot = 1;
  return 0;
}
static int add_setting(ea_cli *c, char *a) {
  char *eq = strchr(a, '=');
  char *end;
  if (!eq || eq == a)
    return ea_cli_usage_error("--set %s: expected SYMBOL=VALUE", a);
  if (c->opt.host.n_settings == EA_MAX_SETTINGS)
    return ea_cli_usage_error("--set %s: too many settings", a);
  errno = 0;
  float value = strtof(eq + 1, &end);
  if (errno || end == eq + 1 || *end)
    return ea_cli_usage_error("--set %s: the value is not a number", a);
  if (!isfinite(value)) /* strtof reads "nan" and "inf" without an error */
    return ea_cli_usage_error("--set %s: the value must be a finite number", a);
  *eq = '\0'; /* the symbol stays in argv: nothing to free on any exit path */
  c->settings[c->opt.host.n_settings].symbol = a;
  c->settings[c->opt.host.n_settings].value = value;
  c->opt.host.n_settings++;
  return 0;
}
static int set_plugin(ea_cli *c, char *a) {
  c->opt.host.plugin_uri = !strcmp(a, "stereo") ? EMOVOX_URI_STEREO
                           : !strcmp(a, "mono") ? EMOVOX_URI_MONO
                                                : a;
  return 0;
}
static int set_block(ea_cli *c, char *a) {
  long v;
  if (parse_long(a, 1, 1 << 20, &v))
    return ea_cli_usage_error("--block %s: expected 1..1048576 samples", a);
  c->opt.host.block = (uint32_t)v;
  return 0;
}
static int set_labels(ea_cli *c, char *a) {
  unsigned mask;
  char why[256];
  if (ev_emotion_mask_from_list(a, &mask, why, sizeof why)) {
    char msg[512];
    snprintf(msg, sizeof msg, "--labels %s: %s", a, why);
    return ea_cli_usage_error("%s", msg);
  }
  c->opt.labels = mask == EV_EMOTION_MASK_ALL ? 0u : mask; /* all eight: no restriction */
  return 0;
}
static int add_list(ea_cli *c, char *a) {
  if (c->n_lists == EA_MAX_LISTS)
    return ea_cli_usage_error("--list %s: too many lists", a);
  c->lists[c->n_lists++] = a;
  return 0;
}
static int set_jobs(ea_cli *c, char *a) {
  long v;
  if (parse_long(a, 1, EA_MAX_JOBS, &v))
    return ea_cli_usage_error("--jobs %s: expected 1..256", a);
  c->opt.jobs = (int)v;
  return 0;
}
static int set_shard(ea_cli *c, char *a) {
  char *slash = strchr(a, '/');
  if (!slash)
    return ea_cli_usage_error("--shard %s: expected I/N, e.g. 0/4", a);
  *slash = '\0';
  int bad = parse_long(slash + 1, 1, LONG_MAX, &c->shard_count) ||
            parse_long(a, 0, c->shard_count - 1, &c->shard_index);
  *slash = '/';
  return bad ? ea_cli_usage_error("--shard %s: expected I/N with 0 <= I < N", a) : 0;
}
static int set_session(ea_cli *c, char *a) {
  (void)a;
  if (c->session == EA_SESSION_NONE)
    c->session = EA_SESSION_DIR;
  return 0;
}
static int set_session_regex(ea_cli *c, char *a) {
  if (c->session == EA_SESSION_REGEX)
    regfree(&c->session_re);
  c->session = EA_SESSION_NONE; /* until the new expression compiles */
  int rerr = regcomp(&c->session_re, a, REG_EXTENDED);
  if (rerr) {
    char why[256];
    regerror(rerr, &c->session_re, why, sizeof why);
    fprintf(stderr, "emovox-analyze: --session-regex %s: %s\n", a, why);
    return 2;
  }
  if (c->session_re.re_nsub < 1) {
    regfree(&c->session_re);
    return ea_cli_usage_error("--session-regex %s: needs a capture group (...) naming the session",
                              a);
  }
  c->session = EA_SESSION_REGEX;
  return 0;
}
static int show_help(ea_cli *c, char *a) {
  (void)c, (void)a;
  ea_cli_usage(stdout);
  return -1;
}
static int show_version(ea_cli *c, char *a) {
  (void)c, (void)a;
  printf("emovox-analyze " EMOVOX_VERSION "\n");
  return -1;
}

/* ---- the table: --help lists the options in this order, under the section lines ---- */

/* What an option does: apply(), or (apply NULL) store its argument in the const char *
 * field at `field` of ea_cli, or, without an argument, set the int field there to 1. */
typedef struct cli_option {
  const char *name; /* long name; NULL: a section title (help) */
  char letter;      /* short option, 0: none */
  const char *arg;  /* argument name, NULL: none */
  const char *help; /* lines after the first start at HELP_COLUMN; NULL: not listed */
  int (*apply)(ea_cli *c, char *arg);
  size_t field; /* offsetof(ea_cli, ...) when apply is NULL */
} cli_option;
#define STORE(member) NULL, offsetof(ea_cli, member)
#define CALL(fn)      fn, 0
#define SECTION(title)                                                                             \
  { NULL, 0, NULL, title, NULL, 0 }

static const cli_option options[] = {
    SECTION("Outputs:"),
    {"outdir", 'o', "DIR",
     "write one time series per file below DIR (a row every 10 ms:\n"
     "time_s and every control output of the plugin)",
     STORE(opt.outdir)},
    {"format", 'f', "FMT", "csv (default) or jsonl", CALL(set_format)},
    {"summary", 's', "FILE",
     "write the per-file summary CSV (\"-\": stdout): duration,\n"
     "speech ratio, dominant, the eight probabilities, arousal and\n"
     "valence; without --outdir and --summary it goes to stdout",
     STORE(opt.summary)},
    {"labels", 0, "LIST",
     "score the summary over these emotions only: dominant = the\n"
     "most probable of them, probabilities renormalised over them;\n"
     "e.g. --labels neutral,happy,sad,angry. The time series keep\n"
     "the plugin's outputs.",
     CALL(set_labels)},
    {"plot", 0, NULL, "also draw a timeline per file into DIR (needs --outdir)", STORE(opt.plot)},
    {"plot-format", 0, "EXT", "png (default), svg or pdf", CALL(set_plot_format)},
    SECTION("Plugin:"),
    {"model", 'm', "FILE", "load this model (.safetensors) into the plugin first",
     STORE(opt.host.model)},
    {"set", 0, "SYMBOL=VALUE", "set a control input, e.g. --set response_ms=300 (repeatable)",
     CALL(add_setting)},
    {"plugin", 0, "URI",
     "plugin to load (default " EMOVOX_URI_MONO ";\n\"stereo\" for " EMOVOX_URI_STEREO ")",
     CALL(set_plugin)},
    {"bundle", 0, "PATH",
     "load the plugin from this bundle only (default: LV2_PATH,\n~/.lv2, /usr/lib/lv2, ...)",
     STORE(opt.host.bundle)},
    {"block", 'b', "N", "largest block given to the plugin (default 512)", CALL(set_block)},
    SECTION("Batch:"),
    {"list", 'l', "FILE", "read inputs from FILE, one per line (\"-\": stdin)", CALL(add_list)},
    {"jobs", 'j', "N", "analyse N files at a time (default 1)", CALL(set_jobs)},
    {"shard", 0, "I/N", "only files whose index in the sorted list is I modulo N", CALL(set_shard)},
    {"skip-existing", 0, NULL,
     "skip files whose outputs exist (their summary rows are\n"
     "recomputed from the written time series)",
     STORE(opt.skip_existing)},
    SECTION("Sessions:"),
    {"session", 0, NULL,
     "the files of each directory go through one plugin instance,\n"
     "one after another in sorted order, as one recording; each\n"
     "file still gets its own time series and summary row",
     CALL(set_session)},
    {"session-regex", 0, "RE",
     "sessions by the first capture group of the extended regular\n"
     "expression RE on the file name, e.g. '^([0-9]+)_'",
     CALL(set_session_regex)},
    {"quiet", 'q', NULL, "no progress bar and no final tally", STORE(opt.quiet)},
    {"verbose", 'v', NULL, "also print the plugin's notes and traces", STORE(opt.host.verbose)},
    {"help", 'h', NULL, "this help;  -V, --version", CALL(show_help)},
    {"version", 'V', NULL, NULL, CALL(show_version)},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

/* One option's lines of --help. */
static void print_option(FILE *f, const cli_option *o) {
  char head[64];
  snprintf(head, sizeof head, "%s--%s%s%s", o->letter ? "-?, " : "    ", o->name, o->arg ? " " : "",
           o->arg ? o->arg : "");
  if (o->letter)
    head[1] = o->letter;
  fprintf(f, "  %-*s", HELP_COLUMN - 2, head);
  for (const char *line = o->help; *line;) {
    size_t n = strcspn(line, "\n");
    fprintf(f, "%.*s\n", (int)n, line);
    line += n;
    if (*line == '\n') {
      line++;
      fprintf(f, "%*s", HELP_COLUMN, "");
    }
  }
}

void ea_cli_usage(FILE *f) {
  fputs("Usage: emovox-analyze [OPTIONS] INPUT...\n"
        "Analyses speech emotion in audio files through the Emovox LV2 plugin, as a host would.\n"
        "INPUTs are audio files (any format libsndfile reads, any rate and channel count) or\n"
        "directories, searched recursively for audio files.\n"
        "\n",
        f);
  for (size_t i = 0; i < N_OPTIONS; i++) {
    if (!options[i].name)
      fprintf(f, "%s\n", options[i].help);
    else if (options[i].help)
      print_option(f, &options[i]);
  }
  fputs("\n"
        "Exit status: 0 all files analysed, 1 some files failed (each reported with the reason),\n"
        "2 usage or setup error. See docs/analyze.md for cluster use (GNU parallel, Slurm).\n",
        f);
}

int ea_cli_parse(ea_cli *cli, int argc, char **argv) {
  memset(cli, 0, sizeof *cli);
  cli->opt.host.plugin_uri = EMOVOX_URI_MONO;
  cli->opt.host.block = 512;
  cli->opt.format = EA_FORMAT_CSV;
  cli->opt.plot_format = "png";
  cli->opt.jobs = 1;
  cli->opt.host.settings = cli->settings;
  cli->shard_count = 1;

  /* getopt's tables from ours: a long option's val is its index in options[] + 256 */
  struct option longopts[N_OPTIONS + 1];
  char shortopts[2 * N_OPTIONS + 1];
  size_t n_long = 0, n_short = 0;
  for (size_t i = 0; i < N_OPTIONS; i++) {
    const cli_option *o = &options[i];
    if (!o->name)
      continue;
    longopts[n_long++] =
        (struct option){o->name, o->arg ? required_argument : no_argument, NULL, (int)(256 + i)};
    if (o->letter) {
      shortopts[n_short++] = o->letter;
      if (o->arg)
        shortopts[n_short++] = ':';
    }
  }
  longopts[n_long] = (struct option){NULL, 0, NULL, 0};
  shortopts[n_short] = '\0';

  int c;
  while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
    const cli_option *o = NULL;
    if (c >= 256 && c < 256 + (int)N_OPTIONS)
      o = &options[c - 256];
    for (size_t i = 0; !o && c != '?' && i < N_OPTIONS; i++)
      if (options[i].name && options[i].letter == c)
        o = &options[i];
    if (!o) {
      fputs("Try 'emovox-analyze --help'.\n", stderr);
      return 2;
    }
    if (o->apply) {
      int rc = o->apply(cli, optarg);
      if (rc)
        return rc;
    } else if (o->arg) {
      const char *value = optarg;
      memcpy((char *)cli + o->field, &value, sizeof value);
    } else {
      const int on = 1;
      memcpy((char *)cli + o->field, &on, sizeof on);
    }
  }
  cli->inputs = argv + optind;
  cli->n_inputs = argc - optind;
  return 0;
}

void ea_cli_free(ea_cli *cli) {
  if (cli->session == EA_SESSION_REGEX)
    regfree(&cli->session_re);
  cli->session = EA_SESSION_NONE;
}
