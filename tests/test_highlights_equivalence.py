"""The faster highlight steps give exactly what the plain algorithms give: per-character weights equal to placing
each feature on its own (the same sums in the same order), and word-snapped phrases equal to snapping with array
searches. The references below are the algorithms as first written, kept here only to pin the results."""

import json
import random
import sys

import numpy as np
import pytest
from conftest import SAMPLES

from model import load_model
from model.highlights import attribute, note_fields, strongest
from model.highlights.attribution import _DOCUMENT_CUES
from model.notes import parse_note
from model.text import PLACEHOLDER_RE

ODD = [
    "ＶＸ：ＡＢＣ１２３４５ 全角的联系方式，原价１９９",
    "ﬁne ligature ㎡ ① ② ③ and ½ price 加vx abc12345",
    "电话❶❸❽-❻❼❷❶-⓿❹❺❾ 或 ⑴⑶⑻⑹⑺⑵⑴0⑷⑸⑼ 🄋➀ ❿⓫ 加vx abc12345 @_@ @. @小明",
    "ＶＸ：ＡＢＣ １２３有事找我 微信：abc123、lanruo或def_45 @_@小明 私 信 我领取 加 微/信 吧 预 约 电话",
    "zero\u200bwidth\u200d joiner\ufeff 链接在主页 \x07 control",
    "⟦cue:wechat⟧ forged placeholder 加vx abc12345 ⟦has:title⟧",
    "ΣΑΣ CASE Ὀδυσσεύς 原价199 #兰若面霜[话题]# @兰若官方旗舰店 [笑哭R]",
    "𝙖𝙗𝙘 math letters 🉑 😀😀 emoji 领券 包邮 ¥ 99 " * 3,
    "加微信加微信加微信 V信 V信 #兰蔻小黑瓶[话题]# #兰蔻[话题]# #兰蔻新品[话题]# 兰蔻 lancome lancome",
]


# -- the references ------------------------------------------------------------------------------------------
def _reference_attribute(fields, doc, names, contributions):
    """Each feature placed on its own: occurrences by ``str.find``, spans summed with ``np.add.at``."""

    def occurrences(gram):
        out = []
        for f in fields:
            at = f.search.find(gram)
            while at >= 0:
                out.append((f, f.search_starts[at], f.search_ends[at + len(gram) - 1]))
                at = f.search.find(gram, at + 1)
        return out

    def marker_spans(marker):
        shown_by = _DOCUMENT_CUES.get(marker, (marker,))
        return [(f, a, b) for f in fields for m in shown_by for a, b in f.markers.get(m, ())]

    def spread(where, value):
        if where:
            share = value / len(where)
            for f, a, b in where:
                if b > a:
                    inside = [(g, h) for g, h in f.gaps if a <= g and h <= b]  # deleted claims: no weight
                    covered = (b - a) - sum(h - g for g, h in inside)
                    if covered > 0:
                        spans[f.name].append((a, b, share / covered))
                        spans[f.name] += [(g, h, -share / covered) for g, h in inside]

    def holding(gram):
        found = list(dict.fromkeys(m.group() for m in PLACEHOLDER_RE.finditer(doc)))
        outside = PLACEHOLDER_RE.sub(lambda m: "\x00" * len(m.group()), doc)
        return [] if not found or gram in outside else [m for m in found if gram in m]

    spans = {f.name: [] for f in fields}
    for name, value in zip(names, contributions, strict=True):
        part, _, term = name.partition("__")
        if part == "char":
            where = occurrences(term) if "⟦" not in term and "⟧" not in term else []
            if not where:
                where = [span for m in holding(term) for span in marker_spans(m)]
            spread(where, value)
            continue
        tokens = term.split(" ")
        for token in tokens:
            if token.startswith("⟦"):
                where = marker_spans(token)
            elif token.startswith("c:"):
                where = []
            else:
                where = occurrences(token)
            spread(where, value / len(tokens))
    weights = {}
    for f in fields:
        diff = np.zeros(len(f.raw) + 1)
        if spans[f.name]:
            a, b, x = (np.array(v) for v in zip(*spans[f.name], strict=True))
            np.add.at(diff, a.astype(np.int64), x)
            np.add.at(diff, b.astype(np.int64), -x)
        weights[f.name] = np.cumsum(diff[:-1])
    return weights


