"""Fan overlap: exact on small inputs, bottom-k MinHash within 0.02 of exact, LSH keeping the pairs above a
threshold, and every line accounted for."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from serve.charts import NO_CJK_FONT, chart_names
from serve.cli import main
from serve.overlap import OverlapCounter, OverlapInputError, exact_check, hash_ids, sketch_jaccard
from serve.overlap_lsh import (
    EMPTY,
    band_params,
    bin_minima,
    candidate_pairs,
    candidate_pairs_datasketch,
    candidate_probability,
    densify,
)


def _write(path: Path, ids: list[str], header: bool = False) -> Path:
    path.write_text(("follower_id\n" if header else "") + "\n".join(ids) + "\n", encoding="utf-8")
    return path


def test_exact_overlap_and_shares(tmp_path: Path) -> None:
    a = _write(tmp_path / "甲.txt", ["u1", "u2", "u3", "u4"], header=True)
    b = _write(tmp_path / "b.txt", ["u3", "u4", "u5"])
    c = _write(tmp_path / "c.txt", ["x9"])
    counter = OverlapCounter()
    for p in (a, b, c):
        counter.add_file(p)
    rows = {(r["creator_a"], r["creator_b"]): r for r in counter.pairs()}
    r = rows[("b", "甲")]
    assert r["jaccard"] == pytest.approx(2 / 5)
    assert r["share_a_in_b"] == pytest.approx(2 / 3)  # b's followers who also follow 甲
    assert r["share_b_in_a"] == pytest.approx(2 / 4)
    assert rows[("b", "c")]["jaccard"] == 0.0
    assert counter.exact


def test_numeric_and_text_ids_hash_alike_in_any_file() -> None:
    assert hash_ids([b"123", b"456"]).tolist() == [hash_ids([b"123", b"abc"])[0], hash_ids([b"456"])[0]]
    assert hash_ids([b"007"])[0] != hash_ids([b"7"])[0]  # leading zeros make another id


def test_minhash_within_0_02_of_exact(tmp_path: Path) -> None:
    rng = random.Random(0)
    universe = list(range(10**6, 10**6 + 200_000))
    paths = []
    for i in range(6):
        # overlaps from ~0 to ~0.5: each creator draws from a window of the universe shifted by i
        ids = rng.sample(universe[i * 12_000 : i * 12_000 + 60_000], 20_000 + 4_000 * i)
        paths.append(_write(tmp_path / f"c{i}.txt", [str(x) for x in ids]))
    paths.append(
        _write(tmp_path / "words.txt", [f"user_{x}" for x in universe[:30_000]] + [str(x) for x in universe[:5000]])
    )
    sketched = OverlapCounter(exact_limit=1000, k=4096)
    exact = OverlapCounter()
    for p in paths:
        sketched.add_file(p)
        exact.add_file(p)
    assert not sketched.exact and exact.exact
    truth = {(r["creator_a"], r["creator_b"]): r for r in exact.pairs()}
    est = sketched.pairs()
    assert len(est) == len(truth) == 21
    errors = [abs(r["jaccard"] - truth[(r["creator_a"], r["creator_b"])]["jaccard"]) for r in est]
    assert max(errors) <= 0.02, errors
    assert max(truth.values(), key=lambda r: r["jaccard"])["jaccard"] > 0.3  # the sample has real overlaps
    for r in est:  # the distinct counts are exact even when the overlap is estimated
        assert r["followers_a"] == truth[(r["creator_a"], r["creator_b"])]["followers_a"]
    check = exact_check(sketched, est, sample=5)
    assert len(check) == 5 and all(c["error"] <= 0.02 for c in check)


def test_sketch_jaccard_of_identical_and_disjoint_sets() -> None:
    a = np.sort(hash_ids([str(i).encode() for i in range(10_000)]))[:512]
    b = np.sort(hash_ids([str(i).encode() for i in range(20_000, 30_000)]))[:512]
    assert sketch_jaccard(a, a, 512) == 1.0
    assert sketch_jaccard(a, b, 512) == 0.0


def test_creator_follower_csv(tmp_path: Path) -> None:
    p = tmp_path / "all.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["creator", "follower_id"])
        w.writerows([["小红", "1"], ["小红", "2"], ["B", "2"], ["B", "3"], ["小红", "2"]])
    counter = OverlapCounter()
    counter.add_file(p)
    assert sorted(counter.creators) == ["B", "小红"]
    assert counter.creators["小红"].followers == 2
    assert counter.notes.duplicate_count == {str(p): 1}
    assert counter.notes.duplicates[str(p)] == [(6, "小红,2")]
    [row] = counter.pairs()
    assert row["jaccard"] == pytest.approx(1 / 3)


def test_blank_lines_and_repeated_ids_are_reported_with_their_lines(tmp_path: Path, capsys) -> None:
    a = tmp_path / "a.txt"
    a.write_text("1\n2\n\n3\n2\n  \n", encoding="utf-8")
    b = _write(tmp_path / "b.txt", ["3", "4"])
    out = tmp_path / "out"
    assert main(["overlap", str(a), str(b), "-o", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"{a}: 2 blank line(s) skipped (line 3, 6)" in err
    assert f"{a}: 1 repeated follower id(s) counted once: line 5 ('2')" in err
    rows = list(csv.DictReader(open(out / "overlap.csv", encoding="utf-8")))
    assert list(rows[0])[:5] == ["creator_a", "creator_b", "jaccard", "share_a_in_b", "share_b_in_a"]
    assert rows[0]["jaccard"] == "0.25" and rows[0]["share_a_in_b"] == str(round(1 / 3, 6))
    assert (out / "overlap.png").stat().st_size > 1000
    assert "| a | b |" in (out / "overlap.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"1\n2\n\xff\xfe3\n", r"bad\.txt, line 3: field 'follower_id' is not UTF-8"),
        (b"creator,name\nA,1\n", r"bad\.txt, line 1: the header has no 'follower_id' column"),
        # a first line of several fields is a header: read as ids, it and every "u1,A" were counted as followers
        (b"user_id,nickname\nu1,A\n", r"bad\.txt, line 1: the header has no 'follower_id' column"),
        (b"creator,follower_id\nA,1\nB\n", r"bad\.txt, line 3: field 'follower_id' is missing"),
        (b"creator,follower_id\nA,1\n,2\n", r"bad\.txt, line 3: field 'creator' is missing"),
        # which of the two is the creator is not for notecheck to guess (the note readers refuse such a header too)
        (b"creator,follower_id,creator\nA,1,B\n", r"bad\.txt, line 1: the header names column 'creator' twice"),
    ],
)
def test_bad_follower_files_name_file_line_and_field(tmp_path: Path, content: bytes, message: str, capsys) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(OverlapInputError, match=message):
        OverlapCounter().add_file(bad)
    good = _write(tmp_path / "good.txt", ["1"])
    assert main(["overlap", str(good), str(bad), "-o", str(tmp_path / "o"), "--quiet"]) != 0
    assert "error:" in capsys.readouterr().err


def test_chart_names_fall_back_to_ids_with_a_legend() -> None:
    names = chart_names(["小红", "bob", "小蓝"], font=None)
    assert names.labels == ["C1", "bob", "C2"]
    assert names.legend == [("C1", "小红"), ("C2", "小蓝")]
    assert names.note == NO_CJK_FONT and "fonts-noto-cjk" in names.note
    with_font = chart_names(["小红"], font="Noto Sans CJK SC")
    assert with_font.labels == ["小红"] and with_font.legend == [] and with_font.note is None


def _communities(tmp_path: Path) -> list[Path]:
    """12 creators in 3 communities: within one the Jaccard is ~0.2-0.6, across them ~0."""
    rng = random.Random(1)
    paths = []
    for i in range(12):
        base = 10**6 + (i % 3) * 10**6
        ids = rng.sample(range(base, base + 30_000), 8_000 + 1_000 * i)
        paths.append(_write(tmp_path / f"k{i:02d}.txt", [str(x) for x in ids]))
    return paths


def test_lsh_candidates_keep_every_pair_above_the_threshold(tmp_path: Path) -> None:
    paths = _communities(tmp_path)
    sketched = OverlapCounter(exact_limit=1000, k=2048)
    exact = OverlapCounter()
    for p in paths:
        sketched.add_file(p)
        exact.add_file(p)
    truth = {(r["creator_a"], r["creator_b"]): r["jaccard"] for r in exact.pairs()}
    among, (bands, rows) = sketched.candidates(0.15)
    assert bands * rows <= sketched.bins
    assert {p for p, j in truth.items() if j >= 0.15} <= set(among)
    assert len(among) < len(truth) / 2  # the pairs across communities (Jaccard ~0) are not proposed
    # the candidates are estimated exactly as all pairs are: the listed rows are the same
    filtered = sketched.pairs(min_jaccard=0.15)
    assert sketched.pairs(min_jaccard=0.15, among=among) == filtered
    assert all(r["jaccard"] >= 0.15 for r in filtered) and len(filtered) >= 10


def test_bin_minima_and_densified_signatures_agree_about_jaccard() -> None:
    rng = np.random.default_rng(0)
    values = np.unique(rng.integers(0, 2**63, size=5000, dtype=np.int64).astype(np.uint64) * np.uint64(2))
    minima = bin_minima(values, 64)
    for b in (0, 17, 63):
        in_bin = values[(values >> np.uint64(58)) == b]
        assert minima[b] == (in_bin.min() if len(in_bin) else EMPTY)
    shared = hash_ids([str(i).encode() for i in range(3000)])
    a = np.unique(np.r_[shared, hash_ids([f"a{i}".encode() for i in range(1500)])])
    b = np.unique(np.r_[shared, hash_ids([f"b{i}".encode() for i in range(1500)])])  # Jaccard 0.5
    agree = (densify(bin_minima(a, 1024)) == densify(bin_minima(b, 1024))).mean()
    assert abs(agree - 0.5) < 0.05
    few = np.unique(hash_ids([b"1", b"2", b"3"]))  # mostly empty bins: filled, all different from each other
    filled = densify(bin_minima(few, 1024))
    assert (filled != EMPTY).all() and len(np.unique(filled)) > 1000


@pytest.mark.parametrize("threshold", [0.1, 0.2, 0.5, 0.8])
def test_band_params_find_a_pair_at_the_threshold(threshold: float) -> None:
    bands, rows = band_params(threshold, 1024)
    assert bands * rows <= 1024
    assert candidate_probability(threshold, bands, rows) >= 0.99
    assert candidate_probability(threshold, 1024 // (rows + 1), rows + 1) < 0.99  # the sharpest that does
    assert candidate_probability(0.02, bands, rows) < 0.2  # unrelated creators are rarely proposed


def test_hand_written_banding_matches_datasketch() -> None:
    rng = np.random.default_rng(3)
    sig = rng.integers(0, 4, size=(40, 64), dtype=np.int64).astype(np.uint64)
    sig[5] = EMPTY  # a creator without followers
    for bands, rows in [(32, 2), (16, 4), (8, 3)]:
        ours = candidate_pairs(sig, bands, rows)
        assert ours == candidate_pairs_datasketch(sig, bands, rows)
        assert ours and not any(5 in p for p in ours)


def test_min_jaccard_lists_only_pairs_above_it(tmp_path: Path) -> None:
    paths = _communities(tmp_path)
    for extra in ([], ["--exact-limit", "1000"]):
        out = tmp_path / f"out{len(extra)}"
        assert main(["overlap", *map(str, paths), "-o", str(out), "--quiet", "--min-jaccard", "0.15", *extra]) == 0
        rows = list(csv.DictReader(open(out / "overlap.csv", encoding="utf-8")))
        assert rows and all(float(r["jaccard"]) >= 0.15 for r in rows)
        md = (out / "overlap.md").read_text(encoding="utf-8")
        assert f"{len(rows)} of 66 pairs have Jaccard >= 0.15 and are listed" in md
        assert ("LSH (" in md) == bool(extra)
        # exact sets measured every pair: the others are below it exactly, nothing was estimated
        assert ("the other pairs are below it (exactly)" in md) == (not extra)
        assert ("estimated" in md) == bool(extra)


@pytest.mark.parametrize("extra", [[], ["--exact-limit", "1"]], ids=["exact", "minhash"])
def test_counts_are_integers_one_pair_is_singular_and_no_bars_off_a_tty(tmp_path: Path, capsys, extra) -> None:
    """Under pytest stderr is not a TTY: without --quiet there is still no progress bar (no carriage returns)."""
    a = _write(tmp_path / "a.txt", [str(i) for i in range(300)])
    b = _write(tmp_path / "b.txt", [str(i) for i in range(100, 400)])
    out = tmp_path / "out"
    assert main(["overlap", str(a), str(b), "-o", str(out), *extra]) == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.err and "pairs" not in captured.err
    assert "2 creators, 1 pair listed" in captured.out
    [row] = list(csv.DictReader(open(out / "overlap.csv", encoding="utf-8")))
    assert row["common"].isdigit() and row["followers_a"] == "300"
    assert abs(int(row["common"]) - 200) <= (0 if not extra else 60)


def test_a_directory_input_is_named_as_one_not_as_missing(tmp_path, capsys):
    folder = tmp_path / "followers"
    folder.mkdir()
    (folder / "a.txt").write_text("u1\nu2\n", encoding="utf-8")
    (folder / "b.txt").write_text("u2\nu3\n", encoding="utf-8")
    assert main(["overlap", str(folder), "-o", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (
        f"{folder}: a directory; name the follower files in it, e.g. {folder}/*.txt" in err and "not found" not in err
    )


@pytest.mark.filterwarnings("error")
def test_a_run_listing_no_pair_still_draws_its_creators(tmp_path, monkeypatch, capsys):
    """With --min-jaccard above every pair, the heatmap had no creator at all (an empty image, and matplotlib's
    "identical low and high xlims" warnings on stderr); the README says the unlisted pairs are 0 in it."""
    import serve.cmd_overlap

    drawn = []
    matrix = serve.cmd_overlap.overlap_matrix
    monkeypatch.setattr(
        serve.cmd_overlap, "overlap_matrix", lambda names, rows: drawn.append(names) or matrix(names, rows)
    )
    (tmp_path / "A.txt").write_text("1\n2\n3\n", encoding="utf-8")
    (tmp_path / "B.txt").write_text("4\n5\n6\n", encoding="utf-8")
    args = [str(tmp_path / "A.txt"), str(tmp_path / "B.txt"), "-o", str(tmp_path / "out")]
    assert main(["overlap", *args, "--min-jaccard", "0.5"]) == 0
    assert drawn == [["A", "B"]]
    assert capsys.readouterr().err == ""


def test_a_file_named_twice_is_read_once(tmp_path, capsys):
    """`overlap followers/*.txt followers/a.txt` read a.txt twice: every id of it was reported as a repeated
    follower id, and a's figures only held because the repeats were counted once."""
    a = _write(tmp_path / "a.txt", ["1", "2", "3"])
    b = _write(tmp_path / "b.txt", ["2", "3", "4"])
    again = f"{tmp_path}/../{tmp_path.name}/a.txt"  # the same file by another path
    assert main(["overlap", str(a), str(b), str(a), again, "-o", str(tmp_path / "o"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err == f"note: 2 follower files are named more than once ({a}, {again}); each is read once\n"
    [row] = csv.DictReader(open(tmp_path / "o" / "overlap.csv", encoding="utf-8"))
    assert (row["followers_a"], row["followers_b"], row["common"]) == ("3", "3", "2")


def test_a_creator_in_several_files_is_named(tmp_path, capsys):
    """Two exports with one stem in different folders were silently one creator."""
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    one, two = _write(tmp_path / "x" / "bob.txt", ["1", "2"]), _write(tmp_path / "y" / "bob.txt", ["3"])
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("creator,follower_id\namy,1\namy,5\n", encoding="utf-8")
    assert main(["overlap", str(one), str(two), str(pairs), "-o", str(tmp_path / "o"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err == (
        f"note: 1 creator(s) have followers in more than one file, counted together as one creator: bob ({one}, {two})\n"
    )
    [row] = csv.DictReader(open(tmp_path / "o" / "overlap.csv", encoding="utf-8"))
    assert (row["creator_a"], row["creator_b"], row["followers_b"], row["common"]) == ("amy", "bob", "3", "1")


def test_a_csv_without_a_creator_column_is_the_file_stems(tmp_path: Path) -> None:
    """A one-creator export with other columns (follower_id,nickname): its creator is the file's stem, as for a file
    of ids, and only the follower_id field is an id."""
    (tmp_path / "小绿.csv").write_text("follower_id,nickname\nu1,A\nu2,B\n", encoding="utf-8")
    one = _write(tmp_path / "one.txt", ["u1"])
    counter = OverlapCounter()
    counter.add_file(tmp_path / "小绿.csv")
    counter.add_file(one)
    assert {c.name: c.followers for c in counter.creators.values()} == {"小绿": 2, "one": 1}


def test_a_creator_without_followers_is_named(tmp_path, capsys):
    """An empty follower file was a creator of 0 followers whose shares printed 0.0, with no word of why."""
    (tmp_path / "bob.txt").write_text("1\n2\n3\n", encoding="utf-8")
    (tmp_path / "emptyf.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["overlap", str(tmp_path / "bob.txt"), str(tmp_path / "emptyf.txt"), "-o", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"note: {tmp_path / 'emptyf.txt'}: creator 'emptyf' has no followers" in err and "'bob'" not in err
