/* Corpus adapters: one parser per naming scheme (see ../shared/corpora/README.md). */
#include "ev_corpus.h"
#include "ev_error.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <sys/stat.h>

#include "ev_analyzer.h"

static const char *const kind_names[EV_CORPUS_KIND_COUNT] = {
    "RAVDESS", "CREMA-D", "TESS", "SAVEE", "EmoDB", "URDU", "TurEV-DB", "ASED", "nEMO", "manifest"};

const char *ev_corpus_kind_name(ev_corpus_kind k) {
  return (k >= 0 && k < EV_CORPUS_KIND_COUNT) ? kind_names[k] : "?";
}

/* Compare ignoring case and the characters '-', '_' and ' ' ("TurEV-DB" == "turevdb"). */
static int loose_prefix(const char *s, const char *prefix) {
  while (*prefix) {
    while (*s == '-' || *s == '_' || *s == ' ')
      s++;
    if (!*s || tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
      return 0;
    s++;
    prefix++;
  }
  return 1;
}

int ev_corpus_kind_from_folder(const char *folder) {
  static const struct {
    const char *prefix;
    int kind;
  } map[] = {
      {"ravdess", EV_CORPUS_RAVDESS}, {"cremad", EV_CORPUS_CREMAD}, {"crema", EV_CORPUS_CREMAD},
      {"tess", EV_CORPUS_TESS},       {"savee", EV_CORPUS_SAVEE},   {"emodb", EV_CORPUS_EMODB},
      {"berlin", EV_CORPUS_EMODB},    {"urdu", EV_CORPUS_URDU},     {"turev", EV_CORPUS_TUREV},
      {"ased", EV_CORPUS_ASED},       {"nemo", EV_CORPUS_NEMO}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (loose_prefix(folder, map[i].prefix))
      return map[i].kind;
  return -1;
}

int ev_label_from_name(const char *name) {
  return ev_emotion_from_name(name); /* the one alias table, shared with the model loader */
}

/* Splits relpath into its last folder (may be empty) and its base name without extension. */
static void split_path(const char *relpath, char *folder, size_t flen, char *base, size_t blen) {
  const char *slash = strrchr(relpath, '/');
  const char *name = slash ? slash + 1 : relpath;
  folder[0] = 0;
  if (slash) {
    const char *start = slash;
    while (start > relpath && start[-1] != '/')
      start--;
    size_t n = (size_t)(slash - start);
    if (n >= flen)
      n = flen - 1;
    memcpy(folder, start, n);
    folder[n] = 0;
  }
  snprintf(base, blen, "%s", name);
  char *dot = strrchr(base, '.');
  if (dot && dot != base)
    *dot = 0;
}

static int all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]))
      return 0;
  return 1;
}

/* Splits s at '_' (or sep) into at most max fields; returns the count (max+1 if too many). */
static int split_fields(char *s, char sep, char **fields, int max) {
  int n = 0;
  char *p = s;
  for (;;) {
    if (n == max)
      return max + 1;
    fields[n++] = p;
    char *q = strchr(p, sep);
    if (!q)
      break;
    *q = 0;
    p = q + 1;
  }
  return n;
}

/* RAVDESS: MM-VV-EE-II-SS-RR-AA (modality, vocal channel, emotion, intensity, statement,
 * repetition, actor). */
