/* The canonical emotions: the one place that names them. Their order is the order of the
 * plugin's ports, the CSV columns, the UI's bars and a model's canonical outputs, so every
 * client takes the count, the names and the coordinates from here. Data, a name lookup and a
 * list parser only (no allocation, no dependencies), so that the UI can link it without the DSP
 * core. */
#ifndef EV_EMOTIONS_H
#define EV_EMOTIONS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EV_N_EMOTIONS 8
typedef enum ev_emotion {
  EV_NEUTRAL = 0,
  EV_CALM,
  EV_HAPPY,
  EV_SAD,
  EV_ANGRY,
  EV_FEARFUL,
  EV_DISGUST,
  EV_SURPRISED
} ev_emotion;

/* A set of emotions as a bitmask: bit i is ev_emotion i. */
#define EV_EMOTION_MASK_ALL ((1u << EV_N_EMOTIONS) - 1u)

extern const char *const ev_emotion_names[EV_N_EMOTIONS]; /* "neutral", "calm", ... */
extern const char *const ev_emotion_short[EV_N_EMOTIONS]; /* "NEU", "CAL", ...: 3 capitals */
/* Circumplex coordinates used for arousal/valence = sum_i p_i * coord_i. */
extern const float ev_emotion_arousal[EV_N_EMOTIONS];
extern const float ev_emotion_valence[EV_N_EMOTIONS];

/* The ev_emotion a label stands for (case-insensitive): a canonical name or one of the
 * corpora's aliases ("fear", "ps", "surprise", "pleasant_surprise", "anger", "happiness",
 * "joy", "sadness", "disgusted", "neutrality", ...), or -1 when it has no canonical slot
 * (e.g. "boredom", NULL). The trainer's label reader and the model loader both use it, so a
 * label a corpus gives and a label a weight file carries always mean the same emotion. */
int ev_emotion_from_name(const char *name);

/* The set of emotions a comma-separated list names (e.g. "neutral,happy,sad,angry"), each item
 * read by ev_emotion_from_name (so "fear" and "anger" are fearful and angry); blanks around an
 * item are ignored and an emotion named twice counts once. 0 and *mask set; -1 with a message
 * in err (naming the offending item and, for an unknown one, the eight canonical names) for an
 * unknown name, an empty item or an empty list, *mask untouched. */
int ev_emotion_mask_from_list(const char *list, unsigned *mask, char *err, size_t errlen);

/* The emotions a mask allows, as every reader of one takes it (the analyser's params.labels,
 * ev_summary_set_labels): bits above the eight are ignored, and no emotion at all (0) means all
 * eight, i.e. no restriction. EV_EMOTION_MASK_ALL: the unrestricted reading. */
unsigned ev_emotion_mask_allowed(unsigned mask);
/* Conditions the probabilities p[EV_N_EMOTIONS] on the allowed set, p(e | e allowed): the others
 * set to 0, the allowed ones divided by their sum; all 0 when that sum is 0 or not finite
 * (nothing to condition on). Returns whether the sum was usable. The one conditioning the
 * analyser's outputs and the file summary share. */
int ev_emotion_condition(double *p, unsigned allowed);
/* Arousal and valence of probabilities p[EV_N_EMOTIONS], as the plugin's ports read them:
 * sum_i p_i coord_i (the expected coordinates under p). The file summary and the evaluation
 * take them from here. */
void ev_emotion_coords(const double *p, double *arousal, double *valence);

#ifdef __cplusplus
}
#endif
#endif
