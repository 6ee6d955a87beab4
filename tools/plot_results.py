# Plots the two results tables that had only the table: weights/results.csv (quality figures that
# no model card holds, measured by vae-eval) to weights/results.png, and tests/fuzz/results.csv
# (tools/fuzz.sh's long runs) to tests/fuzz/results.png.
# Models: one panel per kind of figure, the models down the side; a (model, measure) given twice
# is drawn as its last row. Rows no panel names (active units, the F32/F16 check, lists of digits)
# stay in the table only. Fuzz: the latest run (the last row's date, commit and CPU), per target its
# executions per second (log scale) and its coverage in edges and features.
# Usage: plot_results.py [ROOT]   (default: the repository holding this script)
import csv, math, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:red"]
# (title, x label, which models, [(measure, legend)], "dot" = values off zero, "bar" = from zero)
MODEL_PANELS = [
    ("MNIST, binarized: nats per image (higher is better)", "nats per image",
     lambda m: not m.startswith("fashion"),
     [("test_elbo", "test ELBO"), ("test_elbo_after_5_epochs", "test ELBO after 5 epochs"),
      ("log_px", "log p(x), k = 5000")], "dot"),
    ("Fashion-MNIST, Gaussian decoder (lower is better)", "bits per dimension",
     lambda m: m.startswith("fashion"),
     [("test_elbo_bits_per_dim", "test ELBO, 10,000 images"),
      ("bits_per_dim_first_1000", "log p(x), k = 5000, first 1,000")], "bar"),
    ("KL(q(z|x) || N(0, I)), mean over the test images", "nats per image", lambda m: True,
     [("mean_kl", "mean KL")], "bar"),
    ("Samples scored by mnist-classifier", "fraction", lambda m: True,
     [("classifier_mean_confidence", "mean confidence, 10,000 prior samples"),
      ("classifier_agreement", "agreement with the asked digit"),
      ("classifier_agreement_lowest_digit", "agreement, the lowest digit")], "bar"),
]


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def grouped(ax, models, measures, values, kind, inside=True):
    """Models down the side (first at the top), one row per model, in it the measures it has side by side.
    Bars of several measures carry the measure's name inside (if inside); else a legend says it."""
    for i, model in enumerate(models):
        have = [(j, m, label) for j, (m, label) in enumerate(measures) if (model, m) in values]
        height = 0.8 / max(len(have), 1)
        for k, (j, measure, label) in enumerate(have):
            x, y = values[(model, measure)], i + (k - (len(have) - 1) / 2) * height
            if kind == "bar":
                ax.barh(y, x, height=height * 0.9, color=COLORS[j])
                if inside and len(measures) > 1:
                    ax.annotate(label, (0, y), xytext=(4, 0), textcoords="offset points", va="center",
                                fontsize=7, color="white")
            else:
                ax.plot(x, y, "o", color=COLORS[j], markersize=7)
            ax.annotate(f"{x:,g}", (x, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7)
    if kind == "dot":
        ax.legend([plt.Line2D([], [], marker="o", linestyle="", color=COLORS[j]) for j in range(len(measures))],
                  [label for _, label in measures], fontsize=7, loc="upper left", framealpha=0.9)
    elif not inside:
        ax.legend([plt.Rectangle((0, 0), 1, 1, color=COLORS[j]) for j in range(len(measures))],
                  [label for _, label in measures], fontsize=8, loc="lower right", framealpha=0.9)
    ax.set_yticks(range(len(models)), models, fontsize=8)
    ax.set_ylim(len(models) - 0.5, -0.5)
    ax.grid(True, axis="x", alpha=0.3)


def plot_models(src, out):
    rows = list(csv.DictReader(open(src)))
    values = {(r["model"], r["measure"]): number(r["value"]) for r in rows if number(r["value"]) is not None}
    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    for ax, (title, xlabel, which, measures, kind) in zip(axes.flat, MODEL_PANELS):
        names = [m for m, _ in measures]
        models = []
        for r in rows:
            if which(r["model"]) and r["measure"] in names and (r["model"], r["measure"]) in values \
                    and r["model"] not in models:
                models.append(r["model"])
        grouped(ax, models, [m for m in measures if any((x, m[0]) in values for x in models)], values, kind)
        xs = [values[(m, n)] for m in models for n in names if (m, n) in values]
        lo, hi = (min(xs), max(xs)) if xs else (0, 1)
        if kind == "dot":  # room on the left and, for the values' labels, on the right
            ax.set_xlim(lo - 0.08 * (hi - lo) - 0.5, hi + 0.22 * (hi - lo) + 0.5)
        else:
            ax.set_xlim(0, hi * 1.18)
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_xlabel(xlabel, fontsize=9)
    fig.suptitle("Model quality figures of weights/results.csv: vae-eval on the test images of the data protocol"
                 " (most runs not shipped)", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(out, dpi=110)
    print("wrote", out)


def plot_fuzz(src, out):
    rows = list(csv.DictReader(open(src)))
    key = lambda r: (r["date"], r["commit"], r["cpu"])
    latest = {r["target"]: r for r in rows if key(r) == key(rows[-1])}  # a repeated target: its last row
    targets = list(latest)
    date, commit, cpu = key(rows[-1])
    methods = sorted({latest[t]["method"] for t in targets})
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True)
    ys = range(len(targets))
    rate = [float(latest[t]["exec_per_s"]) for t in targets]
    axes[0].barh(ys, rate, color="tab:blue", height=0.6)
    axes[0].set_xscale("log")
    axes[0].set_xlim(10 ** math.floor(math.log10(min(rate))), max(rate) * 4)
    for x, y in zip(rate, ys):
        axes[0].annotate(f"{x:,.0f}", (x, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7)
    axes[0].set_xlabel("executions per second (log scale)", fontsize=9)
    axes[0].set_title("speed", fontsize=10, loc="left")
    grouped(axes[1], targets, [("edges", "edges"), ("features", "features")],
            {(t, m): float(latest[t][m]) for t in targets for m in ("edges", "features")}, "bar", inside=False)
    axes[1].set_xlim(0, max(float(latest[t]["features"]) for t in targets) * 1.15)
    axes[1].set_xlabel("coverage at the end of the run", fontsize=9)
    axes[1].set_title("coverage", fontsize=10, loc="left")
    axes[0].set_yticks(ys, targets, fontsize=8)
    axes[0].set_ylim(len(targets) - 0.5, -0.5)
    axes[0].grid(True, axis="x", which="major", alpha=0.3)
    fig.suptitle(f"libFuzzer, the latest run in tests/fuzz/results.csv: {date}, commit {commit}, on {cpu}\n"
                 + "; ".join(methods) + " (seconds per target)", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(out, dpi=110)
    print("wrote", out)


root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
plot_models(os.path.join(root, "weights/results.csv"), os.path.join(root, "weights/results.png"))
plot_fuzz(os.path.join(root, "tests/fuzz/results.csv"), os.path.join(root, "tests/fuzz/results.png"))
