"""Text spaced out character by character is read as the words it spells (model.spaced), in the model's text and
in the offset map that places highlights in the text as sent."""

from __future__ import annotations

import random

import pytest

from model.highlights.fields import normalize_aligned
from model.spaced import despace, despace_kept
from model.text import normalize_text, prepare_document

#: (as written, as read): every separator the module names, Latin and digits inside a run, a run inside a text.
JOINED = [
    ("加 微 信 领 券", "加微信领券"),
    ("加/v/x/领/券", "加vx领券"),
    ("原|价|1|9|9", "原价199"),
    ("好~好~吃~哦", "好好吃哦"),
    ("私-信-下-单", "私信下单"),
    ("加*微*信*号", "加微信号"),
    ("淘_宝_搜_索", "淘宝搜索"),
    ("链·接·在·主·页", "链接在主页"),
    ("扫+码+领+券", "扫码领券"),
    ("加.微.信.号", "加微信号"),
    ("私🌟信🌟下🌟单", "私信下单"),
    ("加❤️微❤️信❤️领❤️券", "加微信领券"),  # ❤ with its emoji presentation selector
    ("关☆注☆主☆页☆哦", "关注主页哦"),
    ("今天 加 微 信 号 abc123 领券", "今天 加微信号 abc123 领券"),
    ("周末 爬 山 了 吗", "周末 爬山了吗"),
    # The last character glued to more (a particle): the run stops after it, the particle stays behind it.
    ("加 微 信 领 券哦", "加微信领券哦"),
    ("私 信 下 单啦", "私信下单啦"),
    ("今天 加 微 信 领 券哦~", "今天 加微信领券哦~"),
    # ... not a Latin letter or digit glued to more: that starts a word or number of its own.
    ("双 重 福 利 double", "双重福利 double"),
    ("领 券 下 单 2024年", "领券下单 2024年"),
    # Three characters spelling a cue word (a contact, a call to action, a shop), the third glued to nothing.
    ("加 微 信 :abc123", "加微信 :abc123"),
    ("私 信 我", "私信我"),
    ("有需要 私 信 我。", "有需要 私信我。"),
    ("私 信 我 ok", "私信我 ok"),  # four, the last a Latin letter glued to more: three, which spell 私信
    ("去 淘 宝 搜", "去淘宝搜"),
    ("加/微/信", "加微信"),
    # A symbol separator with a space on each side.
    ("加 ❤️ 微 ❤️ 信 ❤️ 号", "加微信号"),
    ("加 ❤ 微 ❤ 信", "加微信"),
    ("加 / 微 / 信", "加微信"),
    ("加 · 微 · 信", "加微信"),
    ("私 🌟 信 🌟 下 🌟 单啦", "私信下单啦"),
    ("链 | 接 | 在 | 主 | 页", "链接在主页"),
    # Four single letters: spelled out ("v x", "q q") more often than listed, and a list of four letters reads the
    # same joined; NORMALIZATION_VERSION 18 joined them already.
    ("a b c d", "abcd"),
]

#: A symbol separator with a space on one side only, the same on every gap (NORMALIZATION_VERSION 21).
ONE_SIDED = [
    ("加❤️ 微❤️ 信", "加微信"),
    ("私🌟 信🌟 下🌟 单", "私信下单"),
    ("加 ❤️微 ❤️信", "加微信"),
    ("加 /微 /信 /号", "加微信号"),
    ("链/ 接/ 在/ 主/ 页", "链接在主页"),
    ("今天 加❤️ 微❤️ 信❤️ 领❤️ 券哦", "今天 加微信领券哦"),
]
#: Three characters spelling a cue word, the last with sentence-final particles glued to it (NORMALIZATION_VERSION 21).
THREE_WITH_PARTICLE = [
    ("私 信 我哦", "私信我哦"),
    ("加 微 信吧", "加微信吧"),
    ("有需要 私 信 我呀~", "有需要 私信我呀~"),
    ("私 信 我哈哈", "私信我哈哈"),
    ("加❤️ 微❤️ 信呀", "加微信呀"),
]
#: Three characters that open with a contact or a call to action, the last glued to more than particles, or with
#: two different separators (NORMALIZATION_VERSION 23): spaced out to get past a filter, whatever follows.
THREE_OPENING_A_CUE = [
    ("私 信 我领取", "私信我领取"),
    ("私 信 我的", "私信我的"),
    ("加 微 信哈尔滨", "加微信哈尔滨"),  # a contact however it goes on
    ("光临,预 约 电话", "光临,预约电话"),
    ("加 微/信 吧", "加微信 吧"),
    ("加 微/信 号", "加微信 号"),
    ("加 ❤️微❤️ 信", "加微信"),
    ("加❤️ 微 ❤️信", "加微信"),
    ("加 ❤️ 微 / 信 ❤️ 号", "加微信 ❤️ 号"),
    ("私 信/我哦", "私信我哦"),
    # Three with two separators that open with no cue: passed over by one character, so a run starting inside them
    # is read as before (a review's publication date and ISBN, a phone's batteries and chargers).
    ("2004-6-1 i s b n", "2004-6-1isbn"),
    ("元 /2 电 2 充 /", "元 /2电2充 /"),
]
JOINED += ONE_SIDED + THREE_WITH_PARTICLE + THREE_OPENING_A_CUE

