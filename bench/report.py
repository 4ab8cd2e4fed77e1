#!/usr/bin/env python3
"""Turns bench/out/raw.tsv into a markdown table (with ratios to Redmine where it ran) and a PNG
chart drawn by gnuplot.  report.py RAW.tsv RESULTS.md RESULTS.png MACHINE COMMAND"""
import os
import subprocess
import sys
import time

raw, md, png, machine, command = sys.argv[1:6]
rows = [l.rstrip("\n").split("\t") for l in open(raw) if l.strip()]
data = {}
for server, scale, name, rps, p50, p99, errors in rows:
    data[(server, int(scale), name)] = (rps, p50, p99, errors)
scales = sorted({k[1] for k in data})
names = []
for k in data:
    if k[2] not in names and k[2] not in ("page-53000-time-entries", "peak-rss-kb"):
        names.append(k[2])

out = ["# Benchmark results", "",
       "Machine: %s. Produced on %s by `%s`." % (machine, time.strftime("%Y-%m-%d"), command), ""]
for scale in scales:
    out += ["## %d issues" % scale, "",
            "| endpoint | ours req/s | p50 | p99 | errors | Redmine req/s | Redmine p99 | ratio |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in names:
        ours = data.get(("ours", scale, name))
        ref = data.get(("redmine", scale, name))
        if not ours:
            continue
        ratio = "-"
        if ref and ref[0] and float(ref[0] or 0) > 0:
            ratio = "%.0fx" % (float(ours[0]) / float(ref[0]))
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (name, ours[0], ours[1], ours[2], ours[3],
                                                                  ref[0] if ref else "-", ref[2] if ref else "-", ratio))
    paging = data.get(("ours", scale, "page-53000-time-entries"))
    rss = data.get(("ours", scale, "peak-rss-kb"))
    out.append("")
    if paging:
        out.append("Paging through %s time entries at limit=100: %s s." % (paging[3], paging[0]))
    if rss:
        out.append("Peak RSS of our server: %.1f MB." % (int(rss[0]) / 1024.0))
    out.append("")
open(md, "w").write("\n".join(out) + "\n")

# Chart: req/s per endpoint, ours and Redmine at each scale, on a log scale.
series = [(srv, sc) for sc in scales for srv in ("ours", "redmine") if any((srv, sc, n) in data for n in names)]
dat = os.path.splitext(png)[0] + ".dat"
with open(dat, "w") as f:
    for name in names:
        f.write(name + " " + " ".join((data.get((srv, sc, name), ("0",))[0] or "0") for srv, sc in series) + "\n")
plot = ", ".join("'%s' using %d:xtic(1) title '%s, %d issues'" % (dat, i + 2, "redmine-cpp" if srv == "ours" else
                                                                  "Redmine 5.0.4", sc) for i, (srv, sc) in enumerate(series))
script = """set terminal pngcairo size 1100,520
set output '%s'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8
set logscale y
set yrange [1:*]
set ylabel 'requests per second (log scale)'
set xtics rotate by -30
set key top right
set title 'Throughput (%s)'
plot %s
""" % (png, machine, plot)
subprocess.run(["gnuplot"], input=script.encode(), check=True)
os.remove(dat)