static int parse_ravdess(const char *base, ev_clip_info *out, char *err, size_t errlen) {
  char buf[64];
  char *f[8];
  if (strlen(base) >= sizeof buf)
    return ev_fail(err, errlen, "name too long for RAVDESS");
  strcpy(buf, base);
  if (split_fields(buf, '-', f, 7) != 7)
    return ev_fail(err, errlen, "RAVDESS names have 7 fields MM-VV-EE-II-SS-RR-AA");
  int v[7];
  for (int i = 0; i < 7; i++) {
    if (strlen(f[i]) != 2 || !all_digits(f[i], 2))
      return ev_fail(err, errlen, "RAVDESS field %d ('%s') is not two digits", i + 1, f[i]);
    v[i] = atoi(f[i]);
  }
  if (v[0] < 1 || v[0] > 3)
    return ev_fail(err, errlen, "RAVDESS modality %02d not 01-03", v[0]);
  if (v[1] != 1 && v[1] != 2)
    return ev_fail(err, errlen, "RAVDESS vocal channel %02d not 01/02", v[1]);
  if (v[2] < 1 || v[2] > 8)
    return ev_fail(err, errlen, "RAVDESS emotion %02d not 01-08", v[2]);
  if (v[3] != 1 && v[3] != 2)
    return ev_fail(err, errlen, "RAVDESS intensity %02d not 01/02", v[3]);
  if (v[2] == 1 && v[3] == 2)
    return ev_fail(err, errlen, "RAVDESS neutral has no strong intensity (02)");
  if (v[4] != 1 && v[4] != 2)
    return ev_fail(err, errlen, "RAVDESS statement %02d not 01/02", v[4]);
  if (v[5] != 1 && v[5] != 2)
    return ev_fail(err, errlen, "RAVDESS repetition %02d not 01/02", v[5]);
  if (v[6] < 1 || v[6] > 24)
    return ev_fail(err, errlen, "RAVDESS actor %02d not 01-24", v[6]);
  /* RAVDESS emotion codes 01..08 are exactly the canonical order. */
  out->label = v[2] - 1;
  out->intensity = v[3];
  snprintf(out->speaker, sizeof out->speaker, "RAVDESS:%02d", v[6]);
  return 0;
}

/* CREMA-D: AAAA_SSS_EMO_LV. */
static int parse_cremad(const char *base, ev_clip_info *out, char *err, size_t errlen) {
  static const struct {
    const char *code;
    int label;
  } emo[] = {{"ANG", EV_ANGRY}, {"DIS", EV_DISGUST}, {"FEA", EV_FEARFUL},
             {"HAP", EV_HAPPY}, {"NEU", EV_NEUTRAL}, {"SAD", EV_SAD}};
  char buf[64];
  char *f[5];
  if (strlen(base) >= sizeof buf)
    return ev_fail(err, errlen, "name too long for CREMA-D");
  strcpy(buf, base);
  if (split_fields(buf, '_', f, 4) != 4)
    return ev_fail(err, errlen, "CREMA-D names have 4 fields AAAA_SSS_EMO_LV");
  if (strlen(f[0]) != 4 || !all_digits(f[0], 4) || atoi(f[0]) < 1001 || atoi(f[0]) > 1091)
    return ev_fail(err, errlen, "CREMA-D actor '%s' not 1001-1091", f[0]);
  if (strlen(f[1]) != 3)
    return ev_fail(err, errlen, "CREMA-D sentence code '%s' is not 3 letters", f[1]);
  int label = -1;
  for (size_t i = 0; i < sizeof emo / sizeof emo[0]; i++)
    if (strcmp(f[2], emo[i].code) == 0)
      label = emo[i].label;
  if (label < 0)
    return ev_fail(err, errlen, "CREMA-D emotion '%s' not ANG/DIS/FEA/HAP/NEU/SAD", f[2]);
  if (strcmp(f[3], "LO") && strcmp(f[3], "MD") && strcmp(f[3], "HI") && strcmp(f[3], "XX") &&
      strcmp(f[3], "X"))
    return ev_fail(err, errlen, "CREMA-D level '%s' not LO/MD/HI/XX", f[3]);
  out->label = label;
  snprintf(out->speaker, sizeof out->speaker, "CREMA-D:%s", f[0]);
  return 0;
}

/* TESS: <SPK>_<emotion>/<SPK>_<word>_<emotion>. The folder's speaker wins when the file's is a
 * truncation of it (the known OAF_neutral/OA_bite_neutral quirk); the emotions must agree. */
