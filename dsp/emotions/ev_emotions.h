/* The canonical emotions: the one place that names them. Their order is the order of the
 * plugin's ports, the CSV columns, the UI's bars and a model's canonical outputs, so every
 * client takes the count, the names and the coordinates from here. Data and a name lookup
 * only (no allocation, no dependencies), so that the UI can link it without the DSP core. */
#ifndef EV_EMOTIONS_H
#define EV_EMOTIONS_H

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

#ifdef __cplusplus
}
#endif
#endif
