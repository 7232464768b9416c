/* Corpus adapters: every naming scheme against a hand-written table (labels and speakers from
 * the README's descriptions), the README's quirks, rejections, the CSV manifest, and a scan of
 * the real corpora (file counts from the README, nothing rejected). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ev_analyzer.h"
#include "ev_corpus.h"
#include "ev_test.h"

typedef struct row {
  ev_corpus_kind kind;
  const char *rel;
  int label; /* -1: must be rejected */
  const char *speaker;
} row;

static const row table[] = {
    /* RAVDESS: emotion code = canonical order, actor = speaker */
    {EV_CORPUS_RAVDESS, "Actor_01/03-01-01-01-01-01-01.flac", EV_NEUTRAL, "RAVDESS:01"},
    {EV_CORPUS_RAVDESS, "Actor_12/03-01-02-02-01-02-12.flac", EV_CALM, "RAVDESS:12"},
    {EV_CORPUS_RAVDESS, "03-01-03-01-02-01-07.wav", EV_HAPPY, "RAVDESS:07"},
    {EV_CORPUS_RAVDESS, "03-01-04-02-02-02-20", EV_SAD, "RAVDESS:20"},
    {EV_CORPUS_RAVDESS, "03-01-05-01-01-01-09.flac", EV_ANGRY, "RAVDESS:09"},
    {EV_CORPUS_RAVDESS, "03-01-06-02-01-01-24.flac", EV_FEARFUL, "RAVDESS:24"},
    {EV_CORPUS_RAVDESS, "03-01-07-01-01-01-03.flac", EV_DISGUST, "RAVDESS:03"},
    {EV_CORPUS_RAVDESS, "03-01-08-01-01-01-04.flac", EV_SURPRISED, "RAVDESS:04"},
    {EV_CORPUS_RAVDESS, "03-01-01-02-01-01-01.flac", -1, NULL}, /* neutral has no strong */
    {EV_CORPUS_RAVDESS, "03-01-09-01-01-01-01.flac", -1, NULL}, /* no emotion 09 */
    {EV_CORPUS_RAVDESS, "03-01-01-01-01-01-25.flac", -1, NULL}, /* no actor 25 */
    {EV_CORPUS_RAVDESS, "03-01-01-01-01-01.flac", -1, NULL},    /* 6 fields */
    {EV_CORPUS_RAVDESS, "03-01-0a-01-01-01-01.flac", -1, NULL},
    /* CREMA-D */
    {EV_CORPUS_CREMAD, "1001_DFA_ANG_XX.wav", EV_ANGRY, "CREMA-D:1001"},
    {EV_CORPUS_CREMAD, "1091_IEO_HAP_HI.wav", EV_HAPPY, "CREMA-D:1091"},
    {EV_CORPUS_CREMAD, "1050_TIE_NEU_XX.wav", EV_NEUTRAL, "CREMA-D:1050"},
    {EV_CORPUS_CREMAD, "1002_ITS_FEA_LO.wav", EV_FEARFUL, "CREMA-D:1002"},
    {EV_CORPUS_CREMAD, "1003_IOM_DIS_MD.wav", EV_DISGUST, "CREMA-D:1003"},
    {EV_CORPUS_CREMAD, "1004_WSI_SAD_XX.wav", EV_SAD, "CREMA-D:1004"},
    {EV_CORPUS_CREMAD, "1092_DFA_ANG_XX.wav", -1, NULL},
    {EV_CORPUS_CREMAD, "1001_DFA_SUR_XX.wav", -1, NULL},
    {EV_CORPUS_CREMAD, "1001_DFA_ANG.wav", -1, NULL},
    /* TESS, including the misnamed OA_bite_neutral and pleasant surprise */
    {EV_CORPUS_TESS, "TESS_Toronto_emotional_speech_set_data/OAF_neutral/OAF_back_neutral.flac",
     EV_NEUTRAL, "TESS:OAF"},
    {EV_CORPUS_TESS, "TESS_Toronto_emotional_speech_set_data/OAF_neutral/OA_bite_neutral.flac",
     EV_NEUTRAL, "TESS:OAF"},
    {EV_CORPUS_TESS, "x/YAF_pleasant_surprise/YAF_bath_ps.flac", EV_SURPRISED, "TESS:YAF"},
    {EV_CORPUS_TESS, "x/OAF_fear/OAF_youth_fear.flac", EV_FEARFUL, "TESS:OAF"},
    {EV_CORPUS_TESS, "x/YAF_disgust/YAF_wife_disgust.flac", EV_DISGUST, "TESS:YAF"},
    {EV_CORPUS_TESS, "YAF_wife_angry.wav", EV_ANGRY, "TESS:YAF"},
    {EV_CORPUS_TESS, "x/YAF_sad/YAF_wife_angry.flac", -1, NULL}, /* folder disagrees */
    {EV_CORPUS_TESS, "x/YAF_sad/OAF_wife_sad.flac", -1, NULL},   /* speaker disagrees */
    {EV_CORPUS_TESS, "x/YAF_sad/YAF_wife_bored.flac", -1, NULL},
    {EV_CORPUS_TESS, "x/YAF_sad/YAF_sad.flac", -1, NULL},
    /* SAVEE, flat and in speaker folders */
    {EV_CORPUS_SAVEE, "DC_a01.wav", EV_ANGRY, "SAVEE:DC"},
    {EV_CORPUS_SAVEE, "JE_sa15.wav", EV_SAD, "SAVEE:JE"},
    {EV_CORPUS_SAVEE, "JK_su03.wav", EV_SURPRISED, "SAVEE:JK"},
    {EV_CORPUS_SAVEE, "AudioData/KL/n30.wav", EV_NEUTRAL, "SAVEE:KL"},
    {EV_CORPUS_SAVEE, "AudioData/DC/h02.wav", EV_HAPPY, "SAVEE:DC"},
    {EV_CORPUS_SAVEE, "KL_d07.wav", EV_DISGUST, "SAVEE:KL"},
    {EV_CORPUS_SAVEE, "KL_f07.wav", EV_FEARFUL, "SAVEE:KL"},
    {EV_CORPUS_SAVEE, "XX_a01.wav", -1, NULL},
    {EV_CORPUS_SAVEE, "DC_x01.wav", -1, NULL},
    {EV_CORPUS_SAVEE, "a01.wav", -1, NULL},
    /* EmoDB */
    {EV_CORPUS_EMODB, "wav/03a01Fa.wav", EV_HAPPY, "EmoDB:03"},
    {EV_CORPUS_EMODB, "16b10Wb.wav", EV_ANGRY, "EmoDB:16"},
    {EV_CORPUS_EMODB, "08a02Ab.wav", EV_FEARFUL, "EmoDB:08"},
    {EV_CORPUS_EMODB, "09b03Ec.wav", EV_DISGUST, "EmoDB:09"},
    {EV_CORPUS_EMODB, "10a05Td.wav", EV_SAD, "EmoDB:10"},
    {EV_CORPUS_EMODB, "11b01Na.wav", EV_NEUTRAL, "EmoDB:11"},
    {EV_CORPUS_EMODB, "11b01La.wav", -1, NULL}, /* boredom: no canonical label */
    {EV_CORPUS_EMODB, "11b01Xa.wav", -1, NULL},
    {EV_CORPUS_EMODB, "11b01N.wav", -1, NULL},
    /* URDU */
    {EV_CORPUS_URDU, "Angry/SM1_F10_A010.flac", EV_ANGRY, "URDU:SM1"},
    {EV_CORPUS_URDU, "Happy/SF10_F02_H045.flac", EV_HAPPY, "URDU:SF10"},
    {EV_CORPUS_URDU, "Neutral/SM25_F07_N012.flac", EV_NEUTRAL, "URDU:SM25"},
    {EV_CORPUS_URDU, "Sad/SM5_F30_S080.flac", EV_SAD, "URDU:SM5"},
    {EV_CORPUS_URDU, "Sad/SM5_F30_A080.flac", -1, NULL}, /* folder disagrees */
    {EV_CORPUS_URDU, "Sad/SX5_F30_S080.flac", -1, NULL},
    {EV_CORPUS_URDU, "Sad/SM5_F30_Q080.flac", -1, NULL},
    /* TurEV-DB */
    {EV_CORPUS_TUREV, "Sound Source/Angry/1157_kz_acik.flac", EV_ANGRY, "TurEV-DB:1157"},
    {EV_CORPUS_TUREV, "Sound Source/Calm/1234_sk_algi.flac", EV_CALM, "TurEV-DB:1234"},
    {EV_CORPUS_TUREV, "Sound Source/Happy/6783_mt_cay.flac", EV_HAPPY, "TurEV-DB:6783"},
    {EV_CORPUS_TUREV, "Sound Source/Sad/7895_hl_beste.flac", EV_SAD, "TurEV-DB:7895"},
    {EV_CORPUS_TUREV, "Sound Source/Sad/7895_kz_beste.flac", -1, NULL},
    {EV_CORPUS_TUREV, "Sound Source/Sad/7895_xx_beste.flac", -1, NULL},
    {EV_CORPUS_TUREV, "Sound Source/Sad/ab_hl_beste.flac", -1, NULL},
    /* ASED: the emotion from the first two characters, checked against the folder */
    {EV_CORPUS_ASED, "01Neutral/n1-01-01-01-01.opus", EV_NEUTRAL, "ASED:01"},
    {EV_CORPUS_ASED, "02Fearful/f2-07-02-02-65.opus", EV_FEARFUL, "ASED:65"},
    {EV_CORPUS_ASED, "03Happy/h3-03-01-02-08.opus", EV_HAPPY, "ASED:08"},
    {EV_CORPUS_ASED, "04Sad/S4-04-02-01-29.opus", EV_SAD, "ASED:29"}, /* the copy's capital S */
    {EV_CORPUS_ASED, "05Angry/a5-07-01-02-63.opus", EV_ANGRY, "ASED:63"},
    {EV_CORPUS_ASED, "04Sad/a5-07-01-02-63.opus", -1, NULL},   /* folder disagrees */
    {EV_CORPUS_ASED, "05Angry/a4-07-01-02-63.opus", -1, NULL}, /* letter and digit disagree */
    {EV_CORPUS_ASED, "05Angry/a5-08-01-02-63.opus", -1, NULL}, /* no sentence 08 */
    {EV_CORPUS_ASED, "05Angry/a5-07-01-02-66.opus", -1, NULL}, /* no speaker 66 */
    {EV_CORPUS_ASED, "05Angry/a5-07-01-02.opus", -1, NULL},
    /* nEMO */
    {EV_CORPUS_NEMO, "samples/EB0_anger_1.opus", EV_ANGRY, "nEMO:EB0"},
    {EV_CORPUS_NEMO, "samples/WR0_surprised_64.opus", EV_SURPRISED, "nEMO:WR0"},
    {EV_CORPUS_NEMO, "samples/KD0_happiness_12.opus", EV_HAPPY, "nEMO:KD0"},
    {EV_CORPUS_NEMO, "samples/MP0_sadness_3.opus", EV_SAD, "nEMO:MP0"},
    {EV_CORPUS_NEMO, "samples/SM0_fear_100.opus", EV_FEARFUL, "nEMO:SM0"},
    {EV_CORPUS_NEMO, "samples/TP0_neutral_7.opus", EV_NEUTRAL, "nEMO:TP0"},
    {EV_CORPUS_NEMO, "samples/TP0_calm_7.opus", -1, NULL},
    {EV_CORPUS_NEMO, "samples/TP0_neutral_x.opus", -1, NULL},
    {EV_CORPUS_NEMO, "samples/TP0_neutral.opus", -1, NULL},
};

