/* The whole trainer pipeline on synthetic audio: two classes of tones (low vs high pitch, with
 * random level, frequency and noise) written as sound files and listed in a CSV manifest;
 * features through the streaming extractor with the disk cache (a second pass must hit the
 * cache for every clip and give identical features, so must a third after every file was
 * touched without changing a byte, while a file changed in place under its old modification
 * time misses, and the same files in another folder give the same augmented copies and hit the
 * cache); training to >= 99% on held-out clips; export; and the exported model, run in
 * streaming mode exactly as the plugin does (extractor -> ev_input -> ev_model_state), gives
 * the trainer's probabilities. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ev_analyzer.h"
#include "ev_augment.h"
#include "ev_corpus.h"
#include "ev_dataset.h"
#include "ev_model.h"
#include "ev_run.h"
#include "ev_test.h"

#define N_CLIPS 48
static const char *arch_json =
    "{\"name\":\"tiny\",\"features\":{\"n_mels\":32,\"n_mfcc\":13,\"inputs\":[\"logmel\",\"rms\"],"
    "\"frame_stride\":2},\"window\":40,"
    "\"architecture\":["
    "{\"type\":\"conv1d\",\"out\":8,\"kernel\":3,\"dilation\":1,\"activation\":\"relu\"},"
    "{\"type\":\"gru\",\"hidden\":8},"
    "{\"type\":\"attnpool\",\"window\":40},"
    "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}";

static void write_tone(const char *path, int rate, double f, double amp, double secs, ev_rng *r) {
  SF_INFO info = {0};
  info.samplerate = rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  int n = (int)(secs * rate);
  float *x = malloc((size_t)n * sizeof *x);
  for (int i = 0; i < n; i++)
    x[i] = (float)(amp * sin(2 * M_PI * f * i / rate) + 0.01 * ev_rng_gauss(r));
  sf_writef_float(sf, x, n);
  sf_close(sf);
  free(x);
}

static void copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  EV_CHECK(in && out, "copy %s to %s", from, to);
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, in)) > 0)
    EV_CHECK(fwrite(buf, 1, got, out) == got, "write %s", to);
  fclose(in);
  fclose(out);
}

/* The same corpus in another folder: its first clips copied byte for byte and listed there,
 * each with one augmented copy (time shift, pitch, stretch, gain and noise drawn per copy).
 * Extracted without a cache, the moved copies must read exactly as the originals' (the draws
 * come from the seed and the file's bytes, not its path: the recipe's weights must not depend
 * on where the corpora lie), and with the originals' cache every clip and copy must hit. */
static void check_moved_corpus(const char *dir, const ev_clip_list *clips, const ev_arch *a) {
  enum { N = 6 };
  char moved_dir[320], cache[320], err[512] = "";
  snprintf(moved_dir, sizeof moved_dir, "%s/moved", dir);
  snprintf(cache, sizeof cache, "%s/cache-augmented", dir);
  EV_CHECK(mkdir(moved_dir, 0755) == 0, "mkdir %s", moved_dir);
  ev_clip_list orig = {0}, moved = {0};
  for (size_t i = 0; i < N; i++) {
    const ev_clip *c = &clips->v[i];
    char to[700];
    snprintf(to, sizeof to, "%s/%s", moved_dir, strrchr(c->path, '/') + 1);
    copy_file(c->path, to);
    EV_CHECK(ev_clip_list_add(&orig, c->path, c->label, c->speaker, c->corpus) == 0 &&
                 ev_clip_list_add(&moved, to, c->label, c->speaker, c->corpus) == 0,
             "list clip %zu", i);
  }
  ev_augment_config aug;
  ev_augment_config_default(&aug);
  aug.copies = 1;
  ev_extract_opts cached = {a, &aug, 7, cache, 2, 0, 0}, uncached = {a, &aug, 7, NULL, 2, 0, 0};
  ev_dataset d1, d2;
  EV_CHECK(ev_dataset_extract(&d1, &orig, &cached, err, sizeof err) == 0, "extract: %s", err);
  EV_CHECK(ev_dataset_extract(&d2, &moved, &uncached, err, sizeof err) == 0, "moved: %s", err);
  int same = 1, augmented_differs = 0;
  for (size_t i = 0; i < N; i++) {
    const ev_feat_seq *o = ev_dataset_seq(&d1, i, 1), *m = ev_dataset_seq(&d2, i, 1);
    const ev_feat_seq *plain = ev_dataset_seq(&d1, i, 0);
    same &= o->T > 0 && o->T == m->T &&
            !memcmp(o->x, m->x, (size_t)o->T * (size_t)o->D * sizeof(float));
    augmented_differs |=
        o->T != plain->T || memcmp(o->x, plain->x, (size_t)o->T * (size_t)o->D * sizeof(float));
  }
  EV_CHECK(augmented_differs, "the augmented copies differ from the clips (augmentation ran)");
  EV_CHECK(same, "a corpus in another folder gives its augmented copies bit for bit");
  ev_dataset_free(&d2);
  EV_CHECK(ev_dataset_extract(&d2, &moved, &cached, err, sizeof err) == 0, "moved: %s", err);
  EV_CHECK(d2.cache_hits == 2 * N && d2.cache_misses == 0,
           "a corpus in another folder hits the cache: %zu hits, %zu misses (expected %d, 0)",
           d2.cache_hits, d2.cache_misses, 2 * N);
  ev_dataset_free(&d1);
  ev_dataset_free(&d2);
  ev_clip_list_free(&orig);
  ev_clip_list_free(&moved);
}

