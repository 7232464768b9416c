/* emovox-analyze --session and --session-regex with the real plugin (the bundle's default model).
 * Usage: test_session EMOVOX_ANALYZE BUNDLE.
 *
 * Three RAVDESS clips of one actor, cut to lengths that are not whole 10 ms hops, are one session
 * (their directory); a fourth clip of another actor is alone in its directory. The expectation
 * is computed independently: the three clips concatenated into one file and analysed without
 * --session, its rows split at the file boundaries (a row at sample p belongs to the file whose
 * samples end at or after p, its time counted from that file's start). Each session file's
 * series must equal its part to the last written digit, and its summary row the means over
 * that part. Further: the second file's session reading differs from its reading alone (the
 * state really carries over), the lone file reads as without --session, a --session-regex
 * grouping of the same audio under other names gives byte-identical series, --jobs 2 and
 * --shard 0/2 + 1/2 give the same summary rows, and a file at another rate in a session fails
 * with its reason while the others are analysed. */
#include "ev_test.h"
#include "common/phrase_ref.h"
#include "ta_util.h"

#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *exe, *bundle;

static float *read_mono(const char *path, int64_t *frames) {
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  if (!sf)
    return NULL;
  float *x = malloc((size_t)info.frames * (size_t)info.channels * sizeof *x);
  *frames = sf_readf_float(sf, x, info.frames);
  sf_close(sf);
  EV_CHECK(info.channels == 1 && info.samplerate == 16000, "%s: expected 16 kHz mono", path);
  return x;
}

/* float WAV: the concatenation holds exactly the samples of its parts */
static void write_wav(const char *path, int rate, const float *x, int64_t n) {
  SF_INFO info = {0};
  info.samplerate = rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  EV_CHECK(sf != NULL, "write %s: %s", path, sf_strerror(NULL));
  if (!sf)
    return;
  sf_writef_float(sf, x, n);
  sf_close(sf);
}

/* every string the test makes, freed at the end (leak checkers run this test too) */
static char *pool[128];
static int n_pool;
static char *keep(char *p) {
  if (n_pool < 128)
    pool[n_pool++] = p;
  return p;
}
static char *join(const char *a, const char *b) {
  char *p = malloc(strlen(a) + strlen(b) + 2);
  sprintf(p, "%s/%s", a, b);
  return keep(p);
}

static int run(const char *err_path, const char *const *args) {
  char *argv[32];
  int n = 0;
  argv[n++] = (char *)exe;
  argv[n++] = "--bundle";
  argv[n++] = (char *)bundle;
  argv[n++] = "-q";
  for (int i = 0; args[i] && n < 31; i++)
    argv[n++] = (char *)args[i];
  argv[n] = NULL;
  return ta_run(argv, NULL, err_path);
}

static int same_file(const char *a, const char *b) {
  size_t na, nb;
  char *x = ta_read_file(a, &na), *y = ta_read_file(b, &nb);
  int same = x && y && na == nb && !memcmp(x, y, na);
  free(x);
  free(y);
  return same;
}

static int find_row(const ta_csv *c, const char *file) {
  for (size_t r = 0; r < c->n_rows; r++)
    if (!strcmp(c->cells[r][0], file))
      return (int)r;
  return -1;
}

static const char *const labels[8] = {"neutral", "calm",    "happy",   "sad",
                                      "angry",   "fearful", "disgust", "surprised"};

/* The part of the concatenation's series that belongs to [start, start + len) samples. */
static void check_part(const ta_csv *whole, const char *series, const ta_csv *sum, const char *file,
                       int64_t start, int64_t len) {
  ta_csv part;
  if (ta_csv_read(&part, series) != 0) {
    EV_CHECK(0, "cannot read %s", series);
    return;
  }
  EV_CHECK(part.n_cols == whole->n_cols, "%s: %d columns, the whole %d", series, part.n_cols,
           whole->n_cols);
  size_t k = 0, speech = 0, rows = 0, mismatched = 0;
  double mean[8] = {0};
  phrase_rows pr = {0};
  const int dom = ta_csv_col(whole, "dominant");
  for (size_t r = 0; r < whole->n_rows; r++) {
    const int64_t p = llround(ta_csv_num(whole, r, 0) * 16000.0);
    if (p <= start || p > start + len)
      continue;
    rows++;
    if (k >= part.n_rows) {
      mismatched++;
      continue;
    }
    EV_CHECK(fabs(ta_csv_num(&part, k, 0) - (double)(p - start) / 16000.0) < 1.5e-6,
             "%s row %zu: time %s, expected %.6f", series, k, part.cells[k][0],
             (double)(p - start) / 16000.0);
    for (int c = 1; c < whole->n_cols; c++)
      if (strcmp(part.cells[k][c], whole->cells[r][c])) {
        if (mismatched++ < 3)
          EV_CHECK(0, "%s row %zu col %s: %s, the concatenation %s", series, k, whole->names[c],
                   part.cells[k][c], whole->cells[r][c]);
      }
    double pv[8];
    for (int e = 0; e < 8; e++)
      pv[e] = ta_csv_num(whole, r, ta_csv_col(whole, labels[e]));
    phrase_rows_add(&pr, ta_csv_num(whole, r, dom) != 0, pv, 8);
    k++;
  }
  speech = phrase_rows_summary(&pr, mean);
  phrase_rows_free(&pr);
  EV_CHECK(rows == part.n_rows && mismatched == 0,
           "%s: %zu rows (the concatenation's part %zu), "
           "%zu values differ",
           series, part.n_rows, rows, mismatched);
  const int row = find_row(sum, file);
  EV_CHECK(row >= 0, "no summary row for %s", file);
  if (row >= 0 && rows) {
    EV_CHECK(fabs(ta_csv_num(sum, (size_t)row, ta_csv_col(sum, "speech_ratio")) -
                  (double)speech / (double)rows) < 5.1e-5, /* printed with 4 decimals */
             "%s: speech ratio", file);
    for (int e = 0; e < 8 && speech; e++)
      EV_CHECK(fabs(ta_csv_num(sum, (size_t)row, ta_csv_col(sum, labels[e])) - mean[e]) < 1.1e-6,
               "%s: reading %s %s vs %.7f", file, labels[e],
               sum->cells[row][ta_csv_col(sum, labels[e])], mean[e]);
  }
  printf("%s: %zu rows (%zu speech) equal the concatenation's part\n", file, rows, speech);
  ta_csv_free(&part);
}

