/* The canonical emotions: names, short names, circumplex coordinates and the label aliases.
 *
 * Arousal/valence follow Russell's circumplex model of affect (J. A. Russell, "A circumplex
 * model of affect", J. Pers. Soc. Psychol. 39(6), 1980), read off the angular positions of
 * the corresponding affect words in his figure and scaled to -1..1 (unit circle):
 *   neutral at the origin; calm ("relaxed/calm", ~ -70 deg below the valence axis, positive);
 *   happy ("happy/delighted", ~ +10..25 deg); sad ("sad/depressed", ~ 200..210 deg);
 *   angry ("angry", ~ 100..110 deg); fearful ("afraid/alarmed", ~ 95..115 deg);
 *   disgust (placed near "distressed/annoyed", ~ 135..150 deg, lower arousal than anger);
 *   surprised ("astonished", ~ 70 deg). Values are rounded to 0.05; they are a convention for
 *   a 2-D display, not a measurement. */
#include "ev_emotions.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const ev_emotion_names[EV_N_EMOTIONS] = {"neutral", "calm",    "happy",   "sad",
                                                     "angry",   "fearful", "disgust", "surprised"};

/* Written where a whole name does not fit: no two alike, so sad and surprised stay apart;
 * capitals read best at 6-8 px. */
const char *const ev_emotion_short[EV_N_EMOTIONS] = {"NEU", "CAL", "HAP", "SAD",
                                                     "ANG", "FEA", "DIS", "SUR"};

const float ev_emotion_arousal[EV_N_EMOTIONS] = {
    0.00f,  /* neutral */
    -0.60f, /* calm */
    0.50f,  /* happy */
    -0.50f, /* sad */
    0.80f,  /* angry */
    0.75f,  /* fearful */
    0.35f,  /* disgust */
    0.85f,  /* surprised */
};

const float ev_emotion_valence[EV_N_EMOTIONS] = {
    0.00f,  /* neutral */
    0.55f,  /* calm */
    0.85f,  /* happy */
    -0.75f, /* sad */
    -0.60f, /* angry */
    -0.65f, /* fearful */
    -0.70f, /* disgust */
    0.30f,  /* surprised */
};

/* Every other spelling of a canonical emotion that a corpus or a weight file made elsewhere
 * uses (TESS "ps", nEMO "anger"/"happiness"/"sadness", SER data sets "joy", "neutrality"). */
static const struct {
  const char *alias;
  ev_emotion emotion;
} aliases[] = {
    {"happiness", EV_HAPPY},
    {"joy", EV_HAPPY},
    {"sadness", EV_SAD},
    {"anger", EV_ANGRY},
    {"fear", EV_FEARFUL},
    {"disgusted", EV_DISGUST},
    {"surprise", EV_SURPRISED},
    {"ps", EV_SURPRISED},
    {"pleasant_surprise", EV_SURPRISED},
    {"pleasant_surprised", EV_SURPRISED},
    {"neutrality", EV_NEUTRAL},
};

int ev_emotion_from_name(const char *name) {
  if (!name)
    return -1;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    if (!strcasecmp(name, ev_emotion_names[i]))
      return i;
  for (unsigned i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (!strcasecmp(name, aliases[i].alias))
      return (int)aliases[i].emotion;
  return -1; /* e.g. "boredom": no canonical slot */
}

/* Appends " (the emotions: neutral, calm, ...)" to the message in err, as far as it fits. */
static void append_names(char *err, size_t errlen) {
  size_t n = strlen(err);
  for (int i = 0; i < EV_N_EMOTIONS && n < errlen; i++)
    n += (size_t)snprintf(err + n, errlen - n, "%s%s",
                          i ? ", " : " (the emotions: ", ev_emotion_names[i]);
  if (n < errlen)
    snprintf(err + n, errlen - n, ")");
}

/* The error of an item: unknown (len > 0: item[0..len) named no emotion) or empty (len 0). */
static int item_error(const char *item, int len, char *err, size_t errlen) {
  if (!err || !errlen)
    return -1;
  if (!len) {
    snprintf(err, errlen, "an empty item (two commas in a row, or a comma at an end)");
    return -1;
  }
  snprintf(err, errlen, "unknown emotion \"%.*s\"", len, item);
  append_names(err, errlen); /* what would have been understood */
  return -1;
}

static int is_blank(char c) {
  return c == ' ' || c == '\t';
}

/* An item is copied into a buffer of this size for ev_emotion_from_name: longer than every name
 * and alias, so an item that does not fit names no emotion. */
#define ITEM_MAX 32

int ev_emotion_mask_from_list(const char *list, unsigned *mask, char *err, size_t errlen) {
  const char *p = list ? list : "";
  while (is_blank(*p))
    p++;
  if (!*p) {
    if (err && errlen)
      snprintf(err, errlen, "an empty list (name one emotion or more)");
    return -1;
  }
  unsigned m = 0;
  for (p = list;;) {
    const char *end = p + strcspn(p, ","), *a = p, *b = end;
    while (a < b && is_blank(*a))
      a++;
    while (b > a && is_blank(b[-1]))
      b--;
    char name[ITEM_MAX];
    int e = -1;
    if ((size_t)(b - a) < sizeof name) {
      memcpy(name, a, (size_t)(b - a));
      name[b - a] = '\0';
      e = ev_emotion_from_name(name);
    }
    if (e < 0)
      return item_error(a, (int)(b - a), err, errlen);
    m |= 1u << e;
    if (!*end)
      break;
    p = end + 1;
  }
  *mask = m;
  return 0;
}

unsigned ev_emotion_mask_allowed(unsigned mask) {
  mask &= EV_EMOTION_MASK_ALL;
  return mask ? mask : EV_EMOTION_MASK_ALL;
}

int ev_emotion_condition(double *p, unsigned allowed) {
  double sum = 0.0;
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    if (!(allowed & (1u << i)))
      p[i] = 0.0;
    sum += p[i];
  }
  const int ok = sum > 0.0 && isfinite(sum);
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    p[i] = ok ? p[i] / sum : 0.0;
  return ok;
}

void ev_emotion_coords(const double *p, double *arousal, double *valence) {
  double a = 0.0, v = 0.0;
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    a += p[i] * ev_emotion_arousal[i];
    v += p[i] * ev_emotion_valence[i];
  }
  *arousal = a;
  *valence = v;
}