static int parse_tess(const char *folder, const char *base, ev_clip_info *out, char *err,
                      size_t errlen) {
  char buf[96];
  if (strlen(base) >= sizeof buf)
    return ev_fail(err, errlen, "name too long for TESS");
  strcpy(buf, base);
  char *first = strchr(buf, '_');
  char *last = strrchr(buf, '_');
  if (!first || first == last || first == buf || last[1] == 0 || last == first + 1)
    return ev_fail(err, errlen, "TESS names are SPK_word_emotion");
  *first = 0;
  *last = 0;
  const char *spk = buf, *emo = last + 1;
  int label = ev_label_from_name(emo);
  if (label < 0 || label == EV_CALM)
    return ev_fail(err, errlen, "TESS emotion '%s' not angry/disgust/fear/happy/neutral/ps/sad",
                   emo);
  char fspk[48] = "";
  if (folder[0]) {
    const char *us = strchr(folder, '_');
    if (!us || us == folder)
      return ev_fail(err, errlen, "TESS folder '%s' is not SPK_emotion", folder);
    size_t n = (size_t)(us - folder);
    if (n >= sizeof fspk)
      n = sizeof fspk - 1;
    memcpy(fspk, folder, n);
    fspk[n] = 0;
    int flabel = ev_label_from_name(us + 1);
    if (flabel != label)
      return ev_fail(err, errlen, "TESS folder '%s' disagrees with the name's emotion '%s'", folder,
                     emo);
    if (strncasecmp(fspk, spk, strlen(spk)) != 0)
      return ev_fail(err, errlen, "TESS speaker '%s' disagrees with folder '%s'", spk, folder);
    spk = fspk;
  }
  char up[48];
  size_t i;
  for (i = 0; spk[i] && i + 1 < sizeof up; i++)
    up[i] = (char)toupper((unsigned char)spk[i]);
  up[i] = 0;
  out->label = label;
  snprintf(out->speaker, sizeof out->speaker, "TESS:%.40s", up);
  return 0;
}

static int is_savee_speaker(const char *s) {
  return !strcmp(s, "DC") || !strcmp(s, "JE") || !strcmp(s, "JK") || !strcmp(s, "KL");
}

/* SAVEE: SS_eNN, or SS/eNN (the original AudioData/SS/ layout). */
static int parse_savee(const char *folder, const char *base, ev_clip_info *out, char *err,
                       size_t errlen) {
  char spk[8];
  const char *code;
  const char *us = strchr(base, '_');
  if (us) {
    size_t n = (size_t)(us - base);
    if (n != 2)
      return ev_fail(err, errlen, "SAVEE speaker '%.*s' not DC/JE/JK/KL", (int)n, base);
    memcpy(spk, base, 2);
    spk[2] = 0;
    code = us + 1;
  } else if (is_savee_speaker(folder)) {
    strcpy(spk, folder);
    code = base;
  } else {
    return ev_fail(err, errlen, "SAVEE names are SS_eNN (or SS/eNN)");
  }
  if (!is_savee_speaker(spk))
    return ev_fail(err, errlen, "SAVEE speaker '%s' not DC/JE/JK/KL", spk);
  int label = -1;
  size_t elen = 1;
  if (!strncmp(code, "sa", 2)) {
    label = EV_SAD;
    elen = 2;
  } else if (!strncmp(code, "su", 2)) {
    label = EV_SURPRISED;
    elen = 2;
  } else {
    switch (code[0]) {
    case 'a':
      label = EV_ANGRY;
      break;
    case 'd':
      label = EV_DISGUST;
      break;
    case 'f':
      label = EV_FEARFUL;
      break;
    case 'h':
      label = EV_HAPPY;
      break;
    case 'n':
      label = EV_NEUTRAL;
      break;
    default:
      break;
    }
  }
  if (label < 0)
    return ev_fail(err, errlen, "SAVEE emotion code in '%s' not a/d/f/h/n/sa/su", code);
  size_t nlen = strlen(code + elen);
  if (nlen < 1 || nlen > 3 || !all_digits(code + elen, nlen))
    return ev_fail(err, errlen, "SAVEE sentence number in '%s' is not digits", code);
  out->label = label;
  snprintf(out->speaker, sizeof out->speaker, "SAVEE:%s", spk);
  return 0;
}

/* EmoDB: SSTTTEv, e.g. 03a01Fa (speaker 03, text a01, emotion F, version a). */
static int parse_emodb(const char *base, ev_clip_info *out, char *err, size_t errlen) {
  if (strlen(base) != 7)
    return ev_fail(err, errlen, "EmoDB names are 7 characters SSTTTEv");
  if (!all_digits(base, 2) || !isalpha((unsigned char)base[2]) || !all_digits(base + 3, 2) ||
      !isalpha((unsigned char)base[6]))
    return ev_fail(err, errlen, "EmoDB name '%s' is not SSTTTEv", base);
  int label;
  switch (base[5]) {
  case 'W':
    label = EV_ANGRY;
    break;
  case 'E':
    label = EV_DISGUST;
    break;
  case 'A':
    label = EV_FEARFUL;
    break;
  case 'F':
    label = EV_HAPPY;
    break;
  case 'T':
    label = EV_SAD;
    break;
  case 'N':
    label = EV_NEUTRAL;
    break;
  case 'L':
    return ev_fail(err, errlen, "EmoDB boredom (L) has no canonical label");
  default:
    return ev_fail(err, errlen, "EmoDB emotion '%c' not W/L/E/A/F/T/N", base[5]);
  }
  out->label = label;
  snprintf(out->speaker, sizeof out->speaker, "EmoDB:%.2s", base);
  return 0;
}

