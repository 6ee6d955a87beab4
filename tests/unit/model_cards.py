# Every shipped model carries a model card, and README.md's table of shipped models shows the
# same figures as the cards: test ELBO, log p(x) (k = 5000 on all 10,000 test images), bits per
# dimension and active units (where the card has them; every model of the family's options must),
# classifier agreement, training wall time; the page's list of shipped models (src/app/site.cmake)
# and the table name the same files; the table of ELBO-trained vs IWAE-trained models in
# weights/README.md shows mnist-best's and mnist-iwae's card figures. Usage: model_cards.py SOURCE_DIR
import json
import re
import struct
import sys

root = sys.argv[1]


def metadata(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))["__metadata__"]


def minus(text):  # the README writes negative numbers with a real minus sign
    return text.replace("-", "\u2212")


readme = open(root + "/README.md", encoding="utf-8").read()
parts = readme.split("## Shipped models", 1)
section = parts[1].split("\n## ", 1)[0] if len(parts) == 2 else ""
rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z0-9-]+)`[^\n]*", section, re.M)}
site = open(root + "/src/app/site.cmake").read()
shipped = re.search(r"^set\(models ([^)]*)\)", site, re.M).group(1).split()
problems = []
for name in shipped + ["mnist-classifier"]:
    row = rows.get(name)
    if row is None:
        problems.append(f"{name}: no row in the table of README.md's section 'Shipped models'")
        continue
    meta = metadata(f"{root}/weights/{name}.safetensors")
    wall = f"{round(float(meta['wall_time_s'])):,} s"
    if wall not in row:
        problems.append(f"{name}: wall time {wall} not in the row")
    if name == "mnist-classifier":
        share = f"{100 * float(meta['test_accuracy']):.2f}% test accuracy"
        if share not in row:
            problems.append(f"{name}: {share} not in the row")
        continue
    for key in ("architecture", "test_elbo", "log_px", "log_px_how"):
        if key not in meta:
            problems.append(f"{name}: no {key} in its model card")
    if "log_px_how" in meta and "k=5000 " not in meta["log_px_how"]:
        problems.append(f"{name}: log p(x) not at k=5000: {meta['log_px_how']}")
    if meta.get("test_images") != "10000":
        problems.append(f"{name}: card measured on {meta.get('test_images')} test images, not 10000")
    for key in ("test_elbo", "log_px"):
        if key in meta and f"| {minus(meta[key])}" not in row and f"**{minus(meta[key])}**" not in row:
            problems.append(f"{name}: {key} {meta[key]} of its card not in the row: {row}")
    config = json.loads(meta["config"])
    family = any(k in config for k in ("likelihood", "posterior_scale", "dropout", "init", "objective")) or \
        config["activation"] == "elu"
    for key, shown in (("bits_per_dim", lambda v: f"{v} bits/dim"), ("active_units", lambda v: f"{v} active")):
        if family and key not in meta:
            problems.append(f"{name}: a model of the family's options without {key} in its card")
        elif key in meta and shown(meta[key]) not in row:
            problems.append(f"{name}: {key} {meta[key]} of its card not in the row as '{shown(meta[key])}'")
    if config.get("classes"):
        share = float(meta.get("classifier_agreement", "nan"))
        if not share >= 0.95:
            problems.append(f"{name}: classifier agreement {meta.get('classifier_agreement')} (target 0.95)")
        elif f"{100 * share:.2f}%" not in row:
            problems.append(f"{name}: agreement {100 * share:.2f}% not in the row")
# The table of ELBO-trained vs IWAE-trained models (weights/README.md) shows the same two cards' figures.
weights_readme = open(root + "/weights/README.md", encoding="utf-8").read()
comparison = weights_readme.split("## ELBO-trained vs IWAE-trained models", 1)
if len(comparison) < 2:
    problems.append("no section 'ELBO-trained vs IWAE-trained models' in weights/README.md")
else:
    lines = comparison[1].split("\n## ", 1)[0].splitlines()
    for name in ("mnist-best", "mnist-iwae"):
        row = next((line for line in lines if line.startswith(f"| ours, {name} |")), None)
        if row is None:
            problems.append(f"{name}: no row in the ELBO vs IWAE table")
            continue
        meta = metadata(f"{root}/weights/{name}.safetensors")
        for key in ("test_elbo", "log_px", "active_units"):
            if key in meta and minus(meta[key]) not in row:
                problems.append(f"{name}: {key} {meta[key]} of its card not in the ELBO vs IWAE row: {row}")
for p in problems:
    print("FAIL:", p)
print(f"{len(shipped)} shipped models and the classifier checked against the README's table; {len(problems)} problems")
sys.exit(1 if problems else 0)
