/* emovox-train compare: per-corpus UAR of several evaluation reports side by side (see
 * ev_compare.h). */
#include "ev_compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_plots.h"

#define MAX_SERIES  8
#define MAX_CORPORA 16
#define NAME_LEN    64

typedef struct series {
  char name[NAME_LEN], mode[NAME_LEN];
  const char *path;
  int n; /* corpora read */
  char corpus[MAX_CORPORA][NAME_LEN];
  double uar[MAX_CORPORA], pooled; /* percent; pooled NAN when the file has no "all" row */
} series;

static void usage(FILE *f) {
  fprintf(f, "Usage: emovox-train compare [--mode MODE] [--title TEXT] -o FILE.png\n"
             "                            NAME=FIGURES.csv[@MODE] ...\n"
             "Per-corpus UAR of evaluation reports side by side: a table on stdout and grouped\n"
             "bars in FILE.png, one colour per NAME, a group per corpus, then the mean over the\n"
             "corpora and the pooled figure.\n\n"
             "  FIGURES.csv  an `evaluate` report's plugin_figures.csv, or the SVM baseline's\n"
             "               baseline_figures.csv (columns mode,corpus,...,uar,...)\n"
             "  @MODE        the figure of that file to show: cold-16, cold-48, session,\n"
             "               cold-6dB, session-pauses, learned, cold-8, session-8 [--mode,\n"
             "               default cold-16]\n"
             "  --title TEXT the picture's title [per-corpus UAR]\n"
             "  -o FILE.png  where the picture goes (required)\n\n"
             "Example:\n"
             "  emovox-train compare -o figures.png model=models/evaluation/plugin_figures.csv \\\n"
             "      'model, session=models/evaluation/plugin_figures.csv@session' \\\n"
             "      SVM=models/baseline-svm/speaker5/baseline_figures.csv\n");
}

/* Splits NAME=PATH[@MODE]; 0 or -1 with the reason. */
static int parse_spec(char *arg, const char *mode, series *s) {
  char *eq = strchr(arg, '=');
  if (!eq || eq == arg || !eq[1] || (size_t)(eq - arg) >= NAME_LEN) {
    fprintf(stderr, "emovox-train compare: '%s' is not NAME=FIGURES.csv[@MODE]\n", arg);
    return -1;
  }
  memset(s, 0, sizeof *s);
  memcpy(s->name, arg, (size_t)(eq - arg));
  char *at = strrchr(eq + 1, '@');
  if (at) {
    *at = '\0';
    mode = at + 1;
  }
  snprintf(s->mode, sizeof s->mode, "%s", mode);
  s->path = eq + 1;
  return 0;
}

/* The UAR of each corpus for s->mode, in file order; 0, or -1 with the reason printed. */
static int read_figures(series *s) {
  FILE *f = fopen(s->path, "r");
  if (!f) {
    fprintf(stderr, "emovox-train compare: cannot read %s (%s: the report of `evaluate`?)\n",
            s->path, s->name);
    return -1;
  }
  char line[1024];
  int uar_col = -1, rc = 0;
  s->pooled = NAN;
  if (fgets(line, sizeof line, f)) { /* the header names the uar column */
    int col = 0;
    for (char *t = strtok(line, ",\r\n"); t; t = strtok(NULL, ",\r\n"), col++)
      if (!strcmp(t, "uar"))
        uar_col = col;
  }
  if (uar_col < 2) {
    fprintf(stderr, "emovox-train compare: %s has no mode,corpus,...,uar header\n", s->path);
    fclose(f);
    return -1;
  }
  while (fgets(line, sizeof line, f)) {
    char *fields[16];
    int n = 0;
    for (char *p = line, *t; n < 16 && (t = strsep(&p, ",\r\n")) != NULL;)
      fields[n++] = t;
    if (n <= uar_col || strcmp(fields[0], s->mode))
      continue;
    char *end;
    const double v = strtod(fields[uar_col], &end);
    if (end == fields[uar_col] || !isfinite(v)) {
      fprintf(stderr, "emovox-train compare: %s: the uar of %s is not a number\n", s->path,
              fields[1]);
      rc = -1;
      break;
    }
    if (!strcmp(fields[1], "all")) {
      s->pooled = 100.0 * v;
    } else if (s->n < MAX_CORPORA) {
      snprintf(s->corpus[s->n], NAME_LEN, "%s", fields[1]);
      s->uar[s->n++] = 100.0 * v;
    }
  }
  fclose(f);
  if (rc == 0 && s->n == 0) {
    fprintf(stderr, "emovox-train compare: %s has no rows of the figure '%s'\n", s->path, s->mode);
    rc = -1;
  }
  return rc;
}