#: Written normally, or spaced in a way this leaves alone (see the module's docstring).
KEPT = [
    "红、黄、蓝、绿",  # a list
    "1,2,3,4",
    "1 3 8 6 7 2 1 0 4 5 9",  # digits only: the contact cues read these with their separators
    "5/5/5/5",
    "1 3 8 1 2 3 4 5 6 7 8 v",  # one letter: "v" starts the next word ("… 8 v:abc")
    "周 末 好",  # three characters that spell no cue word: a writer's pauses as often as not
    "我 想 怒",
    "差 差 差",
    "有 好 吃",
    "周 末 好哦",  # three, the last glued: not joined either
    "a/b/c",
    "s/m/l/xl",  # sizes: three, then a word
    "i am ok",  # English words
    "2024.1.1",  # a date, decimals
    "1.5",
    "3.14 元",
    "2026 年 1 月 24 日",  # the run stops before "24": three, that spell no cue word
    "今天 ❤️ 好开心 ❤️ 出去玩",  # words between emoji
    "我 ❤️ 你",  # two characters
    "今天 天气 真好 去了 公园",  # words of two or more characters
    "加  微  信  号",  # two spaces: not one separator (normalize_text collapses them; despace alone does not)
    "v1.2.3.4",
    "1.2.3.4",  # digits: a version, a date
    "3.5.6.7折",  # "7折" is a word: three before it
    "a.b.c",
    "好❤️好❤吃❤️啊",  # ❤️ and ❤ are not one separator
    "🌟🌟🌟🌟",
    "12:30 到 14:00",
    # Three characters spelling a cue word, the last glued to more than particles or two separators, not opening
    # with a contact or call to action: the start of a word ("比 淘 宝还差" is a review comparing shops).
    "比 淘 宝还差",
    "官 网 可查",
    "比 淘/宝 差",
    "周 末/好",
    # One-sided separators: three characters that spell no cue word, a separator not the same on every gap
    "✅甜 ✅咸 ✅辣",
    "加 v/xyz",  # two separators, the last a Latin letter glued to more: a word of its own
]


@pytest.mark.parametrize(("written", "read"), JOINED)
def test_spaced_out_text_reads_as_the_word_it_spells(written, read):
    assert despace(written) == read
    assert normalize_text(written) == read


@pytest.mark.parametrize(("written", "read"), ONE_SIDED)
def test_a_symbol_separator_with_a_space_on_one_side_reads_as_the_word(written, read):
    assert normalize_text(written) == read


@pytest.mark.parametrize(("written", "read"), THREE_WITH_PARTICLE)
def test_three_characters_spelling_a_cue_word_read_with_a_particle_glued(written, read):
    assert normalize_text(written) == read


@pytest.mark.parametrize("written", KEPT)
def test_text_that_is_not_spaced_out_is_left_as_it_is(written):
    assert despace(written) == written


def test_line_breaks_and_full_width_spaces_separate_like_spaces():
    # normalize_text collapses every whitespace run to one space before runs are joined.
    assert normalize_text("加\n微\n信\n号：abc123") == "加微信号:abc123"
    assert normalize_text("加\u3000微\u3000信\u3000号") == "加微信号"


def _is_separator(ch: str) -> bool:
    cp = ord(ch)
    return ch in " /|-*_~·+.\ufe0f" or 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF or 0x1F300 <= cp <= 0x1FAFF


#: Every kind of separator: plain, a symbol, a symbol with a space on each side or on one, and one that is none (、).
#: (" ❤️" is tried by the pre-check test below.)
SEPARATORS = [" ", "/", "|", "-", "*", "_", "~", "·", "+", "、", ".", "🌟", "❤️", "❤", " ❤️ ", " / ", " · ", "❤️ ", "/ "]