static void check_table(void) {
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    const row *r = &table[i];
    ev_clip_info info;
    char err[256] = "";
    int rc = ev_corpus_parse(r->kind, r->rel, &info, err, sizeof err);
    if (r->label < 0) {
      EV_CHECK(rc != 0, "%s should be rejected", r->rel);
      EV_CHECK(err[0] != 0, "%s rejected without a reason", r->rel);
    } else {
      EV_CHECK(rc == 0, "%s: %s", r->rel, err);
      if (rc == 0) {
        EV_CHECK(info.label == r->label, "%s: label %d, expected %d", r->rel, info.label, r->label);
        EV_CHECK(strcmp(info.speaker, r->speaker) == 0, "%s: speaker %s, expected %s", r->rel,
                 info.speaker, r->speaker);
        /* the acted intensity: RAVDESS's fourth field (01 normal, 02 strong), else unknown */
        const char *base = strrchr(r->rel, '/') ? strrchr(r->rel, '/') + 1 : r->rel;
        const int want = r->kind == EV_CORPUS_RAVDESS ? base[10] - '0' : 0; /* MM-VV-EE-II */
        EV_CHECK(info.intensity == want, "%s: intensity %d, expected %d", r->rel, info.intensity,
                 want);
      }
    }
  }
}

static void check_folders_and_labels(void) {
  EV_CHECK(ev_corpus_kind_from_folder("RAVDESS") == EV_CORPUS_RAVDESS, "RAVDESS");
  EV_CHECK(ev_corpus_kind_from_folder("TurEV-DB") == EV_CORPUS_TUREV, "TurEV-DB");
  EV_CHECK(ev_corpus_kind_from_folder("CREMA-D") == EV_CORPUS_CREMAD, "CREMA-D");
  EV_CHECK(ev_corpus_kind_from_folder("emodb") == EV_CORPUS_EMODB, "emodb");
  EV_CHECK(ev_corpus_kind_from_folder("SAVEE") == EV_CORPUS_SAVEE, "SAVEE");
  EV_CHECK(ev_corpus_kind_from_folder("TESS") == EV_CORPUS_TESS, "TESS");
  EV_CHECK(ev_corpus_kind_from_folder("URDU") == EV_CORPUS_URDU, "URDU");
  EV_CHECK(ev_corpus_kind_from_folder("ASED") == EV_CORPUS_ASED, "ASED");
  EV_CHECK(ev_corpus_kind_from_folder("nEMO") == EV_CORPUS_NEMO, "nEMO");
  EV_CHECK(ev_corpus_kind_from_folder("README.md") == -1, "README.md is no corpus");
  EV_CHECK(ev_label_from_name("ps") == EV_SURPRISED, "ps");
  EV_CHECK(ev_label_from_name("Fear") == EV_FEARFUL, "Fear");
  EV_CHECK(ev_label_from_name("boredom") == -1, "boredom");
  /* the aliases the model loader knows, read the same way here (one table, dsp/emotions) */
  EV_CHECK(ev_label_from_name("joy") == EV_HAPPY, "joy");
  EV_CHECK(ev_label_from_name("neutrality") == EV_NEUTRAL, "neutrality");
  EV_CHECK(ev_label_from_name("Sadness") == EV_SAD, "Sadness");
  EV_CHECK(ev_is_audio_name("a.FLAC") && ev_is_audio_name("b.wav") && !ev_is_audio_name("c.txt"),
           "audio extensions");
}

