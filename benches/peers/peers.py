#!/usr/bin/env python3
"""tagdesk against the Python peers, whole processes, side by side.

Builds the scaled corpus (the bratiaa example project in tests/data copied COPIES times:
7 documents x COPIES per annotator, 4 annotators), optionally installs the PyPI peers
(bratiaa, label-studio-converter) into a virtualenv, then runs each pair of commands
alternating A B A B ... RUNS times and prints the medians, their ratio and the peak memory
(maximum resident set size from /usr/bin/time) as a Markdown table for BENCHMARKS.md.

    python3 benches/peers/peers.py --install-peers          # first time: makes WORK/venv
    python3 benches/peers/peers.py                          # the table
    python3 benches/peers/peers.py --jobs agree,convert --runs 7

Needs a release build (`cargo build --release`); uses target/release/tagdesk unless
--tagdesk says otherwise. Only the standard library; nothing here reads outside the
repository except the peers' virtualenv and the work folder (default /tmp/tagdesk-peers).
"""

import argparse
import atexit
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "tests" / "data" / "bratiaa_4annotators" / "example-project"
ANNOTATORS = ["Lisa", "Maria", "Max", "Peter"]


def build_corpus(work: Path, copies: int) -> Path:
    """WORK/brat-N: the bratiaa project copied (a folder per annotator, as brat-iaa reads it);
    WORK/texts-N: its texts once, the tagdesk project's sources."""
    brat = work / f"brat-{copies}"
    texts = work / f"texts-{copies}"
    if (texts / ".done").exists():
        return brat, texts
    shutil.rmtree(brat, ignore_errors=True)
    shutil.rmtree(texts, ignore_errors=True)
    texts.mkdir(parents=True)
    brat.mkdir(parents=True)
    shutil.copy(SEED / "annotation.conf", brat / "annotation.conf")
    for annotator in ANNOTATORS:
        (brat / annotator).mkdir()
    docs = sorted(p.stem for p in (SEED / "Lisa").glob("*.txt"))
    for i in range(copies):
        for doc in docs:
            name = f"c{i:03}-{doc}"
            text = (SEED / "Lisa" / f"{doc}.txt").read_bytes()
            (texts / f"{name}.txt").write_bytes(text)
            for annotator in ANNOTATORS:
                (brat / annotator / f"{name}.txt").write_bytes(text)
                shutil.copy(SEED / annotator / f"{doc}.ann", brat / annotator / f"{name}.ann")
    (texts / ".done").write_text("")
    return brat, texts