def _reference_snap(runs, bounds, ok):
    bounds = np.asarray(bounds)
    out = []
    for a, b in runs:
        a2 = int(bounds[np.searchsorted(bounds, a, side="right") - 1])
        b2 = int(bounds[np.searchsorted(bounds, b, side="left")])
        a2 = a2 if ok[a2:a].all() else a
        b2 = b2 if ok[b:b2].all() else b
        if out and a2 < out[-1][1]:
            out[-1] = (out[-1][0], max(b2, out[-1][1]))
        else:
            out.append((a2, b2))
    return out


# -- the comparisons -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped():
    return load_model()


def _notes():
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    notes = [{"title": r.get("title"), "text": r.get("text") or ""} for r in rows]
    notes += [{"title": t[:12], "text": t} for t in ODD]
    notes.append({"title": "", "text": "只有正文 0 0 0 123 456"})
    return notes


def _cases(model, note):
    """(fields, document, names, contributions) of a note: its strongest features, and all of them."""
    parsed = parse_note(note)
    prepared = {}
    doc = model._documents.document(parsed, [], prepared)
    idx, data = model._engine.transform([doc]).row(0)
    contrib = data * model._coef[idx]
    for pick in (strongest(contrib), np.arange(len(contrib))):
        fields = note_fields(parsed.title, parsed.text, prepared)
        yield fields, doc, model._engine.feature_names_at(idx[pick]), contrib[pick].tolist()


def test_attribution_equals_placing_each_feature_on_its_own(shipped):
    compared = 0
    for note in _notes():
        for fields, doc, names, values in _cases(shipped, note):
            got, want = attribute(fields, doc, names, values), _reference_attribute(fields, doc, names, values)
            assert got.keys() == want.keys()
            for name in want:
                assert got[name].dtype == want[name].dtype
                assert np.array_equal(got[name], want[name]), (note, name)  # bit for bit, same machine
            compared += 1
    assert compared == 2 * len(_notes())


def test_attribution_of_word_features_made_up_for_the_test(shipped):
    """Names the shipped model may lack: long tokens, comment tokens, repeated tokens, document-level cues."""
    note = {
        "title": "兰蔻小黑瓶",
        "text": "兰蔻小黑瓶真的好用 #兰蔻[话题]# #兰蔻新品[话题]# #兰蔻小黑瓶[话题]# 加vx abc12345",
    }
    fields, doc, _, _ = next(_cases(shipped, note))
    names = ["word__兰蔻小黑瓶", "word__兰蔻 兰蔻", "word__c:好用", "word__⟦cue:brand_repeated⟧",
             "word__⟦cue:repeated_brand_tag⟧ 兰蔻", "char__兰蔻小黑", "char__⟦cue", "char__e:w", "word__⟦cue:wechat⟧",
             "word__不在文中的词", "char__瓶"]  # fmt: skip
    values = [0.5, -0.25, 0.125, 1.0, 0.75, 0.3, 0.2, -0.1, 2.0, 0.9, 0.05]
    got, want = attribute(fields, doc, names, values), _reference_attribute(fields, doc, names, values)
    assert all(np.array_equal(got[k], want[k]) for k in want)
    assert got["title"].any() and got["text"].any()


def test_snapping_to_words_equals_the_array_searches():
    from model.highlights.word_bounds import snap

    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(1, 60)
        bounds = sorted([0, n, *(rng.randint(0, n) for _ in range(rng.randint(0, n)))])  # repeats: empty pieces
        ok = np.array([rng.random() < 0.8 for _ in range(n)], dtype=bool)
        cuts = sorted(rng.sample(range(n + 1), min(n + 1, 2 * rng.randint(0, 6)) // 2 * 2))
        runs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=True) if b > a]
        assert snap(runs, bounds, ok) == _reference_snap(runs, bounds, ok)


def test_phrase_totals_equal_numpys_sums_bit_for_bit():
    total = sys.modules["model.highlights.phrases"]._total
    rng = np.random.default_rng(3)
    for trial in range(20_000):
        w = rng.standard_normal(int(rng.integers(0, 40))) * 10.0 ** rng.integers(-8, 2)
        if trial % 5 == 0 and len(w):
            w[rng.integers(0, len(w), 3)] = rng.choice([0.0, -0.0, 1e-300, -1e-300])
        values = w.tolist()
        a = int(rng.integers(0, len(w) + 1))
        b = int(rng.integers(a, len(w) + 1))
        got, want = total(w, values, a, b), float(w[a:b].sum())
        assert got == want and np.signbit(got) == np.signbit(want), (w[a:b], got, want)