static void check_manifest(void) {
  char dir[] = "/tmp/evtrain_manifestXXXXXX";
  EV_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  char path[512], sub[600], one[600], two[600], four[600];
  snprintf(path, sizeof path, "%s/list.csv", dir);
  /* the listed files exist, but gone.wav: a missing file is skipped, never a clip */
  snprintf(sub, sizeof sub, "%s/a", dir);
  snprintf(one, sizeof one, "%s/a/one.wav", dir);
  snprintf(two, sizeof two, "%s/two.flac", dir);
  snprintf(four, sizeof four, "%s/four.wav", dir);
  mkdir(sub, 0777);
  const char *made[] = {one, two, four};
  for (int i = 0; i < 3; i++) {
    FILE *w = fopen(made[i], "w");
    if (w)
      fclose(w);
  }
  FILE *f = fopen(path, "w");
  fprintf(f,
          "path,label,speaker\n"
          "a/one.wav,angry,spk1\n"
          "%s, fear ,spk2\n"
          "three.wav,boredom,spk3\n"
          "broken line\n"
          "gone.wav,angry,spk1\n"
          "four.wav,ps,spk1\n",
          two);
  fclose(f);
  ev_clip_list l = {0};
  char err[256];
  int n = ev_corpus_read_manifest(path, &l, err, sizeof err);
  EV_CHECK(n == 3, "manifest rows %d", n);
  EV_CHECK(l.rejected == 3, "manifest rejected %zu (bad label, broken line, missing file)",
           l.rejected);
  if (n == 3) {
    char expect[600];
    snprintf(expect, sizeof expect, "%s/a/one.wav", dir);
    EV_CHECK(strcmp(l.v[0].path, expect) == 0, "relative path %s", l.v[0].path);
    EV_CHECK(l.v[0].label == EV_ANGRY && strcmp(l.v[0].speaker, "manifest:spk1") == 0, "row 1");
    EV_CHECK(strcmp(l.v[1].path, two) == 0 && l.v[1].label == EV_FEARFUL, "row 2");
    EV_CHECK(l.v[2].label == EV_SURPRISED, "row 3");
  }
  ev_clip_list_free(&l);
  remove(path);
  for (int i = 0; i < 3; i++)
    remove(made[i]);
  rmdir(sub);
  rmdir(dir);
}

