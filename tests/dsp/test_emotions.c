/* The canonical emotions (dsp/emotions): every name and alias against a table written out
 * here from the corpora's conventions (../shared/corpora/README.md and the weight files the
 * loader accepts), both ways: a name reads as its emotion, and an emotion's name reads back
 * as itself. The short names are 3 distinct capitals that start their emotion's name. Lists of
 * names (ev_emotion_mask_from_list, --labels) read as sets, and their errors say why; a mask of
 * none or all eight allows all eight (ev_emotion_mask_allowed). */
#include <ctype.h>
#include <string.h>

#include "../ev_test.h"
#include "ev_emotions.h"

static const struct {
  const char *name;
  int emotion;
} expected[] = {
    {"neutral", EV_NEUTRAL},
    {"neutrality", EV_NEUTRAL},
    {"calm", EV_CALM},
    {"happy", EV_HAPPY},
    {"happiness", EV_HAPPY},
    {"joy", EV_HAPPY},
    {"sad", EV_SAD},
    {"sadness", EV_SAD},
    {"angry", EV_ANGRY},
    {"anger", EV_ANGRY},
    {"fearful", EV_FEARFUL},
    {"fear", EV_FEARFUL},
    {"disgust", EV_DISGUST},
    {"disgusted", EV_DISGUST},
    {"surprised", EV_SURPRISED},
    {"surprise", EV_SURPRISED},
    {"ps", EV_SURPRISED},
    {"pleasant_surprise", EV_SURPRISED},
    {"pleasant_surprised", EV_SURPRISED},
    /* no canonical slot */
    {"boredom", -1},
    {"contempt", -1},
    {"", -1},
    {"neutral ", -1},
    {"happ", -1},
};