def test_content_mask_equals_the_regex_on_every_code_point():
    from model.highlights.fields import _NOT_CONTENT_RE, _content_mask

    def by_regex(raw):
        content = np.ones(len(raw), dtype=bool)
        for m in _NOT_CONTENT_RE.finditer(raw):
            content[m.start() : m.end()] = False
        return content

    everything = "".join(map(chr, range(0x110000)))  # lone surrogates included
    assert np.array_equal(_content_mask(everything), by_regex(everything))
    for note in _notes():
        for value in note.values():
            assert np.array_equal(_content_mask(value or ""), by_regex(value or ""))


def test_offset_maps_of_texts_that_keep_their_length_equal_the_run_by_run_map():
    import re

    from model.highlights.fields import normalize_aligned

    def run_by_run(text):
        starts, prev_end = [], -1
        for m in re.finditer(r"\S+", text.lower()):
            if prev_end >= 0:
                starts.append(prev_end)
            starts.extend(range(*m.span()))
            prev_end = m.end()
        return starts, [i + 1 for i in starts]

    texts = ["abc def", "中文，标点！还有 English 和 123", "one\ntwo\tthree", "x", "ΣΑΣ CASE"]
    texts += [v for note in _notes() for v in note.values() if v]
    kept = 0
    for text in texts:
        norm, starts, ends = normalize_aligned(text)
        if len(norm) == len(text) and (starts, ends) == run_by_run(text):
            kept += 1
        elif len(norm) == len(text):
            raise AssertionError(text)
    assert kept >= 5


def _reference_aligned_slow(raw, norm):
    """The offset map built one original character at a time (the previous algorithm of ``_aligned_slow``)."""
    from model.highlights.fields import _char_out
    from model.spaced import despace_kept

    chars, starts, ends = [], [], []
    pending_space = -1
    for i, ch in enumerate(raw):
        out = _char_out(ch)  # the character normalised alone, as test_each_character_normalises_as_in_the_text checks
        for c in out:
            if c.isspace():
                if pending_space < 0:
                    pending_space = i
                continue
            if pending_space >= 0:
                if chars:
                    chars.append(" ")
                    starts.append(pending_space)
                    ends.append(pending_space + 1)
                pending_space = -1
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
    kept = despace_kept("".join(chars))  # then spaced-out text joined (model.spaced)
    if kept is not None:
        chars, starts, ends = [chars[k] for k in kept], [starts[k] for k in kept], [ends[k] for k in kept]
    from model.highlights.fields import same_normalisation  # "σ" alone is "ς" ending a word: the same map

    if not same_normalisation("".join(chars), norm):
        from model.highlights.fields import _aligned_clusters  # the same fallback for both

        return _aligned_clusters(raw, norm)
    return starts, ends


def test_each_character_normalises_as_in_the_text():
    # The offset map deletes what the normalisation deletes, character by character, for every code point (between
    # spaces, which compose with nothing); else the map no longer matches and spans are placed proportionally.
    # Between words of two letters: "x v x" is three characters spaced out that spell a cue word (vx, model.spaced).
    from model.highlights.fields import _char_out
    from model.text import normalize_text

    for cp in range(0x110000):
        ch = chr(cp)
        assert " ".join(("xy " + _char_out(ch) + " xy").split()) == normalize_text("xy " + ch + " xy"), hex(cp)


def test_plain_characters_normalise_to_their_lower_case():
    """The plain characters (printable ASCII and CJK unified ideographs) normalise one for one: lower case, and a
    traditional ideograph its simplified form (model.simplified)."""
    from model.highlights.fields import _OTHER_CHAR_RE, _char_out
    from model.simplified import to_simplified

    plain = [chr(c) for c in range(0x110000) if not _OTHER_CHAR_RE.fullmatch(chr(c))]
    assert len(plain) == 95 + 0x9FFF - 0x4E00 + 1
    assert all(_char_out(ch) == to_simplified(ch.lower()) and len(_char_out(ch)) == 1 for ch in plain)


def test_offset_maps_built_by_runs_equal_the_character_by_character_map():
    from model.highlights.fields import _aligned_slow
    from model.text import normalize_text

    rng = random.Random(11)
    texts = ["".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(0, 40))) for _ in range(3000)]
    alphabet = "aZ Σ\tİ…‼\u200d\u200b\r\n ﬁ中文①e\u0301㎡\x00⟦⟧℃，！ \u3000😀\ufe0f"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30))) for _ in range(3000)]
    # spaced-out text (model.spaced) among the same characters: a character, then a separator, and so on
    texts += [
        "".join(rng.choice(alphabet) + rng.choice(" /~\n\u3000") for _ in range(rng.randrange(0, 15)))
        for _ in range(3000)
    ]
    texts += [v for note in _notes() for v in note.values() if v]
    for text in texts:
        norm = normalize_text(text)
        assert _aligned_slow(text, norm) == _reference_aligned_slow(text, norm), text


