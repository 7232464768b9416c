/* Corpus adapters: turn the file names of the emotional speech corpora (and a CSV manifest)
 * into (path, canonical label, speaker, corpus). A name that does not parse, or whose folder
 * disagrees with it, is rejected with a reason: never a silent wrong label. */
#ifndef EV_CORPUS_H
#define EV_CORPUS_H

#include <stddef.h>

typedef enum ev_corpus_kind {
  EV_CORPUS_RAVDESS = 0,
  EV_CORPUS_CREMAD,
  EV_CORPUS_TESS,
  EV_CORPUS_SAVEE,
  EV_CORPUS_EMODB,
  EV_CORPUS_URDU,
  EV_CORPUS_TUREV,
  EV_CORPUS_ASED,
  EV_CORPUS_NEMO,
  EV_CORPUS_MANIFEST,
  EV_CORPUS_KIND_COUNT
} ev_corpus_kind;

const char *ev_corpus_kind_name(ev_corpus_kind k); /* "RAVDESS", "CREMA-D", ... */
/* Corpus recognised from a folder name ("RAVDESS", "crema-d", "TESS", "TurEV-DB", ...), or -1. */
int ev_corpus_kind_from_folder(const char *folder);

/* Canonical label from a name or alias ("neutral", "fear", "ps", "surprise", "anger"...), or -1. */
int ev_label_from_name(const char *name);

typedef struct ev_clip_info {
  int label;        /* ev_emotion */
  char speaker[48]; /* corpus-qualified, e.g. "RAVDESS:07", "TESS:OAF" */
  int intensity;    /* the acted intensity where the name gives it: RAVDESS 1 normal, 2 strong;
                       0 unknown */
} ev_clip_info;

/* Parse one file name. relpath is the path relative to the corpus folder (so the enclosing
 * folders can be cross-checked), with or without extension. 0 on success, else -1 and a reason. */
int ev_corpus_parse(ev_corpus_kind kind, const char *relpath, ev_clip_info *out, char *err,
                    size_t errlen);

typedef struct ev_clip {
  char *path; /* absolute or as given */
  int label;
  char speaker[48];
  int corpus;    /* ev_corpus_kind */
  int intensity; /* ev_clip_info.intensity (0 unknown) */
} ev_clip;

typedef struct ev_clip_list {
  ev_clip *v;
  size_t n, cap;
  size_t rejected; /* names that did not parse (each reported) */
} ev_clip_list;

void ev_clip_list_free(ev_clip_list *l);
int ev_clip_list_add(ev_clip_list *l, const char *path, int label, const char *speaker, int corpus);

/* Walk every corpus folder found directly under root (autodetected by folder name) and add its
 * audio files. only: NULL for all, else a comma-separated list of corpus names to keep.
 * Rejections are printed to stderr (first `verbose_rejects` of each corpus, then a count).
 * Returns the number of corpora found, -1 if root cannot be read. */
int ev_corpus_scan_root(const char *root, const char *only, ev_clip_list *out, char *err,
                        size_t errlen);
/* Walk one corpus folder of a known kind. Returns files added or -1. */
int ev_corpus_scan_dir(ev_corpus_kind kind, const char *dir, ev_clip_list *out, char *err,
                       size_t errlen);
/* CSV manifest: `path,label,speaker` per line (an optional header line starting with "path"),
 * paths relative to the manifest's folder. Returns rows added or -1. */
int ev_corpus_read_manifest(const char *csv, ev_clip_list *out, char *err, size_t errlen);

/* 1 if the extension is one libsndfile reads (wav, flac, ogg, aif[f], au, w64, caf, mp3). */
int ev_is_audio_name(const char *name);

#endif