/* ev_emotion_mask_from_list: comma-separated names and aliases to a set; errors say why. */
static void test_mask_lists(void) {
  static const struct {
    const char *list;
    unsigned mask;
  } good[] = {
      {"neutral,happy,sad,angry",
       1u << EV_NEUTRAL | 1u << EV_HAPPY | 1u << EV_SAD | 1u << EV_ANGRY},
      {"fear,anger", 1u << EV_FEARFUL | 1u << EV_ANGRY},
      {" Sadness , JOY ", 1u << EV_SAD | 1u << EV_HAPPY},
      {"sad,sad,sadness", 1u << EV_SAD},
      {"ps", 1u << EV_SURPRISED},
      {"neutral,calm,happy,sad,angry,fearful,disgust,surprised", EV_EMOTION_MASK_ALL},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    unsigned mask = 0;
    char err[256] = "";
    int rc = ev_emotion_mask_from_list(good[i].list, &mask, err, sizeof err);
    EV_CHECK(rc == 0 && mask == good[i].mask, "'%s': rc %d, mask %#x, expected %#x (%s)",
             good[i].list, rc, mask, good[i].mask, err);
  }
  static const struct {
    const char *list, *message; /* the message must contain this */
  } bad[] = {
      {"neutral,boredom", "unknown emotion \"boredom\""},
      {"happy,sad,angri", "unknown emotion \"angri\""},
      {"pleasant_surprised_and_then_some_more", "unknown emotion \"pleasant_surprised_and"},
      {"happy,,sad", "empty item"},
      {"happy,", "empty item"},
      {",happy", "empty item"},
      {"happy, ,sad", "empty item"},
      {"", "empty list"},
      {"  ", "empty list"},
      {NULL, "empty list"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    unsigned mask = 12345u;
    char err[256] = "";
    int rc = ev_emotion_mask_from_list(bad[i].list, &mask, err, sizeof err);
    EV_CHECK(rc == -1 && mask == 12345u && strstr(err, bad[i].message),
             "'%s': rc %d, mask %#x, message '%s'", bad[i].list ? bad[i].list : "(null)", rc, mask,
             err);
  }
  /* an unknown name's message lists the eight */
  unsigned mask;
  char err[256];
  ev_emotion_mask_from_list("neutral,boredom", &mask, err, sizeof err);
  EV_CHECK(strstr(err, "neutral, calm, happy, sad, angry, fearful, disgust, surprised") != NULL,
           "the valid names in '%s'", err);
  /* a short or no message buffer: cut, terminated, no overrun */
  char tiny[12];
  memset(tiny, 'x', sizeof tiny);
  EV_CHECK(ev_emotion_mask_from_list("boredom", &mask, tiny, 8) == -1 && strlen(tiny) == 7 &&
               tiny[8] == 'x',
           "a message cut to 8 bytes: '%s'", tiny);
  EV_CHECK(ev_emotion_mask_from_list("boredom", &mask, NULL, 0) == -1, "no message buffer");
  /* what a mask allows: 0 and all eight are no restriction, higher bits are ignored */
  EV_CHECK(ev_emotion_mask_allowed(0u) == EV_EMOTION_MASK_ALL &&
               ev_emotion_mask_allowed(EV_EMOTION_MASK_ALL) == EV_EMOTION_MASK_ALL &&
               ev_emotion_mask_allowed(~0u) == EV_EMOTION_MASK_ALL &&
               ev_emotion_mask_allowed(0x100u) == EV_EMOTION_MASK_ALL &&
               ev_emotion_mask_allowed(0x11du) == 0x1du && ev_emotion_mask_allowed(0x2u) == 0x2u,
           "ev_emotion_mask_allowed");
}

int main(void) {
  static const char *const canonical[EV_N_EMOTIONS] = {
      "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"};
  for (int e = 0; e < EV_N_EMOTIONS; e++) {
    EV_CHECK(!strcmp(ev_emotion_names[e], canonical[e]), "emotion %d is %s, not %s", e,
             ev_emotion_names[e], canonical[e]);
    EV_CHECK(ev_emotion_from_name(ev_emotion_names[e]) == e, "%s reads back as itself",
             ev_emotion_names[e]);
    const char *s = ev_emotion_short[e];
    EV_CHECK(strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
                 isupper((unsigned char)s[2]) &&
                 toupper((unsigned char)ev_emotion_names[e][0]) == s[0],
             "short name %s of %s", s, ev_emotion_names[e]);
    for (int f = 0; f < e; f++)
      EV_CHECK(strcmp(s, ev_emotion_short[f]) != 0, "short names %d and %d differ", e, f);
    EV_CHECK(ev_emotion_arousal[e] >= -1 && ev_emotion_arousal[e] <= 1 &&
                 ev_emotion_valence[e] >= -1 && ev_emotion_valence[e] <= 1,
             "%s inside the unit square", ev_emotion_names[e]);
  }
  for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
    char upper[32];
    size_t n = strlen(expected[i].name);
    for (size_t k = 0; k <= n; k++)
      upper[k] = (char)toupper((unsigned char)expected[i].name[k]);
    int got = ev_emotion_from_name(expected[i].name), got_upper = ev_emotion_from_name(upper);
    EV_CHECK(got == expected[i].emotion && got_upper == expected[i].emotion,
             "'%s' -> %d, '%s' -> %d, expected %d", expected[i].name, got, upper, got_upper,
             expected[i].emotion);
  }
  EV_CHECK(ev_emotion_from_name(NULL) == -1, "NULL has no emotion");
  /* neutral at the origin; the circumplex's quadrants for the clear cases */
  EV_CHECK(ev_emotion_arousal[EV_NEUTRAL] == 0 && ev_emotion_valence[EV_NEUTRAL] == 0,
           "neutral at the origin");
  EV_CHECK(ev_emotion_arousal[EV_ANGRY] > 0 && ev_emotion_valence[EV_ANGRY] < 0,
           "angry: aroused, negative");
  EV_CHECK(ev_emotion_arousal[EV_CALM] < 0 && ev_emotion_valence[EV_CALM] > 0,
           "calm: low arousal, positive");
  EV_CHECK(ev_emotion_arousal[EV_SAD] < 0 && ev_emotion_valence[EV_SAD] < 0,
           "sad: low arousal, negative");
  EV_CHECK(ev_emotion_arousal[EV_HAPPY] > 0 && ev_emotion_valence[EV_HAPPY] > 0,
           "happy: aroused, positive");
  test_mask_lists();
  printf("%d emotions, %zu names and aliases checked\n", EV_N_EMOTIONS,
         sizeof expected / sizeof expected[0]);
  EV_TEST_END();
}