/* The UAR of corpus c in s, NAN when s has none. */
static double uar_of(const series *s, const char *c) {
  for (int i = 0; i < s->n; i++)
    if (!strcmp(s->corpus[i], c))
      return s->uar[i];
  return NAN;
}

int ev_compare_main(int argc, char **argv) {
  const char *out = NULL, *title = "per-corpus UAR", *mode = "cold-16";
  series *s = calloc(MAX_SERIES, sizeof *s);
  int n = 0, rc = 2;
  if (!s) {
    fprintf(stderr, "emovox-train compare: out of memory\n");
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      rc = 0;
      goto done;
    } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) {
      out = argv[++i];
    } else if (!strcmp(a, "--title") && i + 1 < argc) {
      title = argv[++i];
    } else if (!strcmp(a, "--mode") && i + 1 < argc) {
      mode = argv[++i];
    } else if (a[0] == '-') {
      fprintf(stderr, "emovox-train compare: unknown option or missing value: %s\n", a);
      goto usage;
    } else if (n == MAX_SERIES) {
      fprintf(stderr, "emovox-train compare: at most %d reports in one picture\n", MAX_SERIES);
      goto usage;
    } else if (parse_spec(argv[i], mode, &s[n++])) {
      goto usage;
    }
  }
  if (!out || n == 0) {
    fprintf(stderr, "emovox-train compare: needs -o FILE.png and at least one NAME=FIGURES.csv\n");
    goto usage;
  }
  rc = 1;
  for (int k = 0; k < n; k++)
    if (read_figures(&s[k]))
      goto done;
  /* The groups: the first report's corpora, then the mean over them and the pooled figure. */
  const int nc = s[0].n, ng = nc + 2;
  const char *groups[MAX_CORPORA + 2];
  const char *names[MAX_SERIES];
  double uar[MAX_SERIES * (MAX_CORPORA + 2)];
  for (int c = 0; c < nc; c++)
    groups[c] = s[0].corpus[c];
  groups[nc] = "mean";
  groups[nc + 1] = "pooled";
  printf("%-32s", "UAR %");
  for (int g = 0; g < ng; g++)
    printf(" %9.9s", groups[g]);
  printf("\n");
  for (int k = 0; k < n; k++) {
    double sum = 0;
    int have = 0;
    for (int c = 0; c < nc; c++) {
      const double v = uar_of(&s[k], groups[c]);
      uar[k * ng + c] = v;
      sum += isfinite(v) ? v : 0;
      have += isfinite(v) != 0;
    }
    /* a mean over fewer corpora than the first report's would not compare: left out */
    uar[k * ng + nc] = have == nc ? sum / nc : NAN;
    uar[k * ng + nc + 1] = s[k].pooled;
    char label[2 * NAME_LEN + 4];
    snprintf(label, sizeof label, "%s (%s)", s[k].name, s[k].mode);
    printf("%-32.32s", label);
    for (int g = 0; g < ng; g++) {
      if (isfinite(uar[k * ng + g]))
        printf(" %9.1f", uar[k * ng + g]);
      else
        printf(" %9s", "-");
    }
    printf("\n");
    names[k] = s[k].name;
  }
  if (ev_plot_uar_bars(out, title, uar, n, names, ng, groups) != 0) {
    fprintf(stderr, "emovox-train compare: cannot write %s\n", out);
    goto done;
  }
  printf("picture: %s\n", out);
  rc = 0;
  goto done;
usage:
  fprintf(stderr, "Run 'emovox-train compare --help' for the usage.\n");
done:
  free(s);
  ev_plots_shutdown();
  return rc;
}
