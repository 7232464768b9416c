#!/usr/bin/env python3
"""How steady the plugin's meters are, from `emovox-analyze --outdir` time series.

Usage: python3 models/steadiness.py [--hold H] SERIES_DIR [SERIES_DIR ...]

Reads every CSV time series below each folder (a row every 10 ms: time_s, the eight
probabilities, dominant, ...) and prints, per second of speech (rows whose `dominant` is not 0):
  changes   how often the `dominant` output changes from one emotion to another within speech
  argmax    how often the most probable emotion does (what `dominant` was before plugin 0.6.1)
  moved     the probabilities' summed movement, sum over emotions of |p(t) - p(t-1)|
  agree     the share of speech rows whose `dominant` is the most probable emotion
With --hold H the changes are also given as a dominant held by H would make them from the
probabilities (the plugin holds by 0.05 since 0.6.1; docs/plugin.md, "Response and the
dominant"), so that series written by older versions can be compared.
Example: emovox-analyze -o ts250 clips/ && python3 models/steadiness.py --hold 0.05 ts250
"""
import csv
import glob
import os
import sys

EMOTIONS = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]


def argmax(p):
    best = 0
    for i in range(1, len(p)):
        if p[i] > p[best]:
            best = i
    return best


def held(rows, hold):
    """The dominant (1-based, 0 = no speech) a hold of `hold` gives, row by row."""
    shown, out = 0, []
    for p, speech in rows:
        if not speech:
            shown = 0
        else:
            best = argmax(p) + 1
            if shown == 0 or p[best - 1] > p[shown - 1] + hold:
                shown = best
        out.append(shown)
    return out


def changes(seq):
    return sum(1 for a, b in zip(seq, seq[1:]) if a and b and a != b)


def folder_figures(folder, hold):
    files = sorted(glob.glob(os.path.join(folder, "**", "*.csv"), recursive=True))
    speech = changed = argmax_changed = held_changed = agree = 0
    moved = 0.0
    for path in files:
        with open(path, newline="") as f:
            rows = [([float(r[e]) for e in EMOTIONS], int(float(r["dominant"])))
                    for r in csv.DictReader(f)]
        dom = [d for _, d in rows]
        best = [argmax(p) + 1 if d else 0 for p, d in rows]
        speech += sum(1 for d in dom if d)
        agree += sum(1 for d, b in zip(dom, best) if d and d == b)
        changed += changes(dom)
        argmax_changed += changes(best)
        for (a, da), (b, db) in zip(rows, rows[1:]):
            if da and db:
                moved += sum(abs(x - y) for x, y in zip(a, b))
        if hold is not None:
            held_changed += changes(held([(p, d != 0) for p, d in rows], hold))
    return len(files), speech, changed, argmax_changed, held_changed, moved, agree


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    hold = None
    if argv[0] == "--hold":
        if len(argv) < 3:
            print("steadiness: --hold needs a value and a folder", file=sys.stderr)
            return 2
        hold = float(argv[1])
        argv = argv[2:]
    status = 0
    head = "%-24s %6s %8s %8s %8s" % ("series", "files", "speech", "changes", "argmax")
    head += (" %8s" % ("held %g" % hold)) if hold is not None else ""
    print(head + " %8s %7s" % ("moved", "agree"))
    for folder in argv:
        if not os.path.isdir(folder):
            print("steadiness: %s: no such folder (an emovox-analyze --outdir?)" % folder,
                  file=sys.stderr)
            status = 2
            continue
        n, speech, ch, am, hc, moved, agree = folder_figures(folder, hold)
        if speech == 0:
            print("steadiness: %s: no speech rows in %d series" % (folder, n), file=sys.stderr)
            status = 1
            continue
        s = speech / 100.0  # seconds: a row every 10 ms
        line = "%-24s %6d %7.1fs %8.3f %8.3f" % (os.path.basename(folder.rstrip("/")), n, s,
                                                 ch / s, am / s)
        line += (" %8.3f" % (hc / s)) if hold is not None else ""
        print(line + " %8.3f %6.1f%%" % (moved / s, 100.0 * agree / speech))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