def test_records_built_in_one_assignment_equal_the_dataclass_ones():
    import dataclasses
    import inspect
    import pickle

    from model.highlights import Highlight, ReadableReason, Span

    for cls in (Span, Highlight, ReadableReason):
        names = [f.name for f in dataclasses.fields(cls)]
        assert list(inspect.signature(cls.__init__).parameters)[1:] == names
        values = [f"v{i}" for i in range(len(names))]
        # what the generated __init__ gives: the same fields, by position or by name
        reference = dataclasses.make_dataclass("Reference", names, frozen=True)(*values)
        for made in (cls(*values), cls(**dict(zip(names, values, strict=True)))):
            assert vars(made) == vars(reference) and dataclasses.asdict(made) == dataclasses.asdict(reference)
            assert made == cls(*values) and hash(made) == hash(cls(*values))
            assert pickle.loads(pickle.dumps(made)) == made and dataclasses.replace(made) == made
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(made, names[0], "changed")


def test_kept_feature_names_equal_the_engines(shipped):
    rng = np.random.default_rng(0)
    for _ in range(40):
        cols = rng.choice(shipped._engine.n_features, size=int(rng.integers(1, 64)), replace=False)
        assert shipped.feature_names()[cols].tolist() == shipped._engine.feature_names_at(cols)


def test_the_ascii_form_search_finds_every_character_the_segmenter_is_given_translated():
    from model.highlights import word_bounds as forms_module

    everything = "".join(map(chr, range(0x110000)))
    found = {m.group() for m in forms_module._ASCII_FORMS_RE.finditer(everything)}
    assert set(map(chr, forms_module._ASCII_FORMS)) <= found
    assert len(found) < 2000  # a few blocks, not every character


def test_every_enclosed_digit_the_model_reads_as_a_digit_is_an_ascii_form_of_it():
    # word_bounds searches for the enclosed digits of model.text.DIGIT_FORMS with ranges taken from that table, so the
    # segmenter reads "❶❸❽" as the digits the model reads, not as three symbols
    from model.highlights import word_bounds as forms_module
    from model.text import DIGIT_FORMS

    forms = {chr(cp): form for cp, form in forms_module._ASCII_FORMS.items()}
    assert {ch: forms.get(ch) for ch in DIGIT_FORMS} == DIGIT_FORMS
    assert all(forms_module._ASCII_FORMS_RE.fullmatch(ch) for ch in DIGIT_FORMS)


def test_a_form_added_to_the_digit_table_is_searched_for(monkeypatch):
    from model.highlights import word_bounds as forms_module
    from model.text import DIGIT_FORMS

    added = "\U0001f100"  # 🄀 (digit zero full stop): in none of the NFKC blocks
    assert not any(lo <= ord(added) <= hi for lo, hi in forms_module._form_blocks())
    monkeypatch.setattr(forms_module, "DIGIT_FORMS", {**DIGIT_FORMS, added: "0"})
    assert any(lo <= ord(added) <= hi for lo, hi in forms_module._form_blocks())


def _reference_only_function_words(word):
    """Function words alone, read by the search for a reading only (no check of the characters first)."""
    from model.highlights.categories import _LONGEST_CJK_FUNCTION, FUNCTION_WORDS, is_function_word

    if is_function_word(word):
        return True
    if any(c.isascii() for c in word):
        return False
    ok = [True] + [False] * len(word)
    for i in range(1, len(word) + 1):
        ok[i] = any(ok[j] and word[j:i] in FUNCTION_WORDS for j in range(max(0, i - _LONGEST_CJK_FUNCTION), i))
    return ok[-1]


def test_function_words_alone_equal_the_search_for_a_reading():
    """Words of function words written together, with other characters among them or not, in every order."""
    from model.highlights.categories import FUNCTION_WORDS, only_function_words

    cjk = sorted(w for w in FUNCTION_WORDS if not w.isascii())
    rng = random.Random(0)
    words = ["".join(rng.choice(cjk) for _ in range(rng.randint(1, 4))) for _ in range(3000)]
    words += [w[: rng.randint(0, len(w))] + rng.choice("干货好用面霜最近ＭＹ") + w for w in words[:1500]]
    assert sum(map(only_function_words, words)) > 1000  # both kinds are asked about
    assert [only_function_words(w) for w in words] == [_reference_only_function_words(w) for w in words]