/* the summary's data rows as one string */
static char *data_rows(const char *path) {
  char *t = ta_read_file(path, NULL);
  char *nl = t ? strchr(t, '\n') : NULL;
  char *out = strdup(nl ? nl + 1 : "");
  free(t);
  return out;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s EMOVOX_ANALYZE BUNDLE\n", argv[0]);
    return 2;
  }
  exe = argv[1];
  bundle = argv[2];
  const char *corpora = getenv("EMOVOX_CORPORA");
  if (!corpora)
    EV_SKIP("EMOVOX_CORPORA not set");
  char src[4][4096];
  const char *names[4] = {"03-01-05-02-01-01-01", "03-01-01-01-02-01-01", "03-01-04-02-02-02-01",
                          "03-01-03-02-01-01-02"};
  for (int i = 0; i < 4; i++)
    snprintf(src[i], sizeof src[i], "%s/RAVDESS/Audio_Speech_Actors_01-24/Actor_%02d/%s.flac",
             corpora, i < 3 ? 1 : 2, names[i]);
  if (access(src[0], R_OK) != 0)
    EV_SKIP("no RAVDESS at %s", corpora);
  char *tmp = keep(ta_mkdtemp());
  char *in = join(tmp, "in"), *spk = join(in, "spk1"), *other = join(in, "spk2");
  char *cat = join(tmp, "concat"), *flat = join(tmp, "flat"), *mixed = join(tmp, "mixed");
  const char *dirs[] = {in, spk, other, cat, flat, mixed};
  for (int i = 0; i < 6; i++)
    mkdir(dirs[i], 0777);

  /* lengths cut so that no boundary falls on a 10 ms hop (160 samples) */
  const int64_t cut[3] = {37, 101, 5};
  float *x[4];
  int64_t n[4];
  for (int i = 0; i < 4; i++) {
    x[i] = keep((char *)read_mono(src[i], &n[i])) ? (float *)pool[n_pool - 1] : NULL;
    EV_CHECK(x[i] != NULL, "read %s", src[i]);
    if (!x[i])
      EV_TEST_END();
    if (i < 3)
      n[i] -= cut[i];
  }
  char *part_path[3], *lone = join(other, "b.wav");
  const char *part_name[3] = {"a1.wav", "a2.wav", "a3.wav"};
  float *all = (float *)keep(malloc((size_t)(n[0] + n[1] + n[2]) * sizeof(float)));
  int64_t start[3], total = 0;
  for (int i = 0; i < 3; i++) {
    part_path[i] = join(spk, part_name[i]);
    write_wav(part_path[i], 16000, x[i], n[i]);
    memcpy(all + total, x[i], (size_t)n[i] * sizeof *all);
    start[i] = total;
    total += n[i];
  }
  write_wav(lone, 16000, x[3], n[3]);
  char *all_path = join(cat, "all.wav");
  write_wav(all_path, 16000, all, total);
  /* the same audio under names grouped by a regular expression: s1 = a1, a2; s2 = b */
  char *f1 = join(flat, "s1_x.wav"), *f2 = join(flat, "s2_y.wav"), *f3 = join(flat, "s1_z.wav");
  write_wav(f1, 16000, x[0], n[0]);
  write_wav(f2, 16000, x[3], n[3]);
  write_wav(f3, 16000, x[1], n[1]);
  /* a session with a file at another rate */
  char *m1 = join(mixed, "m1.wav"), *m2 = join(mixed, "m2.wav");
  write_wav(m1, 16000, x[0], n[0]);
  write_wav(m2, 48000, x[1], n[1]);

  char *o_sess = join(tmp, "o_sess"), *o_cat = join(tmp, "o_cat"), *o_cold = join(tmp, "o_cold");
  char *o_re = join(tmp, "o_re"), *o_j2 = join(tmp, "o_j2"), *o_mix = join(tmp, "o_mix");
  char *s_sess = join(tmp, "s_sess.csv"), *s_j2 = join(tmp, "s_j2.csv");
  char *s_sh0 = join(tmp, "s_sh0.csv"), *s_sh1 = join(tmp, "s_sh1.csv");
  char *s_re = join(tmp, "s_re.csv"), *log = join(tmp, "log.txt");
  int rc = run(log, (const char *[]){"--session", "-o", o_sess, "-s", s_sess, in, NULL});
  EV_CHECK(rc == 0, "--session: exit %d", rc);
  rc = run(log, (const char *[]){"-o", o_cat, all_path, NULL});
  EV_CHECK(rc == 0, "concatenation: exit %d", rc);
  rc = run(log, (const char *[]){"-o", o_cold, in, NULL});
  EV_CHECK(rc == 0, "without --session: exit %d", rc);

  ta_csv whole, sum;
  char *whole_path = join(o_cat, "all.csv");
  if (ta_csv_read(&whole, whole_path) != 0 || ta_csv_read(&sum, s_sess) != 0) {
    EV_CHECK(0, "cannot read %s or %s", whole_path, s_sess);
    EV_TEST_END();
  }
  for (int i = 0; i < 3; i++) {
    char rel[64], *series;
    snprintf(rel, sizeof rel, "spk1/a%d.csv", i + 1);
    series = join(o_sess, rel);
    check_part(&whole, series, &sum, part_path[i], start[i], n[i]);
  }
  /* power: the second file alone reads differently from the same file after the first */
  char *a2_sess = join(o_sess, "spk1/a2.csv"), *a2_cold = join(o_cold, "spk1/a2.csv");
  EV_CHECK(!same_file(a2_sess, a2_cold), "a2 reads the same alone and in the session: the state "
                                         "did not carry over, or the test has no power");
  char *b_sess = join(o_sess, "spk2/b.csv"), *b_cold = join(o_cold, "spk2/b.csv");
  EV_CHECK(same_file(b_sess, b_cold), "a session of one file differs from the file alone");

  rc = run(log,
           (const char *[]){"--session-regex", "^(s[0-9]+)_", "-o", o_re, "-s", s_re, flat, NULL});
  EV_CHECK(rc == 0, "--session-regex: exit %d", rc);
  char *re_x = join(o_re, "s1_x.csv"), *re_z = join(o_re, "s1_z.csv"),
       *re_y = join(o_re, "s2_y.csv");
  char *a1_sess = join(o_sess, "spk1/a1.csv");
  EV_CHECK(same_file(re_x, a1_sess) && same_file(re_z, a2_sess) && same_file(re_y, b_cold),
           "--session-regex: s1_x, s1_z, s2_y differ from a1, a2 (session) and b (alone)");

  rc = run(log, (const char *[]){"--session", "-j", "2", "-o", o_j2, "-s", s_j2, in, NULL});
  EV_CHECK(rc == 0 && same_file(s_j2, s_sess), "--jobs 2 --session: exit %d or another summary",
           rc);
  rc = run(log, (const char *[]){"--session", "--shard", "0/2", "-s", s_sh0, in, NULL});
  rc |= run(log, (const char *[]){"--session", "--shard", "1/2", "-s", s_sh1, in, NULL});
  char *r_all = keep(data_rows(s_sess)), *r0 = keep(data_rows(s_sh0)), *r1 = keep(data_rows(s_sh1));
  char *joined = keep(malloc(strlen(r0) + strlen(r1) + 1));
  strcpy(joined, r0);
  strcat(joined, r1);
  /* directories in sorted order: spk1 (3 files) is shard 0, spk2 shard 1 */
  EV_CHECK(rc == 0 && !strcmp(joined, r_all), "--shard with --session splits a session");

  char *log_mix = join(tmp, "log_mix.txt");
  rc = run(log_mix, (const char *[]){"--session", "-o", o_mix, mixed, NULL});
  char *text = keep(ta_read_file(log_mix, NULL));
  EV_CHECK(rc == 1 && text &&
               strstr(text, "m2.wav: skipped: its rate (48000 Hz) differs from the "
                            "session's (16000 Hz)"),
           "a 48 kHz file in a 16 kHz session: exit %d, log: %s", rc, text ? text : "");
  char *m1_series = join(o_mix, "m1.csv");
  EV_CHECK(access(m1_series, R_OK) == 0, "the session's other file was not analysed");

  ta_csv_free(&whole);
  ta_csv_free(&sum);
  if (!ev_test_failures)
    ta_rm_rf(tmp);
  else
    fprintf(stderr, "outputs kept in %s\n", tmp);
  for (int i = 0; i < n_pool; i++)
    free(pool[i]);
  EV_TEST_END();
}
