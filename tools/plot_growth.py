# Plots how training cost grows (tools/growth.sh's CSV): samples/s and achieved GFLOP/s against the
# batch size, one line per hidden size; solid native 1 thread, dashed native 2 threads, dotted
# WebAssembly under node on 1 thread, dash-dot on 2 (pthreads).
# Usage: plot_growth.py cost-growth.csv OUT.png
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

rows = list(csv.DictReader(open(sys.argv[1])))
runs = [("native", "1", "-", "native, 1 thread"), ("native", "2", "--", "native, 2 threads"),
        ("wasm", "1", ":", "WebAssembly (node), 1 thread"), ("wasm", "2", "-.", "WebAssembly (node), 2 threads")]
hiddens = sorted({int(r["hidden"]) for r in rows})
colors = dict(zip(hiddens, ["tab:blue", "tab:orange", "tab:green", "tab:red"]))
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for build, threads, style, label in runs:
    for h in hiddens:
        pts = sorted((int(r["batch"]), float(r["train_samples_per_s"]), float(r["train_gflops"]))
                     for r in rows if r["build"] == build and r["threads"] == threads and int(r["hidden"]) == h)
        if not pts:
            continue
        b = [p[0] for p in pts]
        axes[0].loglog(b, [p[1] for p in pts], style, color=colors[h], marker="o", markersize=3)
        axes[1].semilogx(b, [p[2] for p in pts], style, color=colors[h], marker="o", markersize=3)
for ax, title in zip(axes, ["training samples/s", "achieved GFLOP/s (multiply-adds of the layers)"]):
    ax.set_xlabel("batch size")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_xticks([25, 50, 100, 250, 1000], ["25", "50", "100", "250", "1000"])
# one legend for colours (hidden size), one for line styles (build and threads)
for h in hiddens:
    axes[0].plot([], [], color=colors[h], label=f"hidden {h}")
axes[0].legend(loc="lower left", fontsize=8)
for build, threads, style, label in runs:
    axes[1].plot([], [], style, color="gray", label=label)
axes[1].legend(loc="upper left", fontsize=8)
cpu = rows[0]["cpu"] if rows else ""
fig.suptitle(f"784-H-20-H-784 ReLU, Adam; {cpu}", fontsize=10)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
print("wrote", sys.argv[2])