/* --channel narrow: every clip read as heard through the 8 kHz channel (ev_aug_band), under
 * cache keys of its own, so a wide-band cache never answers for it nor it for the wide one. */
static void check_narrow_channel(const char *dir, const ev_clip_list *all, const ev_arch *a) {
  enum { N = 4 };
  char cache[320], err[512] = "";
  snprintf(cache, sizeof cache, "%s/cache-narrow", dir);
  ev_clip_list clips = {0};
  for (size_t i = 0; i < N; i++) {
    const ev_clip *c = &all->v[i];
    EV_CHECK(ev_clip_list_add(&clips, c->path, c->label, c->speaker, c->corpus) == 0, "list");
  }
  ev_extract_opts wide = {a, NULL, 7, cache, 2, 0, 0}, narrow = {a, NULL, 7, cache, 2, 0, 1};
  ev_dataset dw, dn, again;
  EV_CHECK(ev_dataset_extract(&dw, &clips, &wide, err, sizeof err) == 0, "wide: %s", err);
  EV_CHECK(ev_dataset_extract(&dn, &clips, &narrow, err, sizeof err) == 0, "narrow: %s", err);
  EV_CHECK(dn.cache_hits == 0 && dn.cache_misses == N,
           "narrow after wide: %zu hits, %zu misses (the wide features must not answer)",
           dn.cache_hits, dn.cache_misses);
  EV_CHECK(ev_dataset_extract(&again, &clips, &narrow, err, sizeof err) == 0, "again: %s", err);
  EV_CHECK(again.cache_hits == N && again.cache_misses == 0, "narrow again: %zu hits, %zu misses",
           again.cache_hits, again.cache_misses);
  int same = 1, differs = 0;
  for (size_t i = 0; i < N; i++) {
    float *x = NULL;
    size_t n = 0;
    int rate = 0;
    ev_feat_seq by_hand = {0};
    EV_CHECK(ev_load_audio(clips.v[i].path, &x, &n, &rate, err, sizeof err) == 0, "%s", err);
    float *b = ev_aug_band(x, n, rate);
    EV_CHECK(b && ev_features_from_audio(a, b, n, rate, &by_hand, err, sizeof err) == 0,
             "features of the band-limited clip: %s", err);
    const ev_feat_seq *sn = ev_dataset_seq(&dn, i, 0), *sa = ev_dataset_seq(&again, i, 0),
                      *sw = ev_dataset_seq(&dw, i, 0);
    const size_t bytes = (size_t)sn->T * (size_t)sn->D * sizeof(float);
    same &= sn->T > 0 && sn->T == by_hand.T && sa->T == sn->T && !memcmp(sn->x, by_hand.x, bytes) &&
            !memcmp(sa->x, sn->x, bytes);
    differs |= sw->T != sn->T || memcmp(sw->x, sn->x, bytes);
    ev_feat_seq_free(&by_hand);
    free(b);
    free(x);
  }
  EV_CHECK(same, "narrow: every clip's features are those of its band-limited audio, cached");
  EV_CHECK(differs, "narrow features differ from the wide ones (the noise above 4 kHz is gone)");
  ev_dataset_free(&dw);
  ev_dataset_free(&dn);
  ev_dataset_free(&again);
  ev_clip_list_free(&clips);
}

