/* Resource limits of the loader (issue 17): files that pass the format checks but would hurt
 * a host are refused with a message that says why, before anything big is allocated; every
 * design the trainer has (offline/train/ev_arch.c), the shipped model, and a 250k-parameter
 * model pooling statistics over 3 s still load; a FIFO is refused without blocking; a header
 * listing a million tensors is refused by a scan, within a memory limit its parse would break. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../ev_test.h"
#include "ev_arch.h"
#include "hostile_models.h"
#include "model_fixture.h"

static int sanitized(void) {
  const char *s = getenv("EMOVOX_SANITIZED");
  return s && !strcmp(s, "1");
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Loads buf in a child whose address space is limited to `limit_mb` more than it uses now (a
 * loader that allocates before validating then fails with "out of memory" instead of the
 * expected reason). Returns 1 if the child's message contains fragment. Without the limit
 * (sanitizers reserve terabytes of address space) it just loads here. */
static int refused_within(const uint8_t *buf, size_t len, size_t limit_mb, const char *fragment,
                          char *msg, size_t msglen) {
  if (sanitized()) {
    ev_model *m = ev_model_load_memory(buf, len, msg, msglen);
    ev_model_free(m);
    return !m && strstr(msg, fragment) != NULL;
  }
  int fd[2];
  if (pipe(fd))
    return 0;
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f && fscanf(f, "%ld", &pages) != 1)
      pages = 0;
    if (f)
      fclose(f);
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max =
        (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (rlim_t)limit_mb * 1024 * 1024;
    setrlimit(RLIMIT_AS, &rl);
    char err[512] = "";
    ev_model *m = ev_model_load_memory(buf, len, err, sizeof err);
    if (m)
      snprintf(err, sizeof err, "(loaded)");
    ssize_t w = write(fd[1], err, strlen(err) + 1);
    _exit(w > 0 ? 0 : 1);
  }
  close(fd[1]);
  ssize_t got = read(fd[0], msg, msglen - 1);
  msg[got > 0 ? got : 0] = 0;
  close(fd[0]);
  waitpid(pid, NULL, 0);
  return strstr(msg, fragment) != NULL;
}

static void hostile(void) {
  for (int i = 0; i < HOSTILE_COUNT; i++) {
    uint8_t *buf = NULL;
    size_t len = 0;
    EV_CHECK(hostile_build(i, &buf, &len) == 0, "building %s", hostile_cases[i].name);
    char msg[512] = "";
    /* 64 MB more than the test uses: every refusal must come before big allocations */
    const double t0 = now_s();
    int ok = refused_within(buf, len, 64, hostile_cases[i].fragment, msg, sizeof msg);
    EV_CHECK(ok, "%s (%zu bytes): \"%s\" should say \"%s\"", hostile_cases[i].name, len, msg,
             hostile_cases[i].fragment);
    printf("refused %-32s (%7zu bytes, %.3f s): %s\n", hostile_cases[i].name, len, now_s() - t0,
           msg);
    free(buf);
  }
}

/* A 64-layer model ending in softmax loads, saves and loads again with the same layers. */
static void deepest_model_saves(void) {
  char arch[4096] = "[";
  for (int i = 0; i < 62; i++)
    strcat(arch, "{\"type\":\"activation\",\"activation\":\"tanh\"},");
  strcat(arch, "{\"type\":\"dense\"},{\"type\":\"softmax\"}]");
  hostile_tensor t[] = {{"layers.62.weight", 2, {8, 1}, 0.1f},
                        {"layers.62.bias", 1, {8}, 0},
                        {"norm.mean", 1, {1}, 0},
                        {"norm.std", 1, {1}, 1}};
  uint8_t *buf, *again;
  size_t len, len2;
  char err[512];
  EV_CHECK(hostile_file(arch, "{\"inputs\":[\"rms\"]}", HOSTILE_LABELS8, t, 4, &buf, &len) == 0,
           "64-layer file");
  ev_model *m = ev_model_load_memory(buf, len, err, sizeof err);
  EV_CHECK(m != NULL, "64 layers ending in softmax load: %s", m ? "" : err);
  if (m) {
    EV_CHECK(ev_model_serialize(m, &again, &len2, err, sizeof err) == 0, "serialise: %s", err);
    ev_model *r = ev_model_load_memory(again, len2, err, sizeof err);
    EV_CHECK(r && ev_model_n_layers(r) == 64, "what was loaded is saved and loads again: %s",
             r ? "" : err);
    ev_model_free(r);
    free(again);
  }
  ev_model_free(m);
  free(buf);
}

