#!/usr/bin/env python3
# compare_logic_v2.py — side-by-side comparison of Haven's name matcher with
# OpenSanctions nomenklatura's `logic-v2` matcher (a development tool, not run in CI).
#
# For each benchmark file it scores every name pair with
#   * logic-v2 (nomenklatura 4.17.4, default config, match = score >= 0.7), on two
#     FollowTheMoney `Person` entities carrying only the `name` property — the same
#     construction as nomenklatura's own contrib/name_bench harness; and
#   * Haven, by running `--haven-cmd` (default `target/release/haven names compare`,
#     run from the repo root) on a temporary CSV with header `name1,name2`; Haven writes
#     one JSON line per row: {"score": float, "match": bool, "explanation": ...};
# and prints precision / recall / F1 and the time per pair of both, plus the speed ratio.
#
# Inputs (paths default to the shared benchmark folder, relative to the repo root):
#   ../shared/bench/nomenklatura_name_bench_cases.csv  rows with schema == Person; label is_match
#   ../shared/bench/watchman_cross_script_pairs.csv    '#' comment lines; Query,Expected Match,
#                                                      Min Score,Description; all positives
#   --un-pairs FILE (optional)                         name1,name2,label: the UN list's own
#                                                      cross-script pairs, written by
#   `cargo run --release -p haven-names --example un_cross_script -- --pairs-out FILE`
#   (original-script name against a Latin name; 1,008 distinct pairs, a third positive)
#
# Timing:
#   * logic-v2: every pair is scored once to warm up (loading rigour's data etc.), then
#     further passes are timed with time.perf_counter (as many as needed to score at least
#     --min-timed pairs, default 2000: 4 passes on the 548 pairs, 91 on the 22 watchman
#     pairs). Each pass builds fresh entities with fresh ids (entity construction is
#     inside the timed loop), so nomenklatura's per-entity caches cannot carry results
#     over from one pass to the next. The timed block runs --timing-runs times (default
#     3) and the fastest counts: on a shared machine the slower runs measure the neighbours.
#   * Haven: the pairs are written --repeat times (default 200, raised so the CSV has at
#     least --min-rows rows, default 100000) into one CSV so process start-up is
#     negligible; the whole run is timed and divided by the number of rows. A second run
#     on a 1x CSV estimates start-up, reported as "excl. start-up". Both runs are made
#     --timing-runs times and the fastest of each counts (the start-up estimate is the
#     difference of two timings, so one slow run would swing it most). Haven must not
#     memoise results across rows, or this figure flatters it.
#
# Needs nomenklatura==4.17.4 installed (see compare_logic_v2.sh, which makes a throwaway
# venv). Usage:
#   scripts/compare_logic_v2.sh [--json] [--haven-cmd CMD] [--repeat N] [--no-haven]
#   python3 scripts/compare_logic_v2.py --help

from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = "../shared/bench/nomenklatura_name_bench_cases.csv"
DEFAULT_WATCHMAN = "../shared/bench/watchman_cross_script_pairs.csv"
DEFAULT_HAVEN_CMD = "target/release/haven names compare"
THRESHOLD = 0.7  # logic-v2's match threshold (nomenklatura name_bench, yente default)


@dataclass
class Pair:
    name1: str
    name2: str
    label: bool
    min_score: float | None = None  # watchman only: the file's expected minimum score


@dataclass
class Dataset:
    key: str
    title: str
    pairs: list[Pair] = field(default_factory=list)


def resolve(path: str, default: str) -> Path:
    """Defaults are relative to the repo root; user-given paths to the cwd."""
    p = Path(path)
    if p.is_absolute():
        return p
    return (REPO_ROOT / p) if path == default else (Path.cwd() / p)


def load_bench(path: Path) -> Dataset:
    ds = Dataset("nomenklatura_person", f"{path.name} (schema=Person)")
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["schema"] != "Person":
                continue
            label = row["is_match"].strip().lower()
            if label not in ("true", "false"):
                raise SystemExit(f"{path}: bad is_match {row['is_match']!r}")
            ds.pairs.append(Pair(row["name1"], row["name2"], label == "true"))
    return ds


def load_watchman(path: Path) -> Dataset:
    ds = Dataset("watchman_cross_script", f"{path.name} (all positives)")
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
    for row in csv.reader(lines):
        if len(row) < 3:
            raise SystemExit(f"{path}: bad row {row!r}")
        ds.pairs.append(Pair(row[0].strip(), row[1].strip(), True, float(row[2])))
    return ds