int main(void) {
  char dir[] = "/tmp/evtrain_pipeXXXXXX";
  if (!mkdtemp(dir))
    EV_SKIP("no temporary folder");
  char manifest[256], cache[256], model_path[256];
  snprintf(manifest, sizeof manifest, "%s/list.csv", dir);
  snprintf(cache, sizeof cache, "%s/cache", dir);
  snprintf(model_path, sizeof model_path, "%s/model.safetensors", dir);
  FILE *mf = fopen(manifest, "w");
  ev_rng r;
  ev_rng_seed(&r, 3);
  for (int i = 0; i < N_CLIPS; i++) {
    int label = (i / 6) % 2; /* every speaker (i % 6) has both classes */
    char name[64], path[320];
    snprintf(name, sizeof name, "clip%02d.wav", i);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    double f = label ? ev_rng_range(&r, 1500, 2500) : ev_rng_range(&r, 200, 400);
    /* a third of the clips at 44.1 kHz: the extractor resamples */
    write_tone(path, i % 3 == 0 ? 44100 : 16000, f, ev_rng_range(&r, 0.05, 0.5),
               ev_rng_range(&r, 0.5, 0.9), &r);
    fprintf(mf, "%s,%s,spk%d\n", name, label ? "happy" : "sad", i % 6);
  }
  /* an unreadable file: reported, skipped, counted */
  char broken[320];
  snprintf(broken, sizeof broken, "%s/broken.wav", dir);
  FILE *bf = fopen(broken, "w");
  fprintf(bf, "RIFF, but not really a wave file");
  fclose(bf);
  fprintf(mf, "broken.wav,sad,spk0\n");
  fclose(mf);

  ev_clip_list clips = {0};
  char err[512] = "";
  EV_CHECK(ev_corpus_read_manifest(manifest, &clips, err, sizeof err) == N_CLIPS + 1,
           "manifest: %s", err);
  ev_arch a;
  EV_CHECK(ev_arch_parse(arch_json, &a, err, sizeof err) == 0, "arch: %s", err);
  ev_augment_config aug;
  ev_augment_config_default(&aug);
  ev_extract_opts eo = {&a, &aug, 1, cache, 2, 0, 0};
  ev_dataset ds, ds2;
  EV_CHECK(ev_dataset_extract(&ds, &clips, &eo, err, sizeof err) == 0, "extract: %s", err);
  EV_CHECK(ds.cache_misses == N_CLIPS + 1 && ds.cache_hits == 0 && ds.failed == 1,
           "first pass: %zu misses %zu hits %zu failed", ds.cache_misses, ds.cache_hits, ds.failed);
  EV_CHECK(ev_dataset_extract(&ds2, &clips, &eo, err, sizeof err) == 0, "extract 2: %s", err);
  EV_CHECK(ds2.cache_hits == N_CLIPS && ds2.cache_misses == 1 && ds2.failed == 1,
           "second pass: %zu hits", ds2.cache_hits);
  EV_CHECK(!ds.ok[N_CLIPS] && ds.ok[0], "the broken file is marked unreadable");
  int same = 1;
  for (size_t i = 0; i < N_CLIPS; i++) {
    ev_feat_seq *s1 = ev_dataset_seq(&ds, i, 0), *s2 = ev_dataset_seq(&ds2, i, 0);
    same &= s1->T == s2->T && s1->T > 0 &&
            !memcmp(s1->x, s2->x, (size_t)s1->T * (size_t)s1->D * sizeof(float)) &&
            !memcmp(s1->rms, s2->rms, (size_t)s1->T * sizeof(float));
  }
  EV_CHECK(same, "cached features are identical to extracted ones");
  ev_dataset_free(&ds2);

  /* The cache follows what the files hold. Every clip touched (a copy, a checkout, a remount
   * gives new modification times and the same bytes): every clip still hits. */
  for (size_t i = 0; i < N_CLIPS; i++) {
    const struct timespec times[2] = {{1000000000 + (time_t)i, 0}, {1000000000 + (time_t)i, 0}};
    EV_CHECK(utimensat(AT_FDCWD, clips.v[i].path, times, 0) == 0, "touch %s", clips.v[i].path);
  }
  EV_CHECK(ev_dataset_extract(&ds2, &clips, &eo, err, sizeof err) == 0, "extract 3: %s", err);
  EV_CHECK(ds2.cache_hits == N_CLIPS && ds2.cache_misses == 1,
           "touched files: %zu hits, %zu misses (every clip should hit)", ds2.cache_hits,
           ds2.cache_misses);
  ev_dataset_free(&ds2);
  check_moved_corpus(dir, &clips, &a);
  check_narrow_channel(dir, &clips, &a);
  /* One clip's samples changed in place, same size, its old modification time put back: it
   * must be extracted again, and read as the new audio. */
  {
    const char *path = clips.v[1].path;
    struct stat st;
    EV_CHECK(stat(path, &st) == 0, "stat %s", path);
    FILE *f = fopen(path, "r+b");
    EV_CHECK(f != NULL, "open %s", path);
    const long at = (long)st.st_size / 2 & ~1L; /* a sample in the middle of the data */
    unsigned char b[2];
    EV_CHECK(fseek(f, at, SEEK_SET) == 0 && fread(b, 1, 2, f) == 2, "read");
    b[1] ^= 0x40; /* a loud click */
    EV_CHECK(fseek(f, at, SEEK_SET) == 0 && fwrite(b, 1, 2, f) == 2, "write");
    fclose(f);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    EV_CHECK(utimensat(AT_FDCWD, path, times, 0) == 0, "restore the modification time");
  }
  EV_CHECK(ev_dataset_extract(&ds2, &clips, &eo, err, sizeof err) == 0, "extract 4: %s", err);
  EV_CHECK(ds2.cache_hits == N_CLIPS - 1 && ds2.cache_misses == 2,
           "a changed file under its old time: %zu hits, %zu misses (expected %d, 2)",
           ds2.cache_hits, ds2.cache_misses, N_CLIPS - 1);
  {
    ev_feat_seq *s1 = ev_dataset_seq(&ds, 1, 0), *s2 = ev_dataset_seq(&ds2, 1, 0);
    EV_CHECK(s1->T != s2->T ||
                 memcmp(s1->x, s2->x, (size_t)s1->T * (size_t)s1->D * sizeof(float)) != 0,
             "the changed clip reads its new audio");
  }
  ev_dataset_free(&ds2);

  /* labels: sad (0), happy (1) in canonical order -> model labels happy, sad */
  ev_labelset ls;
  memset(&ls, 0, sizeof ls);
  for (int e = 0; e < EV_N_EMOTIONS; e++)
    ls.index_of[e] = -1;
  ls.n = 2;
  ls.canon[0] = EV_HAPPY;
  ls.names[0] = "happy";
  ls.index_of[EV_HAPPY] = 0;
  ls.canon[1] = EV_SAD;
  ls.names[1] = "sad";
  ls.index_of[EV_SAD] = 1;
  /* speakers spk0..spk3 train, spk4 validation, spk5 test */
  size_t tr[N_CLIPS + 1], va[N_CLIPS + 1], te[N_CLIPS + 1], ntr = 0, nva = 0, nte = 0;
  for (size_t i = 0; i < clips.n; i++) {
    int s = clips.v[i].speaker[strlen(clips.v[i].speaker) - 1] - '0';
    if (s < 4)
      tr[ntr++] = i;
    else if (s == 4)
      va[nva++] = i;
    else
      te[nte++] = i;
  }
  ev_train_opts o;
  ev_train_opts_default(&o);
  o.epochs = 25;
  o.batch = 8;
  o.lr = 1e-2f;
  o.progress = 0;
  o.patience = 25;
  ev_run run;
  EV_CHECK(ev_run_train(&run, &a, &ds, &ls, tr, ntr, va, nva, &o, err, sizeof err) == 0,
           "train: %s", err);
  ev_confusion cm;
  ev_confusion_init(&cm, 2);
  int pred[N_CLIPS];
  EV_CHECK(ev_run_evaluate(&run, &a, &ds, &ls, te, nte, 2, &cm, pred, NULL, NULL, NULL, err,
                           sizeof err) == 0,
           "evaluate: %s", err);
  ev_metrics m;
  ev_metrics_compute(&cm, &m);
  printf("held-out accuracy %.3f on %ld clips (best epoch %d)\n", m.accuracy, m.total,
         run.result.best_epoch);
  EV_CHECK(m.total == (long)nte && m.accuracy >= 0.99, "held-out accuracy %.3f", m.accuracy);

  /* export, reload, stream a test clip through extractor -> ev_input -> model */
  /* exported as --channel narrow does: the band its audio held goes into the file */
  EV_CHECK(ev_run_export(&run, &a, &ls, "tiny", "0.1-test", EV_AUG_BAND_HZ, "{\"test\":true}",
                         model_path, err, sizeof err) == 0,
           "export: %s", err);
  ev_model *model = ev_model_load_file(model_path, err, sizeof err);
  EV_CHECK(model != NULL, "load: %s", err);
  if (model) {
    EV_CHECK(ev_model_n_labels(model) == 2 && !strcmp(ev_model_label(model, 0), "happy"), "labels");
    EV_CHECK(!strcmp(ev_model_version(model), "0.1-test"), "version read back as '%s'",
             ev_model_version(model));
    EV_CHECK(ev_model_audio_band(model) == 4000, "audio band read back as %d Hz",
             ev_model_audio_band(model));
    ev_input *in = ev_model_input_new(model, err, sizeof err);
    ev_input *in_train = ev_input_new(&a.input, run.prior_mean, run.prior_std, err, sizeof err);
    ev_model_state *st = ev_model_state_new(model, err, sizeof err);
    double worst = 0;
    for (size_t k = 0; k < nte && in && st; k++) {
      ev_feat_seq *raw = ev_dataset_seq(&ds, te[k], 0);
      ev_steps steps;
      ev_normalise_seq(in_train, raw, &steps);
      if (steps.S < 1 || steps.S > a.window) {
        ev_steps_free(&steps);
        continue;
      }
      /* streaming: the same raw frames through the model file's own input spec */
      ev_input_reset(in);
      ev_model_state_reset(st);
      float out[2] = {0, 0};
      for (int t = 0; t < raw->T; t++) {
        const float *y = ev_input_push_vector(in, raw->x + (size_t)t * (size_t)raw->D, raw->rms[t]);
        if (y)
          ev_model_state_run(st, y, out);
      }
      /* trainer: forward over the whole clip (shorter than the window) */
      ev_work w;
      ev_work_init(&w, &run.net, a.window);
      const float *lg = ev_net_forward(&run.net, &w, steps.x, steps.S);
      double mx = lg[0] > lg[1] ? lg[0] : lg[1];
      double e0 = exp(lg[0] - mx), e1 = exp(lg[1] - mx);
      double d0 = fabs(e0 / (e0 + e1) - out[0]), d1 = fabs(e1 / (e0 + e1) - out[1]);
      worst = fmax(worst, fmax(d0, d1));
      ev_work_free(&w, &run.net);
      ev_steps_free(&steps);
    }
    printf("streamed model vs trainer: worst probability difference %.3g\n", worst);
    EV_CHECK(worst < 1e-4, "streaming the exported model reproduces the trainer (%.3g)", worst);
    const char *prov = ev_model_provenance(model);
    EV_CHECK(prov && strstr(prov, "\"test\""), "provenance kept: %s", prov ? prov : "(null)");
    ev_model_state_free(st);
    ev_input_free(in);
    ev_input_free(in_train);
    ev_model_free(model);
  }
  ev_run_free(&run);
  ev_dataset_free(&ds);
  ev_clip_list_free(&clips);
  ev_arch_free(&a);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
  EV_TEST_END();
}