/* URDU: <Emotion>/SGX_FYY_EZZ. */
static int parse_urdu(const char *folder, const char *base, ev_clip_info *out, char *err,
                      size_t errlen) {
  char buf[64];
  char *f[4];
  if (strlen(base) >= sizeof buf)
    return ev_fail(err, errlen, "name too long for URDU");
  strcpy(buf, base);
  if (split_fields(buf, '_', f, 3) != 3)
    return ev_fail(err, errlen, "URDU names have 3 fields SGX_FYY_EZZ");
  size_t n0 = strlen(f[0]);
  if (n0 < 3 || f[0][0] != 'S' || (f[0][1] != 'M' && f[0][1] != 'F') ||
      !all_digits(f[0] + 2, n0 - 2))
    return ev_fail(err, errlen, "URDU speaker '%s' is not SGX (G = M/F)", f[0]);
  size_t n1 = strlen(f[1]);
  if (n1 < 2 || f[1][0] != 'F' || !all_digits(f[1] + 1, n1 - 1))
    return ev_fail(err, errlen, "URDU file field '%s' is not FYY", f[1]);
  size_t n2 = strlen(f[2]);
  if (n2 < 2 || !all_digits(f[2] + 1, n2 - 1))
    return ev_fail(err, errlen, "URDU emotion field '%s' is not EZZ", f[2]);
  int label;
  switch (f[2][0]) {
  case 'A':
    label = EV_ANGRY;
    break;
  case 'H':
    label = EV_HAPPY;
    break;
  case 'N':
    label = EV_NEUTRAL;
    break;
  case 'S':
    label = EV_SAD;
    break;
  default:
    return ev_fail(err, errlen, "URDU emotion '%c' not A/H/N/S", f[2][0]);
  }
  if (folder[0]) {
    int fl = ev_label_from_name(folder);
    if (fl >= 0 && fl != label)
      return ev_fail(err, errlen, "URDU folder '%s' disagrees with emotion '%c'", folder, f[2][0]);
  }
  out->label = label;
  snprintf(out->speaker, sizeof out->speaker, "URDU:%s", f[0]);
  return 0;
}

/* TurEV-DB: Sound Source/<Emotion>/SPK_EE_word. */
static int parse_turev(const char *folder, const char *base, ev_clip_info *out, char *err,
                       size_t errlen) {
  char buf[96];
  if (strlen(base) >= sizeof buf)
    return ev_fail(err, errlen, "name too long for TurEV-DB");
  strcpy(buf, base);
  char *a = strchr(buf, '_');
  char *b = a ? strchr(a + 1, '_') : NULL;
  if (!a || !b || b[1] == 0)
    return ev_fail(err, errlen, "TurEV-DB names are SPK_EE_word");
  *a = 0;
  *b = 0;
  const char *spk = buf, *code = a + 1;
  if (!spk[0] || !all_digits(spk, strlen(spk)))
    return ev_fail(err, errlen, "TurEV-DB speaker '%s' is not a number", spk);
  int label;
  if (!strcmp(code, "kz"))
    label = EV_ANGRY;
  else if (!strcmp(code, "sk"))
    label = EV_CALM;
  else if (!strcmp(code, "mt"))
    label = EV_HAPPY;
  else if (!strcmp(code, "hl"))
    label = EV_SAD;
  else
    return ev_fail(err, errlen, "TurEV-DB emotion '%s' not kz/sk/mt/hl", code);
  if (folder[0]) {
    int fl = ev_label_from_name(folder);
    if (fl >= 0 && fl != label)
      return ev_fail(err, errlen, "TurEV-DB folder '%s' disagrees with emotion '%s'", folder, code);
  }
  out->label = label;
  snprintf(out->speaker, sizeof out->speaker, "TurEV-DB:%.30s", spk);
  return 0;
}

/* ASED: <NN><Emotion>/<e><n>-YY-AA-GG-SS (n1 neutral, f2 fearful, h3 happy, s4 sad, a5 angry;
 * sentence, repetition, gender, speaker). The letter is matched without case because one file
 * of the copy is named S4-...; the folder's number and emotion must agree with it. */
