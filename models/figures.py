#!/usr/bin/env python3
"""Per-corpus UAR (%) of `emovox-train evaluate` reports, one row per figure (cold-16, cold-48,
session, cold-6dB, session-pauses, learned, cold-8, session-8) and report folder, with the mean of the six corpora
and the pooled figure, as the README's tables show them. Reads DIR/plugin_figures.csv (the
plugin-path figures, which score the argmax over each file's corpus labels).

--dominant: score instead what the plugin's `dominant` output shows, the argmax over all eight
emotions, from DIR/plugin_files.csv (the per-file summaries; no pooled figure)."""
import csv
import sys

CORPORA = ["RAVDESS", "TESS", "URDU", "TurEV-DB", "ASED", "nEMO"]
# the plugin figure's modes (offline/train/ev_stream_eval.h), in the report's order
MODES = ("cold-16", "cold-48", "session", "cold-6dB", "session-pauses", "learned", "cold-8",
         "session-8")
EMOTIONS = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]


def dominant_table(folder):
    """UAR per corpus of the argmax over all eight summary probabilities (no speech: a miss)."""
    hits = {}  # (mode, corpus, label) -> [files, right]
    ran = set()  # modes with any output row (the quick figure leaves cold-48 empty)
    with open(folder + "/plugin_files.csv", newline="") as f:
        for row in csv.DictReader(f):
            for mode in MODES:
                if mode + "_pred" not in row:
                    continue
                if row[mode + "_rows"] not in ("", "0"):
                    ran.add(mode)
                guess = None
                if row[mode + "_pred"] not in ("none", "failed"):
                    p = [float(row[mode + "_" + e]) for e in EMOTIONS]
                    guess = EMOTIONS[max(range(len(p)), key=lambda i: p[i])]
                h = hits.setdefault((mode, row["corpus"], row["label"]), [0, 0])
                h[0] += 1
                h[1] += guess == row["label"]
    lines = []
    for mode in MODES:
        if mode not in ran:
            continue
        vals = []
        for c in CORPORA:
            cells = [h for k, h in hits.items() if k[0] == mode and k[1] == c]
            vals.append(100.0 * sum(r / n for n, r in cells) / len(cells) if cells else None)
        shown = [v for v in vals if v is not None]
        if not shown:
            continue
        cells = " ".join("%5.1f" % v if v is not None else "    -" for v in vals)
        lines.append("%-14s %s  mean %5.1f  (argmax over all eight)" %
                     (mode, cells, sum(shown) / len(shown)))
    return lines


def table(folder):
    uar = {}
    with open(folder + "/plugin_figures.csv", newline="") as f:
        for row in csv.DictReader(f):
            uar[(row["mode"], row["corpus"])] = 100.0 * float(row["uar"])
    lines = []
    for mode in MODES:
        if (mode, "all") not in uar:
            continue
        vals = [uar.get((mode, c)) for c in CORPORA]
        shown = [v for v in vals if v is not None]
        mean = sum(shown) / len(shown) if shown else float("nan")
        cells = " ".join("%5.1f" % v if v is not None else "    -" for v in vals)
        lines.append("%-14s %s  mean %5.1f  pooled %5.1f" % (mode, cells, mean, uar[(mode, "all")]))
    return lines


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print("usage: models/figures.py [--dominant] REPORT_DIR [REPORT_DIR ...]\n" + __doc__)
        return 0 if len(argv) >= 2 else 2
    dominant = argv[1] == "--dominant"
    folders = argv[2:] if dominant else argv[1:]
    print("%-14s %s" % ("figure", " ".join("%5s" % c[:5] for c in CORPORA)))
    for folder in folders:
        try:
            rows = dominant_table(folder) if dominant else table(folder)
        except OSError as e:
            print("figures: %s: %s (is it an `emovox-train evaluate` report?)" % (folder, e.strerror),
                  file=sys.stderr)
            return 1
        print(folder)
        for line in rows:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
