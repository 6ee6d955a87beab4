#!/usr/bin/env python3
"""kill -9 at random moments: vae-train (a tiny model on a small MNIST subset, 12 epochs) is killed
again and again, half the time after a random delay and half the time the moment one of its
temporary files appears (during the end-of-epoch checkpoint write or the final weights and PNG
writes); each time it is started again with --resume when a checkpoint exists. After every kill:
every weights file and checkpoint at its final name loads fully, every PNG there is whole. The next
run removes the temporary files the killed one left (and says so); at the end none is left, and the
resumed run's weights and checkpoint equal an uninterrupted run's, bit for bit.
    kill_test.py BIN_DIR MNIST_DIR [KILLS]"""
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

bin_dir, mnist = sys.argv[1], sys.argv[2]
kills_wanted = int(sys.argv[3]) if len(sys.argv) > 3 else 30
here = os.path.dirname(os.path.abspath(__file__))
tmp = tempfile.mkdtemp(prefix="vae-kill-test-")
failures = []


def fail(message):
    failures.append(message)
    print("FAIL " + message, flush=True)


def png_whole(path):
    """A PNG with its signature, every chunk's CRC right, an IEND, and image data that inflates."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return "no PNG signature"
    pos, idat, seen_end = 8, b"", False
    while pos + 12 <= len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if len(body) != n or struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] != zlib.crc32(kind + body):
            return "chunk %r cut or corrupt" % kind
        idat += body if kind == b"IDAT" else b""
        seen_end = kind == b"IEND"
        pos += 12 + n
    if not seen_end or pos != len(data):
        return "no IEND at the end"
    zlib.decompress(idat)
    return None


subprocess.run([sys.executable, os.path.join(here, "make_unfit_files.py"), tmp, mnist], check=True,
               stdout=subprocess.DEVNULL)
data = os.path.join(tmp, "mini")
common = [os.path.join(bin_dir, "vae-train"), "--data", data, "--hidden", "16", "--latent", "2", "--batch", "20",
          "--epochs", "12", "--threads", "1", "--seed", "3"]
env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")

# the uninterrupted run, timed: random kills fall inside its length
straight = os.path.join(tmp, "straight")
os.makedirs(straight)
t0 = time.monotonic()
run = subprocess.run(common + ["--out", os.path.join(straight, "m.safetensors")], env=env, capture_output=True, text=True)
length = time.monotonic() - t0
if run.returncode != 0:
    print("FAIL the uninterrupted run: " + run.stderr)
    sys.exit(1)

work = os.path.join(tmp, "killed")
os.makedirs(work)
out = os.path.join(work, "m.safetensors")
finals = {"weights": [out], "checkpoint": [out + ".ckpt"], "png": [os.path.join(work, "m-samples.png"),
                                                                    os.path.join(work, "m-recon.png")]}


def check_finals(after):
    present = {kind: [p for p in paths if os.path.exists(p)] for kind, paths in finals.items()}
    for kind in ("weights", "checkpoint"):
        if present[kind]:
            r = subprocess.run([os.path.join(bin_dir, "tests", "file_check"), kind] + present[kind], capture_output=True,
                               text=True)
            if r.returncode != 0:
                fail("%s: a %s at its final name does not load: %s" % (after, kind, r.stderr.strip()))
    for path in present["png"]:
        problem = png_whole(path)
        if problem:
            fail("%s: %s: %s" % (after, os.path.basename(path), problem))


def temps():
    return sorted(f for f in os.listdir(work) if ".tmp." in f)


rng = random.Random(12)
kills = during_writes = removed = cleaned_reported = 0
written = {}  # the temporary files kills left, by kind of output
runs = 0
def enough_during_writes():
    return written.get("checkpoint", 0) >= 3 and written.get("weights", 0) + written.get("PNG", 0) >= 3


# until enough kills, and enough of them inside each kind of write (on a fast machine a small
# model's checkpoint write may end between two looks at the folder: then more runs are needed)
while (kills < kills_wanted or not enough_during_writes()) and runs < 12 * kills_wanted:
    runs += 1
    resume = ["--resume"] if os.path.exists(out + ".ckpt") else []
    left_before = temps()
    proc = subprocess.Popen(common + ["--out", out] + resume, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    # by turns: after a random delay; when a checkpoint write starts; when a final write starts
    mode = ("random", "checkpoint", "final")[runs % 3]
    deadline = time.monotonic() + (30 if mode != "random" else rng.uniform(0, length))
    suffix = ".tmp.%d" % proc.pid
    while proc.poll() is None and time.monotonic() < deadline:
        writing = [f for f in os.listdir(work) if f.endswith(suffix)]
        if any((".ckpt." in f) == (mode == "checkpoint") for f in writing) and mode != "random":
            # at once half the time (a fast write may be over within the half millisecond), else
            # somewhere in its first half millisecond
            time.sleep(rng.choice((0.0, rng.uniform(0, 0.0005))))
            break
        if mode == "random":
            time.sleep(0.0005)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
        kills += 1
    stderr = proc.communicate()[1]
    if proc.returncode not in (0, -signal.SIGKILL):
        fail("run %d exited %s: %s" % (runs, proc.returncode, stderr.strip()))
    mine = [f for f in temps() if f.endswith(".tmp.%d" % proc.pid)]
    during_writes += 1 if mine else 0
    for f in mine:
        kind = "checkpoint" if ".ckpt." in f else "PNG" if ".png." in f else "weights"
        written[kind] = written.get(kind, 0) + 1
    # the temporary files an earlier kill left are removed by this run, which says so (unless it
    # was killed before it got there)
    for f in left_before:
        gone, said = not os.path.exists(os.path.join(work, f)), ("removed " + os.path.join(work, f)) in stderr
        removed += 1 if gone else 0
        cleaned_reported += 1 if gone and said else 0
        if proc.returncode == 0 and not (gone and said):
            fail("run %d %s: %s" % (runs, "removed %s without saying so" % f if gone else "left " + f, stderr.strip()))
    check_finals("after run %d (%s%s, %s)" % (runs, "killed" if proc.returncode == -signal.SIGKILL else "finished",
                                              " during a write" if mine else "", "resumed" if resume else "fresh"))
    if proc.returncode == 0:  # it finished before the kill: start over to kill it again
        for kind in finals.values():
            for p in kind:
                if os.path.exists(p):
                    os.remove(p)

# the last run resumes to the end: no temporary file left, the same bits as the uninterrupted run
final = subprocess.run(common + ["--out", out] + (["--resume"] if os.path.exists(out + ".ckpt") else []), env=env,
                       capture_output=True, text=True)
if final.returncode != 0:
    fail("the final --resume failed: " + final.stderr)
check_finals("after the final run")
if temps():
    fail("temporary files left after the final run: %s" % temps())
said = final.stderr.count(", a temporary file left by a process that is gone")
removed += said
cleaned_reported += said


def data_section(path):
    b = open(path, "rb").read()
    return b[8 + struct.unpack("<Q", b[:8])[0]:]


for name in ("m.safetensors", "m.safetensors.ckpt"):
    a, b = os.path.join(straight, name), os.path.join(work, name)
    if not os.path.exists(b) or data_section(a) != data_section(b):
        fail("%s of the killed and resumed run differs from the uninterrupted run's" % name)
for name in ("m-samples.png", "m-recon.png"):
    if open(os.path.join(straight, name), "rb").read() != open(os.path.join(work, name), "rb").read():
        fail("%s of the killed and resumed run differs from the uninterrupted run's" % name)
print("kills: %d (of %d runs), %d during a write (each leaving a temporary file: %s), %d stale temporary files "
      "removed by later runs (%d with a message); the uninterrupted run took %.2f s" % (
          kills, runs, during_writes, ", ".join("%d %s" % (n, k) for k, n in sorted(written.items())), removed,
          cleaned_reported, length))
if not enough_during_writes():
    fail("too few kills during the checkpoint write or the final writes: %s" % written)
if kills < kills_wanted:
    fail("only %d kills landed (wanted %d): every run finished first" % (kills, kills_wanted))
if during_writes < 5:
    fail("only %d kills landed during a write (wanted at least 5)" % during_writes)
# every temporary file a kill left was removed by a later run (a run killed in between may have
# removed one without getting to say so; the runs that finished said so for every one)
if removed != during_writes or cleaned_reported == 0:
    fail("%d kills during a write left temporary files, %d were removed (%d with a message)" % (
        during_writes, removed, cleaned_reported))
shutil.rmtree(tmp, ignore_errors=True)
print("kill_test: " + ("ok" if not failures else "%d problem(s)" % len(failures)))
sys.exit(1 if failures else 0)