def install_peers(venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", "bratiaa", "label-studio-converter"], check=True)


def timed(cmd, cwd=None, stdout=subprocess.DEVNULL):
    """(seconds, max RSS in MB) of one whole process, from /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", t.name] + [str(c) for c in cmd]
        subprocess.run(full, cwd=cwd, stdout=stdout, stderr=subprocess.DEVNULL, check=True)
        seconds, kb = t.read().split()[-2:]
    return float(seconds), int(kb) / 1024


def timed_script(steps):
    """A sequence of commands as one job: summed seconds, largest peak."""
    total, peak = 0.0, 0.0
    for step in steps:
        if callable(step):
            step()
            continue
        s, m = timed(step)
        total += s
        peak = max(peak, m)
    return total, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/tagdesk-peers"))
    ap.add_argument("--copies", type=int, default=150)
    ap.add_argument("--runs", type=int, default=5, help="runs of each side (alternating)")
    ap.add_argument("--tagdesk", type=Path, default=REPO / "target" / "release" / "tagdesk")
    ap.add_argument("--venv", type=Path, help="the peers' virtualenv (default WORK/venv)")
    ap.add_argument("--install-peers", action="store_true")
    ap.add_argument("--jobs", default="agree,agree-folders,pipeline,pipeline-folders,import,convert")
    args = ap.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    venv = args.venv or work / "venv"
    if args.install_peers:
        install_peers(venv)
    tagdesk = args.tagdesk.resolve()
    if not tagdesk.exists():
        print(f"error: {tagdesk} is missing: run `cargo build --release` first", file=sys.stderr)
        return 2
    brat_iaa = venv / "bin" / "brat-iaa"
    ls_converter = venv / "bin" / "label-studio-converter"
    jobs = args.jobs.split(",")

    brat, texts = build_corpus(work, args.copies)
    project = work / "project"

    def init_steps(dest: Path):
        def clean():
            shutil.rmtree(dest, ignore_errors=True)

        steps = [clean, [tagdesk, "init", dest, "--sources", texts]]
        for a in ANNOTATORS:
            steps.append([tagdesk, "import", dest, "--format", "brat", "--annotator", a,
                          "--add-labels", brat / a])
        return steps

    # The imported project that `agree` alone and the exports read (made once per corpus: a
    # mass deletion right before the timings would slow the file system's next file creations).
    done = project / ".bench-complete"
    if not done.exists() or done.read_text() != str(args.copies):
        timed_script(init_steps(project))
        done.write_text(str(args.copies))
    spans = sum(1 for a in ANNOTATORS for f in (brat / a).glob("*.ann")
                for line in f.read_text().splitlines() if line.startswith("T"))
    docs = len(list(texts.glob("*.txt")))

    rows = []

    def pair(job, what, peer_name, peer, ours_name, ours, runs=args.runs):
        a_times, a_mem, b_times, b_mem = [], [], [], []
        for _ in range(runs):
            if peer is not None:
                s, m = peer()
                a_times.append(s)
                a_mem.append(m)
            s, m = ours()
            b_times.append(s)
            b_mem.append(m)
        row = {
            "job": job, "what": what, "peer": peer_name, "ours": ours_name,
            "peer_s": statistics.median(a_times) if a_times else None,
            "peer_range": (min(a_times), max(a_times)) if a_times else None,
            "peer_mb": max(a_mem) if a_mem else None,
            "ours_s": statistics.median(b_times),
            "ours_range": (min(b_times), max(b_times)),
            "ours_mb": max(b_mem),
        }
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)

    have_bratiaa = brat_iaa.exists()
    have_ls = ls_converter.exists()
    if not (have_bratiaa and have_ls):
        print(f"note: peers missing in {venv}; run with --install-peers", file=sys.stderr)

    if "agree" in jobs:
        pair("agree", "`agree --json` on the imported project",
             "brat-iaa", (lambda: timed([brat_iaa, brat])) if have_bratiaa else None,
             "tagdesk agree --json", lambda: timed([tagdesk, "agree", project, "--json"]))
    if "agree-folders" in jobs:
        # Issue 37: agreement straight from the folders brat-iaa reads, no project written.
        pair("agree-folders", "`agree --format brat --annotator-folders --json` on brat-iaa's folder",
             "brat-iaa", (lambda: timed([brat_iaa, brat])) if have_bratiaa else None,
             "tagdesk agree (folders)",
             lambda: timed([tagdesk, "agree", brat, "--format", "brat", "--annotator-folders",
                            "--json"]))
    def fresh_projects(name):
        """New project folders WORK/name/p1, p2, ... one per run. None is deleted while anything
        is timed: ext4 makes new files slowly right after mass deletions, which would time the
        cleanup, not us. They are deleted when the script ends (and synced), so the next
        invocation does not start right after deleting them either."""
        scratch = work / name
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()
        atexit.register(lambda: (shutil.rmtree(scratch, ignore_errors=True), os.sync()))
        count = iter(range(1, 1_000_000))
        return lambda: scratch / f"p{next(count)}"

    if "pipeline" in jobs:
        next_project = fresh_projects("pipeline")

        def pipeline():
            dest = next_project()
            return timed_script(init_steps(dest) + [[tagdesk, "agree", dest, "--json"]])
        pair("pipeline", "init + 4 x `import --format brat` + `agree --json`",
             "brat-iaa", (lambda: timed([brat_iaa, brat])) if have_bratiaa else None,
             "tagdesk init/import/agree", pipeline)
    if "pipeline-folders" in jobs:
        # The same folder brat-iaa reads, imported as it is: one import of the four annotator
        # folders (`--annotator-folders`) instead of four.
        next_project = fresh_projects("pipeline-folders")

        def pipeline_folders():
            dest = next_project()
            return timed_script([
                [tagdesk, "init", dest, "--sources", texts],
                [tagdesk, "import", dest, "--format", "brat", "--annotator-folders",
                 "--add-labels", brat],
                [tagdesk, "agree", dest, "--json"],
            ])
        pair("pipeline-folders",
             "init + one `import --format brat --annotator-folders` + `agree --json`",
             "brat-iaa", (lambda: timed([brat_iaa, brat])) if have_bratiaa else None,
             "tagdesk init/import/agree", pipeline_folders)
    if "import" in jobs:
        # Each run imports into a project of its own, made beforehand (untimed).
        next_project = fresh_projects("import")

        def one_import():
            dest = next_project()
            subprocess.run([tagdesk, "init", dest, "--sources", texts], check=True,
                           stdout=subprocess.DEVNULL)
            return timed([tagdesk, "import", dest, "--format", "brat", "--annotator", "Lisa",
                          "--add-labels", brat / "Lisa"])
        pair("import", f"one `import --format brat` of {docs} documents", "-", None,
             "tagdesk import", one_import)
    if "convert" in jobs:
        ls_json = work / "label-studio.json"
        subprocess.run([tagdesk, "export", project, "--format", "label-studio", "--annotator",
                        "Lisa", "-o", ls_json], check=True, stderr=subprocess.DEVNULL)
        out_dir = work / "ls-out"

        def peer_convert():
            shutil.rmtree(out_dir, ignore_errors=True)
            return timed([ls_converter, "export", "-i", ls_json, "-c", work / "ls-config.xml",
                          "-o", out_dir, "-f", "CONLL2003"])
        (work / "ls-config.xml").write_text(
            '<View><Labels name="label" toName="text">'
            + "".join(f'<Label value="{l}"/>' for l in ["ORG", "PER", "LOC", "MISC"])
            + '</Labels><Text name="text" value="$text"/></View>')
        pair("convert", f"Label Studio JSON ({ls_json.stat().st_size // 1_000_000} MB) -> CoNLL",
             "label-studio-converter export -f CONLL2003", peer_convert if have_ls else None,
             "tagdesk convert",
             lambda: timed([tagdesk, "convert", "--from", "label-studio", "--to", "conll",
                            ls_json, work / "out.conll"]))

    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                   if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"\nCorpus: {docs} documents x {len(ANNOTATORS)} annotators, {spans} spans "
          f"({args.copies} copies of the bratiaa example). Machine: {os.cpu_count()} cores, "
          f"{cpu or platform.machine()}. {args.runs} runs each, alternating; medians (min-max).\n")
    print("| job | peer | peer s | peer MB | tagdesk s | tagdesk MB | ratio |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        fmt = lambda s, rg: f"{s:.3f} ({rg[0]:.2f}-{rg[1]:.2f})"
        peer_s = fmt(r["peer_s"], r["peer_range"]) if r["peer_s"] is not None else "-"
        peer_mb = f"{r['peer_mb']:.0f}" if r["peer_mb"] is not None else "-"
        ratio = f"**{r['peer_s'] / r['ours_s']:.1f}x**" if r["peer_s"] else "-"
        print(f"| {r['what']} | {r['peer']} | {peer_s} | {peer_mb} | "
              f"{fmt(r['ours_s'], r['ours_range'])} | {r['ours_mb']:.0f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