static int parse_ased(const char *folder, const char *base, ev_clip_info *out, char *err,
                      size_t errlen) {
  static const struct {
    char letter, digit;
    int label;
  } emo[] = {{'n', '1', EV_NEUTRAL},
             {'f', '2', EV_FEARFUL},
             {'h', '3', EV_HAPPY},
             {'s', '4', EV_SAD},
             {'a', '5', EV_ANGRY}};
  if (strlen(base) != 14 || base[2] != '-' || base[5] != '-' || base[8] != '-' || base[11] != '-' ||
      !all_digits(base + 3, 2) || !all_digits(base + 6, 2) || !all_digits(base + 9, 2) ||
      !all_digits(base + 12, 2))
    return ev_fail(err, errlen, "ASED names are En-YY-AA-GG-SS");
  int label = -1;
  for (size_t i = 0; i < sizeof emo / sizeof emo[0]; i++)
    if (tolower((unsigned char)base[0]) == emo[i].letter && base[1] == emo[i].digit)
      label = emo[i].label;
  if (label < 0)
    return ev_fail(err, errlen, "ASED emotion '%.2s' not n1/f2/h3/s4/a5", base);
  const int sentence = atoi(base + 3), rep = atoi(base + 6), gender = atoi(base + 9),
            spk = atoi(base + 12);
  if (sentence < 1 || sentence > 7)
    return ev_fail(err, errlen, "ASED sentence %02d not 01-07", sentence);
  if (rep != 1 && rep != 2)
    return ev_fail(err, errlen, "ASED repetition %02d not 01/02", rep);
  if (gender != 1 && gender != 2)
    return ev_fail(err, errlen, "ASED gender %02d not 01/02", gender);
  if (spk < 1 || spk > 65)
    return ev_fail(err, errlen, "ASED speaker %02d not 01-65", spk);
  if (folder[0]) {
    if (strlen(folder) < 3 || !all_digits(folder, 2) || folder[1] != base[1] ||
        ev_label_from_name(folder + 2) != label)
      return ev_fail(err, errlen, "ASED folder '%s' disagrees with emotion '%.2s'", folder, base);
  }
  out->label = label;
  snprintf(out->speaker, sizeof out->speaker, "ASED:%02d", spk);
  return 0;
}

/* nEMO: samples/<SPK>_<emotion>_<n> (SPK letters and digits, e.g. EB0; emotion anger, fear,
 * happiness, sadness, surprised or neutral). */
static int parse_nemo(const char *base, ev_clip_info *out, char *err, size_t errlen) {
  static const char *const emotions[] = {"anger",   "fear",      "happiness",
                                         "sadness", "surprised", "neutral"};
  char buf[96];
  char *f[4];
  if (strlen(base) >= sizeof buf)
    return ev_fail(err, errlen, "name too long for nEMO");
  strcpy(buf, base);
  if (split_fields(buf, '_', f, 3) != 3)
    return ev_fail(err, errlen, "nEMO names have 3 fields SPK_emotion_n");
  size_t n0 = strlen(f[0]);
  if (n0 < 2 || n0 > 8)
    return ev_fail(err, errlen, "nEMO speaker '%s' is not a short code", f[0]);
  for (size_t i = 0; i < n0; i++)
    if (!isalnum((unsigned char)f[0][i]))
      return ev_fail(err, errlen, "nEMO speaker '%s' is not letters and digits", f[0]);
  int label = -1;
  for (size_t i = 0; i < sizeof emotions / sizeof emotions[0]; i++)
    if (!strcmp(f[1], emotions[i]))
      label = ev_label_from_name(f[1]);
  if (label < 0)
    return ev_fail(err, errlen,
                   "nEMO emotion '%s' not anger/fear/happiness/sadness/surprised/neutral", f[1]);
  if (!f[2][0] || !all_digits(f[2], strlen(f[2])))
    return ev_fail(err, errlen, "nEMO clip number '%s' is not digits", f[2]);
  out->label = label;
  snprintf(out->speaker, sizeof out->speaker, "nEMO:%s", f[0]);
  return 0;
}