static void check_real_corpora(void) {
  const char *root = getenv("EMOVOX_CORPORA");
  if (!root || access(root, R_OK) != 0) {
    printf("no corpora at EMOVOX_CORPORA: real-corpus scan not run\n");
    return;
  }
  ev_clip_list l = {0};
  char err[256];
  int found = ev_corpus_scan_root(root, NULL, &l, err, sizeof err);
  EV_CHECK(found >= 4, "corpora found %d (%s)", found, err);
  size_t per[EV_CORPUS_KIND_COUNT] = {0};
  for (size_t i = 0; i < l.n; i++)
    per[l.v[i].corpus]++;
  EV_CHECK(per[EV_CORPUS_RAVDESS] == 1200, "RAVDESS files %zu", per[EV_CORPUS_RAVDESS]);
  EV_CHECK(per[EV_CORPUS_TESS] == 2798, "TESS files %zu", per[EV_CORPUS_TESS]);
  EV_CHECK(per[EV_CORPUS_URDU] == 400, "URDU files %zu", per[EV_CORPUS_URDU]);
  EV_CHECK(per[EV_CORPUS_TUREV] == 1735, "TurEV-DB files %zu", per[EV_CORPUS_TUREV]);
  EV_CHECK(per[EV_CORPUS_ASED] == 2474, "ASED files %zu", per[EV_CORPUS_ASED]);
  EV_CHECK(per[EV_CORPUS_NEMO] == 4481, "nEMO files %zu", per[EV_CORPUS_NEMO]);
  EV_CHECK(l.rejected == 0, "rejected %zu", l.rejected);
  /* 20 RAVDESS actors, 2 TESS speakers, 6 TurEV-DB speakers, 29 URDU codes, 65 ASED speakers,
   * 9 nEMO speakers */
  int ravdess_labels[EV_N_EMOTIONS] = {0};
  char seen[160][48];
  int n_seen = 0;
  for (size_t i = 0; i < l.n; i++) {
    if (l.v[i].corpus == EV_CORPUS_RAVDESS)
      ravdess_labels[l.v[i].label]++;
    int k;
    for (k = 0; k < n_seen; k++)
      if (!strcmp(seen[k], l.v[i].speaker))
        break;
    if (k == n_seen && n_seen < 160)
      strcpy(seen[n_seen++], l.v[i].speaker);
  }
  EV_CHECK(n_seen == 20 + 2 + 6 + 29 + 65 + 9, "distinct speakers %d", n_seen);
  /* RAVDESS: 60 per actor = 4 neutral + 8 of each other emotion */
  EV_CHECK(ravdess_labels[EV_NEUTRAL] == 80, "RAVDESS neutral %d", ravdess_labels[EV_NEUTRAL]);
  for (int e = 1; e < EV_N_EMOTIONS; e++)
    EV_CHECK(ravdess_labels[e] == 160, "RAVDESS %d: %d", e, ravdess_labels[e]);
  ev_clip_list_free(&l);
}

int main(void) {
  check_table();
  check_folders_and_labels();
  check_manifest();
  check_real_corpora();
  EV_TEST_END();
}