def test_despace_deletes_only_separators_between_characters():
    # despace is the characters despace_kept keeps; what it may drop: separators, each between two letters, digits
    # or ideographs that stay. (tests/test_prep_parity.py compares the whole output with a loop of its own.)
    rng = random.Random(5)
    alphabet = "加微信号ab12 /|-*_~·+、,.中文x🌟❤\ufe0f"
    texts = [w for w, _ in JOINED] + KEPT
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30))) for _ in range(10000)]

    def spaced_run() -> str:  # mostly alternating character and one separator, sometimes broken
        sep = rng.choice(SEPARATORS)
        return sep.join(rng.choice("加微信号私我ab12中文x、 哦吧") for _ in range(rng.randrange(2, 8)))

    texts += ["".join(spaced_run() + rng.choice(alphabet) for _ in range(rng.randrange(1, 4))) for _ in range(10000)]
    joined = 0
    for text in texts:
        kept = despace_kept(text)
        if kept is None:
            continue
        assert kept == sorted(set(kept)) and len(kept) < len(text), text
        dropped = sorted(set(range(len(text))) - set(kept))
        assert all(_is_separator(text[i]) for i in dropped), text
        for i in dropped:  # the nearest kept neighbours of a dropped separator are letters or digits
            before = max(k for k in kept if k < i)
            after = min(k for k in kept if k > i)
            assert text[before].isalnum() and text[after].isalnum(), text
        joined += 1
    assert joined > 100  # the random texts do exercise joining


@pytest.mark.parametrize("written", [w for w, _ in JOINED] + ["加\n微\n信\n号：abc123", "Ａ Ｂ ｃ 加 ① 微\u200b 信 号"])
def test_offset_map_of_joined_text_points_at_each_character_as_sent(written):
    norm, starts, ends = normalize_aligned(written)
    assert norm == normalize_text(written) and len(starts) == len(ends) == len(norm)
    assert starts == sorted(starts)
    for k, c in enumerate(norm):
        if c != " ":
            assert normalize_text(written[starts[k] : ends[k]]) == c, (written, k)


def test_cues_are_read_in_spaced_out_text():
    # The contact and price cues of the note written normally are found in the same note spaced out with slashes.
    plain, spaced = "加vx领券，原价199现价99，链接在主页", "加/v/x/领/券/，/原/价/1/9/9/现/价/9/9/，/链/接/在/主/页"
    found_plain: list[tuple[str, str]] = []
    found_spaced: list[tuple[str, str]] = []
    prepare_document(None, plain, cues=found_plain)
    prepare_document(None, spaced, cues=found_spaced)
    assert found_plain and [name for name, _ in found_spaced] == [name for name, _ in found_plain]


def test_the_pre_check_is_a_necessary_condition():
    # despace skips a text the pre-check does not match; every text holding a run must match it.
    from model.spaced import _MAY_HOLD_RUN_RE, _SPACED_RUN_RE

    rng = random.Random(7)
    texts = [w for w, _ in JOINED] + KEPT
    for _ in range(20000):  # a character and a separator in turn, now and then another character or none
        pieces = [
            rng.choice("加微信私我ab12哦") + rng.choice([" ", "/", "、", ".", "🌟", "❤️", " ❤️ ", " / ", "❤️ ", " 🌟"])
            for _ in range(rng.randrange(1, 10))
        ]
        texts.append("".join(p if rng.random() < 0.9 else rng.choice(["", "加", "、"]) for p in pieces))
    held = [t for t in texts if _SPACED_RUN_RE.search(t)]
    assert len(held) > 100
    assert sum(bool(despace_kept(t)) for t in held) > 100  # runs that are joined, three characters among them
    assert any(" ❤️ " in t and despace_kept(t) for t in held) and any(despace(t).count("私信我") for t in held)
    assert all(_MAY_HOLD_RUN_RE.search(t) for t in held)


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        # the last character glued to a particle: its word ends on it, before the particle
        ("加 微 信 领 券哦，原价199现价99", ["加 微 信", "领 券"]),
        # a separator with a space on each side, the last character glued too
        ("加 ❤️ 微 ❤️ 信 ❤️ 领 ❤️ 券哦，原价199现价99", ["加 ❤️ 微 ❤️ 信", "领 ❤️ 券"]),
        ("今天 加 / 微 / 信 / 领 / 券啦", ["加 / 微 / 信", "领 / 券"]),
        # three characters that spell a cue word
        ("有需要 私 信 我，原价199现价99", ["私 信"]),
        # ... the last glued to a particle; a separator with a space on one side
        ("有需要 私 信 我哦，原价199现价99", ["私 信"]),
        ("加❤️ 微❤️ 信❤️ 领❤️ 券哦，原价199现价99", ["加❤️ 微❤️ 信", "领❤️ 券"]),
        ("今天 加 /微 /信 /领 /券啦", ["加 /微 /信", "领 /券"]),
    ],
)
def test_highlights_quote_a_joined_run_as_sent(sample_model, text, quoted):
    # The model reads the run as words; each highlight quotes the note exactly as sent, separators inside a word
    # included, and neither starts nor ends on a separator.
    note = {"title": "", "text": text}
    result = sample_model.check(note)
    for h in result.highlights:
        assert note[h.field][h.start : h.end] == h.text
        assert not _is_separator(h.text[0]) and not _is_separator(h.text[-1]), h
    for words in quoted:
        assert any(h.text == words and h.start == text.index(words) and h.weight > 0 for h in result.highlights), (
            words,
            result.highlights,
        )