int ev_corpus_parse(ev_corpus_kind kind, const char *relpath, ev_clip_info *out, char *err,
                    size_t errlen) {
  char folder[256], base[256];
  split_path(relpath, folder, sizeof folder, base, sizeof base);
  if (!base[0])
    return ev_fail(err, errlen, "empty name");
  out->intensity = 0;
  switch (kind) {
  case EV_CORPUS_RAVDESS:
    return parse_ravdess(base, out, err, errlen);
  case EV_CORPUS_CREMAD:
    return parse_cremad(base, out, err, errlen);
  case EV_CORPUS_TESS:
    return parse_tess(folder, base, out, err, errlen);
  case EV_CORPUS_SAVEE:
    return parse_savee(folder, base, out, err, errlen);
  case EV_CORPUS_EMODB:
    return parse_emodb(base, out, err, errlen);
  case EV_CORPUS_URDU:
    return parse_urdu(folder, base, out, err, errlen);
  case EV_CORPUS_TUREV:
    return parse_turev(folder, base, out, err, errlen);
  case EV_CORPUS_ASED:
    return parse_ased(folder, base, out, err, errlen);
  case EV_CORPUS_NEMO:
    return parse_nemo(base, out, err, errlen);
  default:
    return ev_fail(err, errlen, "no file-name scheme for this corpus");
  }
}

void ev_clip_list_free(ev_clip_list *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i].path);
  free(l->v);
  memset(l, 0, sizeof *l);
}

int ev_clip_list_add(ev_clip_list *l, const char *path, int label, const char *speaker,
                     int corpus) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    ev_clip *v = realloc(l->v, cap * sizeof *v);
    if (!v)
      return -1;
    l->v = v;
    l->cap = cap;
  }
  ev_clip *c = &l->v[l->n];
  c->path = strdup(path);
  if (!c->path)
    return -1;
  c->label = label;
  snprintf(c->speaker, sizeof c->speaker, "%s", speaker);
  c->corpus = corpus;
  c->intensity = 0;
  l->n++;
  return 0;
}

int ev_is_audio_name(const char *name) {
  static const char *const ext[] = {"wav", "flac", "ogg", "oga", "aif", "aiff",
                                    "au",  "w64",  "caf", "mp3", "opus"};
  const char *dot = strrchr(name, '.');
  if (!dot)
    return 0;
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
    if (strcasecmp(dot + 1, ext[i]) == 0)
      return 1;
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted listing so that clip order (and thus every result) is independent of the filesystem. */
static char **list_dir(const char *dir, size_t *count) {
  DIR *d = opendir(dir);
  *count = 0;
  if (!d)
    return NULL;
  size_t n = 0, cap = 64;
  char **names = malloc(cap * sizeof *names);
  struct dirent *e;
  while (names && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap *= 2;
      char **nn = realloc(names, cap * sizeof *nn);
      if (!nn)
        break;
      names = nn;
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (names)
    qsort(names, n, sizeof *names, cmp_str);
  *count = n;
  return names;
}

typedef struct walk_state {
  ev_corpus_kind kind;
  ev_clip_list *out;
  size_t added, rejected;
} walk_state;

static void walk(walk_state *ws, const char *root, const char *rel, int depth) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
  size_t n;
  char **names = list_dir(dir, &n);
  for (size_t i = 0; i < n; i++) {
    char path[8192], sub[8192];
    snprintf(path, sizeof path, "%.4000s/%.1000s", dir, names[i]);
    snprintf(sub, sizeof sub, "%.4000s%s%.1000s", rel, rel[0] ? "/" : "", names[i]);
    struct stat st;
    if (stat(path, &st) != 0) {
      fprintf(stderr, "emovox-train: cannot stat %s: %s (skipped)\n", path, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
      if (depth < 6)
        walk(ws, root, sub, depth + 1);
    } else if (ev_is_audio_name(names[i])) {
      ev_clip_info info;
      char err[256];
      if (ev_corpus_parse(ws->kind, sub, &info, err, sizeof err) == 0) {
        if (ev_clip_list_add(ws->out, path, info.label, info.speaker, (int)ws->kind) == 0) {
          ws->out->v[ws->out->n - 1].intensity = info.intensity;
          ws->added++;
        }
      } else {
        ws->rejected++;
        ws->out->rejected++;
        fprintf(stderr, "emovox-train: %s: %s: %s (skipped)\n", ev_corpus_kind_name(ws->kind), sub,
                err);
      }
    }
    free(names[i]);
  }
  free(names);
}

int ev_corpus_scan_dir(ev_corpus_kind kind, const char *dir, ev_clip_list *out, char *err,
                       size_t errlen) {
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return ev_fail(err, errlen, "%s is not a readable folder", dir);
  walk_state ws = {kind, out, 0, 0};
  walk(&ws, dir, "", 0);
  if (ws.rejected)
    fprintf(stderr, "emovox-train: %s: %zu file(s) skipped because their names did not parse\n",
            ev_corpus_kind_name(kind), ws.rejected);
  return (int)ws.added;
}

static int in_list(const char *list, const char *name) {
  if (!list)
    return 1;
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    const char *q = strchr(p, ',');
    size_t len = q ? (size_t)(q - p) : strlen(p);
    if (len == n && strncasecmp(p, name, n) == 0)
      return 1;
    char tmp[64];
    if (len < sizeof tmp) {
      memcpy(tmp, p, len);
      tmp[len] = 0;
      if (ev_corpus_kind_from_folder(tmp) >= 0 &&
          ev_corpus_kind_from_folder(tmp) == ev_corpus_kind_from_folder(name))
        return 1;
    }
    if (!q)
      break;
    p = q + 1;
  }
  return 0;
}

int ev_corpus_scan_root(const char *root, const char *only, ev_clip_list *out, char *err,
                        size_t errlen) {
  size_t n;
  struct stat st;
  if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
    return ev_fail(err, errlen, "corpora folder %s cannot be read (use --corpora DIR)", root);
  char **names = list_dir(root, &n);
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    int kind = ev_corpus_kind_from_folder(names[i]);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, names[i]);
    if (kind >= 0 && in_list(only, ev_corpus_kind_name(kind)) && stat(path, &st) == 0 &&
        S_ISDIR(st.st_mode)) {
      char e[256];
      if (ev_corpus_scan_dir(kind, path, out, e, sizeof e) >= 0)
        found++;
      else
        fprintf(stderr, "emovox-train: %s\n", e);
    }
    free(names[i]);
  }
  free(names);
  return found;
}

