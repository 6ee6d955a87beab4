# Plots the speed record (tools/results/speed.csv): our ratio against PyTorch at its best in each
# run, for training on 1 thread, training on 2 threads and decoding, one panel each, the runs in the
# order of the file grouped by CPU. A run is a block of consecutive rows with the same date, commit,
# CPU and method in which no (measure, threads) repeats. Hollow markers: the peer ran on glibc's
# malloc (its ratios are too high); diamonds: the median of bench.sh --rounds.
# Usage: plot_speed.py speed.csv OUT.png
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

PANELS = [("training", "1", "training, 1 thread", 2.0), ("training", "2", "training, 2 threads", 3.0),
          ("decoding", "1", "decoding, 1 thread", 2.0)]
COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]

rows = list(csv.DictReader(open(sys.argv[1])))
runs = []  # each: {"key": (date, commit, cpu, method), "ratios": {(measure, threads): ratio}}
for r in rows:
    key = (r["date"], r["commit"], r["cpu"], r["method"])
    what = (r["measure"], r["threads"])
    if not runs or runs[-1]["key"] != key or what in runs[-1]["seen"]:
        runs.append({"key": key, "seen": set(), "ratios": {}})
    runs[-1]["seen"].add(what)
    if r["ratio"]:
        runs[-1]["ratios"][what] = float(r["ratio"])
runs = [run for run in runs if any((m, t) in run["ratios"] for m, t, _, _ in PANELS)]
cpus = []
for run in runs:
    if run["key"][2] not in cpus:
        cpus.append(run["key"][2])
# x positions: the runs of each CPU side by side, a gap between CPUs
xs, labels, spans, x = {}, [], [], 0
for cpu in cpus:
    first = x
    for i, run in enumerate(runs):
        if run["key"][2] == cpu:
            xs[i] = x
            date, commit = run["key"][0], run["key"][1]
            labels.append((x, f"{date[5:]} {commit}"))
            x += 1
    spans.append((cpu, first - 0.5, x - 0.5))
    x += 1

fig, axes = plt.subplots(len(PANELS), 1, figsize=(10, 8), sharex=True)
top = max([v for run in runs for v in run["ratios"].values()] + [3.0]) * 1.12
for ax, (measure, threads, title, target) in zip(axes, PANELS):
    for c, (cpu, lo, hi) in enumerate(spans):
        ax.axvspan(lo, hi, color=COLORS[c % len(COLORS)], alpha=0.07, linewidth=0)
    for i, run in enumerate(runs):
        ratio = run["ratios"].get((measure, threads))
        if ratio is None:
            continue
        color = COLORS[cpus.index(run["key"][2]) % len(COLORS)]
        method = run["key"][3]
        marker = "D" if "median" in method else "o"
        face = "white" if "glibc" in method else color
        ax.plot(xs[i], ratio, marker, color=color, markerfacecolor=face, markersize=7, markeredgewidth=1.5)
    ax.axhline(1.0, color="gray", linewidth=1)
    ax.axhline(target, color="black", linewidth=1, linestyle=":")
    # the lines' names just right of the panel (x in axes units, y in data units)
    ax.text(1.005, target, f"target {target:g}x", transform=ax.get_yaxis_transform(), va="center", fontsize=8)
    ax.text(1.005, 1.0, "PyTorch", transform=ax.get_yaxis_transform(), va="center", fontsize=8, color="gray")
    ax.set_ylim(0, top)
    ax.set_ylabel("ours / PyTorch")
    ax.set_title(title, fontsize=10, loc="left")
    ax.grid(True, axis="y", alpha=0.3)
for c, (cpu, lo, hi) in enumerate(spans):
    # a narrow band's name would run into its neighbour's: every other name one line lower
    y = top * (0.97 if c % 2 == 0 else 0.84)
    axes[0].text((lo + hi) / 2, y, cpu, ha="center", va="top", fontsize=9,
                 color=COLORS[c % len(COLORS)], fontweight="bold")
axes[-1].set_xticks([p for p, _ in labels], [t for _, t in labels], rotation=60, ha="right", fontsize=8)
axes[-1].set_xlim(-0.8, x - 1.2)
# the markers' legend, once, under the title
handles = [axes[0].plot([], [], "o", color="gray")[0], axes[0].plot([], [], "D", color="gray")[0],
           axes[0].plot([], [], "o", color="gray", markerfacecolor="white", markeredgewidth=1.5)[0]]
fig.legend(handles, ["bench.sh, one run", "bench.sh --rounds: the median",
                     "the peer on glibc's malloc (ratios too high)"],
           loc="upper center", bbox_to_anchor=(0.5, 0.965), ncol=3, fontsize=8, frameon=False)
fig.suptitle("The comparison model 784-400-20-400-784 against PyTorch at its best, per run (tools/bench.sh)",
             fontsize=10)
fig.tight_layout(rect=(0, 0, 0.97, 0.95))
fig.savefig(sys.argv[2], dpi=110)
print("wrote", sys.argv[2])
