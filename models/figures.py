#!/usr/bin/env python3
"""Per-corpus UAR (%) of `emovox-train evaluate` reports, one row per figure (cold-16, cold-48,
session) and report folder, with the mean of the six corpora and the pooled figure, as the
README's tables show them. Reads DIR/plugin_figures.csv (the plugin-path figures)."""
import csv
import sys

CORPORA = ["RAVDESS", "TESS", "URDU", "TurEV-DB", "ASED", "nEMO"]


def table(folder):
    uar = {}
    with open(folder + "/plugin_figures.csv", newline="") as f:
        for row in csv.DictReader(f):
            uar[(row["mode"], row["corpus"])] = 100.0 * float(row["uar"])
    lines = []
    for mode in ("cold-16", "cold-48", "session"):
        if (mode, "all") not in uar:
            continue
        vals = [uar.get((mode, c)) for c in CORPORA]
        shown = [v for v in vals if v is not None]
        mean = sum(shown) / len(shown) if shown else float("nan")
        cells = " ".join("%5.1f" % v if v is not None else "    -" for v in vals)
        lines.append("%-8s %s  mean %5.1f  pooled %5.1f" % (mode, cells, mean, uar[(mode, "all")]))
    return lines


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print("usage: models/figures.py REPORT_DIR [REPORT_DIR ...]\n" + __doc__)
        return 0 if len(argv) >= 2 else 2
    print("%-8s %s" % ("figure", " ".join("%5s" % c[:5] for c in CORPORA)))
    for folder in argv[1:]:
        try:
            rows = table(folder)
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