static void trim(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = 0;
  size_t k = 0;
  while (s[k] == ' ' || s[k] == '\t')
    k++;
  if (k)
    memmove(s, s + k, n - k + 1);
}

int ev_corpus_read_manifest(const char *csv, ev_clip_list *out, char *err, size_t errlen) {
  FILE *f = fopen(csv, "r");
  if (!f)
    return ev_fail(err, errlen, "cannot open manifest %s: %s", csv, strerror(errno));
  char base[4096];
  snprintf(base, sizeof base, "%s", csv);
  char *slash = strrchr(base, '/');
  if (slash)
    slash[1] = 0;
  else
    base[0] = 0;
  char line[8192];
  int added = 0, lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    trim(line);
    if (!line[0] || line[0] == '#')
      continue;
    char *f1 = line, *c1 = strchr(f1, ',');
    char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    if (!c1 || !c2) {
      fprintf(stderr, "emovox-train: %s:%d: expected path,label,speaker (skipped)\n", csv, lineno);
      out->rejected++;
      continue;
    }
    *c1 = 0;
    *c2 = 0;
    char *lab = c1 + 1, *spk = c2 + 1;
    trim(f1);
    trim(lab);
    trim(spk);
    if (lineno == 1 && strcasecmp(f1, "path") == 0)
      continue;
    int label = ev_label_from_name(lab);
    if (label < 0 || !f1[0] || !spk[0]) {
      fprintf(stderr,
              "emovox-train: %s:%d: label '%s' is not one of the canonical names or their "
              "aliases, or a field is empty (skipped)\n",
              csv, lineno, lab);
      out->rejected++;
      continue;
    }
    char path[8192 + 4096], speaker[64];
    if (f1[0] == '/')
      snprintf(path, sizeof path, "%s", f1);
    else
      snprintf(path, sizeof path, "%s%s", base, f1);
    snprintf(speaker, sizeof speaker, "manifest:%.40s", spk);
    if (access(path, R_OK) != 0) { /* counted as skipped, never as training data */
      fprintf(stderr, "emovox-train: %s:%d: %s: %s (skipped)\n", csv, lineno, path,
              strerror(errno));
      out->rejected++;
      continue;
    }
    if (ev_clip_list_add(out, path, label, speaker, EV_CORPUS_MANIFEST) == 0)
      added++;
  }
  fclose(f);
  return added;
}