def load_un_pairs(path: Path) -> Dataset:
    ds = Dataset("un_cross_script", f"{path.name} (UN list, held-out cross-script pairs)")
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), 2):
            label = (row.get("label") or "").strip().lower()
            if label not in ("true", "false") or not row.get("name1") or not row.get("name2"):
                raise SystemExit(f"{path}: record {line}: needs name1, name2 and label true/false")
            ds.pairs.append(Pair(row["name1"], row["name2"], label == "true"))
    return ds


def metrics(labels: list[bool], predicted: list[bool]) -> dict:
    tp = sum(1 for g, p in zip(labels, predicted) if g and p)
    fp = sum(1 for g, p in zip(labels, predicted) if not g and p)
    fn = sum(1 for g, p in zip(labels, predicted) if g and not p)
    tn = sum(1 for g, p in zip(labels, predicted) if not g and not p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"n": len(labels), "tp": tp, "fp": fp, "tn": tn, "fn": fn,
            "precision": prec, "recall": rec, "f1": f1}


# --- logic-v2 -------------------------------------------------------------------------

class LogicV2Runner:
    def __init__(self) -> None:
        try:
            from followthemoney import ValueEntity, model
            from nomenklatura.matching import get_algorithm
        except ImportError as exc:  # pragma: no cover - environment problem
            raise SystemExit(
                f"cannot import nomenklatura/followthemoney ({exc}); "
                "run scripts/compare_logic_v2.sh or `pip install nomenklatura==4.17.4`"
            )
        algo = get_algorithm("logic-v2")
        if algo is None:
            raise SystemExit("nomenklatura has no 'logic-v2' algorithm")
        self.algo = algo
        self.config = algo.default_config()
        self.schema = model.get("Person")
        self.ValueEntity = ValueEntity
        self.pass_no = 0

    def _score_pass(self, pairs: list[Pair]) -> list[float]:
        self.pass_no += 1
        tag = f"p{self.pass_no}"
        out = []
        for i, pair in enumerate(pairs):
            q = self.ValueEntity(self.schema, {"id": f"{tag}-q{i}"})
            q.add("name", pair.name1)
            r = self.ValueEntity(self.schema, {"id": f"{tag}-r{i}"})
            r.add("name", pair.name2)
            out.append(float(self.algo.compare(q, r, self.config).score))
        return out

    def run(self, ds: Dataset, min_timed: int, timing_runs: int) -> dict:
        self._score_pass(ds.pairs)  # warm-up: data loading, lazy imports
        passes = max(1, -(-min_timed // len(ds.pairs)))
        timings = []
        for _ in range(timing_runs):
            t0 = time.perf_counter()
            for _ in range(passes):
                scores = self._score_pass(ds.pairs)
            timings.append(time.perf_counter() - t0)
        elapsed = min(timings)
        predicted = [s >= THRESHOLD for s in scores]
        res = metrics([p.label for p in ds.pairs], predicted)
        res["us_per_pair"] = elapsed / (len(ds.pairs) * passes) * 1e6
        res["timed_passes"] = passes
        res["scores"] = scores
        res["matches"] = predicted
        return res


# --- Haven ----------------------------------------------------------------------------

def haven_argv(cmd: str) -> list[str]:
    argv = shlex.split(cmd)
    if not argv:
        raise SystemExit("--haven-cmd is empty")
    exe = argv[0]
    if "/" in exe and not os.path.isabs(exe):
        exe_path = REPO_ROOT / exe
        if not exe_path.exists():
            raise SystemExit(
                f"Haven command not found: {exe_path} (build it with `cargo build --release`, "
                "pass --haven-cmd, or use --no-haven)"
            )
    return argv


def write_csv(path: Path, pairs: list[Pair], repeat: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name1", "name2"])
        for _ in range(repeat):
            for p in pairs:
                w.writerow([p.name1, p.name2])


def run_haven_once(argv: list[str], csv_path: Path, out_path: Path) -> float:
    with out_path.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.run(argv + [str(csv_path)], cwd=REPO_ROOT, stdout=out,
                              stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise SystemExit(f"Haven command failed (exit {proc.returncode}): "
                         f"{shlex.join(argv)} {csv_path}\n{err}")
    return elapsed


def parse_haven_output(path: Path, expected_rows: int) -> list[tuple[float, bool]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                rows.append((float(obj["score"]), bool(obj["match"])))
            except (ValueError, KeyError, TypeError) as exc:
                raise SystemExit(f"Haven output line {lineno} is not "
                                 f'{{"score","match",...}} JSON ({exc}): {line[:200]!r}')
    if len(rows) != expected_rows:
        raise SystemExit(f"Haven wrote {len(rows)} result lines for {expected_rows} CSV rows")
    return rows


def run_haven(argv: list[str], ds: Dataset, repeat: int, timing_runs: int) -> dict:
    n = len(ds.pairs)
    with tempfile.TemporaryDirectory(prefix="haven-compare-") as tmp:
        tmpd = Path(tmp)
        one, many, out = tmpd / "pairs_x1.csv", tmpd / f"pairs_x{repeat}.csv", tmpd / "out.jsonl"
        write_csv(one, ds.pairs, 1)
        write_csv(many, ds.pairs, repeat)
        run_haven_once(argv, one, out)  # warms the page cache
        t_one = min(run_haven_once(argv, one, out) for _ in range(timing_runs))
        parse_haven_output(out, n)
        t_many = min(run_haven_once(argv, many, out) for _ in range(timing_runs))
        rows = parse_haven_output(out, n * repeat)
    first = rows[:n]
    # Every repetition must give the same verdicts as the first one.
    inconsistent = sum(
        1 for k in range(1, repeat) for i in range(n) if rows[k * n + i] != first[i]
    )
    scores = [s for s, _ in first]
    predicted = [m for _, m in first]
    res = metrics([p.label for p in ds.pairs], predicted)
    res["us_per_pair"] = t_many / (n * repeat) * 1e6
    res["us_per_pair_excl_startup"] = (
        max(t_many - t_one, 0.0) / (n * (repeat - 1)) * 1e6 if repeat > 1 else None
    )
    res["startup_s_estimate"] = t_one
    res["repeat"] = repeat
    res["inconsistent_rows"] = inconsistent
    res["scores"] = scores
    res["matches"] = predicted
    return res


# --- output ---------------------------------------------------------------------------

def add_min_score(res: dict, ds: Dataset) -> None:
    if all(p.min_score is not None for p in ds.pairs):
        res["min_score_met"] = sum(
            1 for s, p in zip(res["scores"], ds.pairs) if s >= p.min_score
        )


def fmt_row(name: str, m: dict) -> str:
    extra = ""
    if m.get("us_per_pair_excl_startup") is not None:
        extra = f"  ({m['us_per_pair_excl_startup']:.1f} excl. start-up)"
    if "min_score_met" in m:
        extra += f"  min-score met {m['min_score_met']}/{m['n']}"
    return (f"  {name:<9} {m['n']:>5} {m['tp']:>4} {m['fp']:>4} {m['tn']:>4} {m['fn']:>4} "
            f"{m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} "
            f"{m['us_per_pair']:>10.1f}{extra}")


def print_table(report: dict) -> None:
    v = report["versions"]
    print(f"logic-v2: nomenklatura {v.get('nomenklatura')}, followthemoney "
          f"{v.get('followthemoney')}, rigour {v.get('rigour')}; threshold {THRESHOLD}")
    if report.get("haven_cmd"):
        print(f"Haven:    {report['haven_cmd']} FILE.csv")
    for f in report["files"]:
        print()
        line = f"{f['title']}: {f['n']} pairs, {f['positives']} positive"
        if "logic-v2" in f:
            line += f"; logic-v2 timed passes {f['logic-v2']['timed_passes']}"
        if "haven" in f:
            line += f"; Haven CSV x{f['haven']['repeat']}"
        print(line)
        print(f"  {'matcher':<9} {'n':>5} {'TP':>4} {'FP':>4} {'TN':>4} {'FN':>4} "
              f"{'P':>6} {'R':>6} {'F1':>6} {'us/pair':>10}")
        for name in ("logic-v2", "haven"):
            if name in f:
                print(fmt_row(name, f[name]))
        if "speed_ratio" in f:
            print(f"  speed: Haven is {f['speed_ratio']:.1f}x the speed of logic-v2 "
                  f"(logic-v2 us/pair / Haven us/pair)"
                  + (f"; {f['speed_ratio_excl_startup']:.1f}x excl. start-up"
                     if "speed_ratio_excl_startup" in f else ""))
        if f.get("haven", {}).get("inconsistent_rows"):
            print(f"  WARNING: {f['haven']['inconsistent_rows']} repeated Haven rows differ "
                  "from their first occurrence")


def write_pairs(path: Path, datasets: list[Dataset], report: dict) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "name1", "name2", "label", "logic_v2_score", "logic_v2_match",
                    "haven_score", "haven_match"])
        for ds, f in zip(datasets, report["files"]):
            lv, hv = f.get("logic-v2"), f.get("haven")
            for i, p in enumerate(ds.pairs):
                w.writerow([
                    ds.key, p.name1, p.name2, str(p.label).lower(),
                    f"{lv['scores'][i]:.4f}" if lv else "", str(lv["matches"][i]).lower() if lv else "",
                    f"{hv['scores'][i]:.4f}" if hv else "", str(hv["matches"][i]).lower() if hv else "",
                ])


def version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def main() -> int:
    ap = argparse.ArgumentParser(
        description="Compare Haven's name matcher with nomenklatura logic-v2 on benchmark pairs.")
    ap.add_argument("--bench-csv", default=DEFAULT_BENCH,
                    help=f"nomenklatura name_bench cases (default, from repo root: {DEFAULT_BENCH})")
    ap.add_argument("--watchman-csv", default=DEFAULT_WATCHMAN,
                    help=f"watchman cross-script pairs (default, from repo root: {DEFAULT_WATCHMAN})")
    ap.add_argument("--un-pairs", type=Path,
                    help="also compare on these name1,name2,label pairs (the UN list's own "
                         "cross-script pairs, written by the un_cross_script example)")
    ap.add_argument("--haven-cmd", default=DEFAULT_HAVEN_CMD,
                    help="command run from the repo root with the CSV path appended "
                         f"(default: {DEFAULT_HAVEN_CMD!r})")
    ap.add_argument("--repeat", type=int, default=200,
                    help="times the pairs are repeated in Haven's CSV (default 200)")
    ap.add_argument("--min-rows", type=int, default=100_000,
                    help="raise the repeat count so Haven's CSV has at least this many rows "
                         "(default 100000; keeps start-up negligible on small files)")
    ap.add_argument("--min-timed", type=int, default=2000,
                    help="logic-v2: time as many passes as needed to score at least this many "
                         "pairs after the warm-up pass (default 2000)")
    ap.add_argument("--timing-runs", type=int, default=3,
                    help="timed runs of each side; the fastest counts (default 3)")
    ap.add_argument("--no-haven", action="store_true", help="only run logic-v2")
    ap.add_argument("--no-logic-v2", action="store_true", help="only run Haven")
    ap.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    ap.add_argument("--pairs-out", type=Path,
                    help="also write per-pair scores of both matchers to this CSV")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")

    datasets = [
        load_bench(resolve(args.bench_csv, DEFAULT_BENCH)),
        load_watchman(resolve(args.watchman_csv, DEFAULT_WATCHMAN)),
    ]
    if args.un_pairs:
        datasets.append(load_un_pairs(args.un_pairs))
    lv2 = None if args.no_logic_v2 else LogicV2Runner()
    hv_argv = None if args.no_haven else haven_argv(args.haven_cmd)

    report: dict = {
        "threshold": THRESHOLD,
        "versions": {d: version(d) for d in ("nomenklatura", "followthemoney", "rigour")},
        "haven_cmd": None if args.no_haven else args.haven_cmd,
        "files": [],
    }
    for ds in datasets:
        entry: dict = {"key": ds.key, "title": ds.title, "n": len(ds.pairs),
                       "positives": sum(p.label for p in ds.pairs)}
        if lv2 is not None:
            entry["logic-v2"] = lv2.run(ds, args.min_timed, max(1, args.timing_runs))
            add_min_score(entry["logic-v2"], ds)
        if hv_argv is not None:
            repeat = max(args.repeat, -(-args.min_rows // len(ds.pairs)))
            entry["haven"] = run_haven(hv_argv, ds, repeat, max(1, args.timing_runs))
            add_min_score(entry["haven"], ds)
        if "logic-v2" in entry and "haven" in entry and entry["haven"]["us_per_pair"] > 0:
            entry["speed_ratio"] = entry["logic-v2"]["us_per_pair"] / entry["haven"]["us_per_pair"]
            excl = entry["haven"].get("us_per_pair_excl_startup")
            if excl:
                entry["speed_ratio_excl_startup"] = entry["logic-v2"]["us_per_pair"] / excl
        report["files"].append(entry)

    if args.pairs_out:
        write_pairs(args.pairs_out, datasets, report)

    if args.json:
        for f in report["files"]:
            for name in ("logic-v2", "haven"):
                if name in f:
                    f[name].pop("scores", None)
                    f[name].pop("matches", None)
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
