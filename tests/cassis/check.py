"""Reads tagdesk's UIMA CAS XMI export with dkpro-cassis (the reader INCEpTION users rely on)
and compares every span's covered text, label and annotator, and every relation, with
tagdesk's own JSONL export of the same project.

    python check.py XMI_FOLDER PROJECT.jsonl

Exit 0 when everything matches; otherwise one line per difference.
"""
import json
import sys
from pathlib import Path

from cassis import load_cas_from_xmi, load_typesystem


def main() -> int:
    folder, jsonl = Path(sys.argv[1]), Path(sys.argv[2])
    with open(folder / "TypeSystem.xml", "rb") as f:
        typesystem = load_typesystem(f)
    expected = {}
    for line in jsonl.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        expected[(record["annotator"], record["id"])] = record
    problems, spans, relations = [], 0, 0
    files = sorted(folder.rglob("*.xmi"))
    for path in files:
        with open(path, "rb") as f:
            cas = load_cas_from_xmi(f, typesystem=typesystem)
        # A folder per annotator.
        annotator = path.relative_to(folder).parts[0]
        doc = path.relative_to(folder / annotator).with_suffix(".txt").as_posix()
        record = expected.pop((annotator, doc), None)
        if record is None:
            problems.append(f"{path}: no such layer in the JSONL export")
            continue
        if cas.sofa_string != record["text"]:
            problems.append(f"{path}: the text differs")
        got = sorted(
            (a.get_covered_text(), a.label, a.annotator)
            for a in cas.select("webanno.custom.Span")
        )
        want = sorted((s["text"], s["label"], annotator) for s in record["spans"])
        if got != want:
            problems.append(f"{path}: spans differ:\n  cassis {got}\n  tagdesk {want}")
        spans += len(got)
        got_rel = sorted(
            (r.label, r.Governor.get_covered_text(), r.Dependent.get_covered_text())
            for r in cas.select("webanno.custom.Relation")
        )
        text_of = {s["id"]: s["text"] for s in record["spans"]}
        want_rel = sorted(
            (r["type"], text_of[r["from"]], text_of[r["to"]]) for r in record["relations"]
        )
        if got_rel != want_rel:
            problems.append(f"{path}: relations differ:\n  cassis {got_rel}\n  tagdesk {want_rel}")
        relations += len(got_rel)
    for key in expected:
        problems.append(f"layer {key} is missing from the XMI export")
    for p in problems:
        print(p)
    print(f"dkpro-cassis read {len(files)} XMI files: {spans} spans, {relations} relations; "
          f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
