# Draws curves like Kingma & Welling 2014, figure 2: the average lower bound per datapoint (ELBO,
# nats), train and test, against the number of training samples seen, one panel per latent size.
# Usage: plot_curves.py OUT.png Z1=log1.csv Z2=log2.csv ...   (CSVs written by vae-train --log)
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

out, runs = sys.argv[1], [arg.split("=", 1) for arg in sys.argv[2:]]
fig, axes = plt.subplots(1, len(runs), figsize=(3.2 * len(runs), 3.2), sharey=True)
for ax, (z, path) in zip(axes, runs):
    rows = list(csv.DictReader(open(path)))
    seen = [int(r["samples_seen"]) for r in rows]
    ax.semilogx(seen, [float(r["train_elbo"]) for r in rows], color="tab:red", label="AEVB (train)")
    ax.semilogx(seen, [float(r["test_elbo"]) for r in rows], color="tab:red", linestyle="--", label="AEVB (test)")
    ax.set_title(f"MNIST, $N_z = {z}$")
    ax.set_xlabel("# training samples evaluated")
    ax.grid(True, which="both", alpha=0.3)
axes[0].set_ylabel("$\\mathcal{L}$ (nats per image)")
axes[0].set_ylim(-170, -85)
axes[-1].legend(loc="lower right")
fig.tight_layout()
fig.savefig(out, dpi=110)
print("wrote", out)