/* Loads a design through a file round trip and prints its cost. */
static void expect_design_loads(const char *what, const ev_input_config *input,
                                const char *layers_json) {
  char err[512];
  ev_layer_config cfg[EV_MODEL_MAX_LAYERS];
  int n = ev_model_parse_architecture(layers_json, cfg, EV_MODEL_MAX_LAYERS, EV_N_EMOTIONS, err,
                                      sizeof err);
  EV_CHECK(n > 0, "%s: architecture: %s", what, err);
  if (n <= 0)
    return;
  ev_model_desc d;
  memset(&d, 0, sizeof d);
  d.name = what;
  d.input = *input;
  d.n_layers = n;
  d.layers = cfg;
  d.n_labels = EV_N_EMOTIONS;
  d.labels = (const char *const *)ev_emotion_names;
  ev_model *m = ev_model_create(&d, err, sizeof err);
  EV_CHECK(m != NULL, "%s: create: %s", what, err);
  if (!m)
    return;
  fixture_randomize(m, 0.1f);
  uint8_t *buf;
  size_t len;
  EV_CHECK(ev_model_serialize(m, &buf, &len, err, sizeof err) == 0, "%s: serialise", what);
  ev_model *r = ev_model_load_memory(buf, len, err, sizeof err);
  EV_CHECK(r != NULL, "%s must load: %s", what, r ? "" : err);
  if (r) {
    ev_model_cost c;
    ev_model_get_cost(r, &c);
    printf("loads %-28s %8zu params: %7.1f M multiply-adds/s (%.0f%% of the limit), %6.2f MiB "
           "(%.1f%%)\n",
           what, ev_model_n_params(r), (c.feature_macs_per_s + c.model_macs_per_s) / 1e6,
           100.0 * (c.feature_macs_per_s + c.model_macs_per_s) / EV_MODEL_MAX_MACS_PER_S,
           (c.weight_bytes + c.runtime_bytes) / 1048576.0,
           100.0 * (c.weight_bytes + c.runtime_bytes) / EV_MODEL_MAX_BYTES);
  }
  ev_model_free(r);
  free(buf);
  ev_model_free(m);
}

static void real_designs(void) {
  for (int i = 0; i < ev_arch_n_presets(); i++) {
    ev_arch a;
    char err[512];
    if (ev_arch_load(ev_arch_preset_name(i), &a, err, sizeof err)) {
      EV_CHECK(0, "preset %s: %s", ev_arch_preset_name(i), err);
      continue;
    }
    if (a.layers_json)
      expect_design_loads(a.name, &a.input, a.layers_json);
    ev_arch_free(&a);
  }
  /* ~250k parameters with statistics pooled over 3 s (300 frames), as a model helper may add:
   * conv 256 over mfcc+deltas+rms, mean over 3 s, two dense 256 */
  ev_input_config in = {
      .n_inputs = 4,
      .inputs = {EV_FEAT_MFCC, EV_FEAT_MFCC_DELTA, EV_FEAT_MFCC_DELTA2, EV_FEAT_RMS},
      .frame_stride = 1};
  ev_feature_config_default(&in.features);
  ev_norm_config_default(&in.norm);
  expect_design_loads("250k params, 3 s pooling", &in,
                      "[{\"type\":\"conv1d\",\"out\":256,\"kernel\":3,\"activation\":\"relu\"},"
                      "{\"type\":\"meanpool\",\"window\":300},"
                      "{\"type\":\"attnpool\",\"window\":300},"
                      "{\"type\":\"dense\",\"out\":256,\"activation\":\"relu\"},"
                      "{\"type\":\"dense\",\"out\":256,\"activation\":\"relu\"},"
                      "{\"type\":\"dense\"},{\"type\":\"softmax\"}]");
  const char *src = getenv("EMOVOX_SOURCE_ROOT");
  char path[4096], err[512];
  snprintf(path, sizeof path, "%s/models/emovox-default.safetensors", src ? src : ".");
  ev_model *m = ev_model_load_file(path, err, sizeof err);
  EV_CHECK(m != NULL, "the shipped model loads: %s", m ? "" : err);
  ev_model_free(m);
}

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "FAIL: loading a FIFO blocked\n";
  ssize_t w = write(2, msg, sizeof msg - 1);
  (void)w;
  _exit(1);
}

static void fifo(void) {
  char dir[] = "/tmp/emovox-fifo-XXXXXX", path[64], err[512] = "";
  EV_CHECK(mkdtemp(dir) != NULL, "temporary folder");
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  EV_CHECK(mkfifo(path, 0600) == 0, "mkfifo: %s", strerror(errno));
  signal(SIGALRM, on_alarm);
  alarm(10); /* the old loader waited in fopen() for a writer that never comes */
  ev_model *m = ev_model_load_file(path, err, sizeof err);
  alarm(0);
  EV_CHECK(m == NULL && strstr(err, "not a regular file"), "a FIFO is refused: %s", err);
  printf("refused a FIFO: %s\n", err);
  ev_model_free(m);
  unlink(path);
  rmdir(dir);
}

static void many_tensors(void) {
  size_t len;
  uint8_t *buf = hostile_many_tensors(1000000, &len); /* ~60 MB of header */
  EV_CHECK(buf != NULL, "building the header");
  if (!buf)
    return;
  char msg[512] = "";
  const double t0 = now_s();
  /* jansson needs ~1.3 GB for this header: within 256 MB only a scan gets to the verdict */
  int ok = refused_within(buf, len, 256, "lists more than 522 tensors", msg, sizeof msg);
  EV_CHECK(ok, "a header of a million tensors: \"%s\"", msg);
  printf("refused %zu MB header with 1e6 tensors in %.2f s: %s\n", len >> 20, now_s() - t0, msg);
  free(buf);
}

int main(void) {
  (void)fixture_model;
  hostile();
  deepest_model_saves();
  real_designs();
  fifo();
  many_tensors();
  EV_TEST_END();
}
