"""A note that declares itself an advertisement: the writer's own unambiguous label, found in the title or text.

Under Chinese advertising law an ad must be labelled 广告, and a note that says it is one IS one, whatever the
model makes of its wording (the labelled notes carry no such label, so the model learnt little from it). This is
a rule after the probability: :meth:`model.classifier.AdModel.check` decides a declared note ``ad`` and says which
words declared it; the probability stays the model's own. It changes no document, feature or weight.

Only self-declarations count, narrowly:

* a hashtag whose whole name is a label (:data:`DECLARED_TAGS`): ``#广告``, ``#ad``, ``#sponsored``, ``#赞助``,
  ``#品牌合作``, ... in each of the three hashtag forms (``#广告[话题]#``, ``#广告#``, ``#广告`` typed); not a tag
  that merely contains one (``#一赞助力…``, ``#adidas``, ``#无广告纯分享``);
* a bracketed label (``【广告】``, ``[广告]``, ``(广告)``);
* either typed with spaces beside or between the characters of 广告 (``# 广告``, ``#广 告``, ``# 广 告``, ``【广 告】``,
  ``[ 广告 ]``), which no hashtag reads and :mod:`model.spaced` leaves apart (it never joins two characters); not
  the two characters alone (``广 告`` opening a note), as ``广告`` alone is no label either;
* a sentence naming the note as an ad: ``本篇/本文/这篇(笔记)是广告``, ``本文为推广信息``, ``此条为广告合作信息``;
  ``广告合作`` standing as a clause of its own (not a creator's "广告合作请私信" / "广告合作: 邮箱", which offers
  deals); "paid partnership"; "sponsored by" opening a clause or after "this (post|video) is".

Never a denial or a mention: not inside a claim the cue scan deletes (不是广告, 没有任何合作, 无广, 非广告), nor
after a negation or a word that talks about the label rather than applying it (不, 没, 不标, 要标, 讨厌,
not, without, tag, use ...: "讨厌不标 #ad 的博主" is about other writers, and so is a tag used as a noun, "#ad 的博主"),
nor in quotes, nor in a condition or someone else's words (如果这篇是广告, 总有人说我这篇是广告), nor followed
by words about labels (#广告 #ad 这两个标签我从来没用过), nor in a question (its clause ends in ? / 吗 / 嘛 / 么, or
是不是 / 算不算 before it); Cantonese
alike (唔係 #廣告, 冇 #廣告, 係咪 #廣告, #廣告咩), since traditional characters are read as simplified ones. 合作,
试用 and 品牌方 alone never count: they stand in honest notes (26 labelled genuine notes carry one).

Patterns run on :func:`model.text.normalize_text` output (NFKC, lower case), like the cues; spans are mapped back
to the field as sent, so the evidence is the writer's own characters.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from model.cue_patterns import CUE_PATTERNS, HASHTAG_RE
from model.cues import cue_spans
from model.highlights.categories import Span
from model.highlights.fields import normalize_aligned
from model.spans import DisjointSpans
from model.text import Prepared, normalize_text

#: Hashtag names (normalised, whole) that label a note as an ad.
DECLARED_TAGS = frozenset(
    {"广告", "广告合作", "商业合作", "品牌合作", "商业推广", "赞助",
     "ad", "ads", "advert", "advertisement", "sponsored", "paidpartnership"}
)  # fmt: skip

#: A necessary condition of every declaration below: most notes hold none of these and are passed in one search.
_PRECHECK = re.compile(r"广\s?告|推广|赞助|合作|#(?:ad|sponsored|paidpartnership)|sponsored by|paid partnership")

#: What may follow a sentence naming the note an ad: the end of its clause (a space too, as notes often write it) or a
#: particle or a thanks; not more words ("本篇是广告公司的故事" is about an advertising firm).
_CLAUSE_END = r"(?=$|\s|[,.。!;:~|)\]】」』…?]|[哦噢呀啦喔哈]|感谢|谢谢|@|#)"
#: Sentences naming the note as an ad, and bracketed labels. Group ``open`` marks the forms that must start a clause.
_PHRASES = re.compile(
    # 本篇(笔记)是广告, 本文为推广信息, 此条为广告合作信息, 本期视频为商业推广: a subject that is this note
    r"(?:本篇|本文|本条|本帖|本期|此篇|此条|此文|这篇|这条|该篇|该条)"
    r"(?:笔记|内容|文章|视频|帖子|推文|分享)?\s*(?:是|为|系|属于)\s*(?:一[篇条则个次]\s*)?(?:商业)?"
    r"(?:广告|推广)(?:合作)?(?:信息|内容|笔记)?" + _CLAUSE_END + "|"
    # bracketed labels, a space beside the characters or between them too ("【广 告】", "[ 广告 ]")
    r"【\s?广\s?告\s?】|\[\s?广\s?告\s?\]|\(\s?广\s?告\s?\)|「\s?广\s?告\s?」|"
    # the tag #广告 typed with a space after "#" or between its characters ("# 广告", "#广 告", "# 广 告"), which no
    # hashtag reads ("#广 告" is the tag "#广"), nor spaced.py: two characters are never joined
    r"#(?:\s广\s?|广\s)告(?:合作)?" + _CLAUSE_END + "|"
    # 广告合作 as a clause of its own, not a creator's offer of deals ("广告合作请私信", "广告合作: 邮箱")
    # and "sponsored by" opening a clause ("Sponsored by @brand"), not "the marathon was sponsored by nike"
    r"(?P<open>广告合作(?![\w:])(?!\s*(?:v|wx|vx|微信|邮箱|📮|➕|\+|→|dd|私信|联系))|sponsored by(?![a-z]))|"
    r"(?<![a-z])(?:this|today's)(?: (?:post|video|note|vlog|episode|content))? (?:is|was) sponsored by(?![a-z])|"
    r"(?<![a-z])paid partnership(?![a-z])"
)

#: Words right before a label that deny it, ask about it or talk about it instead of applying it (the text before the
#: match, up to and not counting spaces, ends with one of them; an article or a demonstrative may stand between:
#: "讨厌那种 #广告#" is about such notes).
_BEFORE = re.compile(
    r"(?:不是|不算|不属于|并非|并不是|绝非|非|无|没有|没|不|别|未|不要|不用|不需要|不标|不带|不打|不加|不写|没标|没带|没打|没加|"
    r"没写|要标|标|标注|标明|标记|打|带|加|写|挂|注明|是不是|算不算|是否|关于|所谓|拒绝|讨厌|反感|接|承接|求|寻求|找|欢迎|招募|"
    # a condition or someone else's words, not the writer's label: "如果这篇是广告，我就把名字倒过来写",
    # "总有人说我这篇是广告"
    r"如果|假如|要是|若是|倘若|万一|就算|即使|哪怕|人说|人说我|被说|说我|以为|觉得|怀疑|当成|当作|误以为|"
    # Cantonese, as normalisation reads it (係 -> 系): 唔系 = 不是, 冇 = 没有, 唔使 = 不用, 系咪 / 系唔系 = 是不是
    r"唔系|唔是|唔算|唔属于|唔|冇|唔使|唔驶|唔好|唔要|系咪|系唔系|算唔算|有冇|"
    r"[“\"‘'「『]|(?<![a-z])(?:not|no|never|without|isn't|aren't|wasn't|don't|doesn't|didn't|use|using|tag|tagged|"
    r"label|labels|labelled|labeled|mark|marked|add|adding|about|hate|the|called|is it|is this))"
    r"(?:\s*(?:a|an|any|my|those|these|一个|一条|一篇|那种|这种|那类|这类|那样的|这样的|那些|这些|各种|所有))?\s*$"
)
#: After the label, in its clause: a question (?, or 吗 / 嘛 / 么 / Cantonese 咩 ending the clause), or 的 (Cantonese
#: 嘅) making a tag a noun's modifier ("#ad 的博主"), read in parts (:class:`_After`): the modifier right after the
#: label, where each clause ends, and where a question particle ends a clause.
_MODIFIER = re.compile(r"\s*[的嘅]")
#: The labels talked about after them, not applied: "#广告 #ad 这两个标签我从来没用过".
_LABEL_TALK = re.compile(
    r"(?:\s*#[^\s#\[]+(?:\[[^\]]*\]#?)?)*\s*(?:这|那)?(?:两|几|三)?(?:个|些|种)?(?:标签|tags?(?![a-z]))"
)
_CLAUSE_END = re.compile(r"[,.。!;\n?]")
_PARTICLE = re.compile(r"(?:吗|嘛|咩|(?<![什怎这那多])么)(?=\s*(?:$|[,.。!;~\n]))")
#: What may trail or lead a tag's name without changing it: spaces, emoji, punctuation ("#ad🔥", "#广告!").
_TAG_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
#: Spaces between two Chinese characters of a tag's name: "#广 告[话题]#" is the label typed with a space, as "#广 告"
#: is (which the phrase pattern reads); the platform's topic form kept it from the tag list.
_CJK_SPACES = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_BEFORE_CHARS = 12  # how far back a denial or mention is looked for
_CLAUSE_STARTS = frozenset(",.。!;:|([【「『\n")
#: What ends a line (as ``str.splitlines`` reads lines): normalisation collapses it to a space, but it ends a clause.
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def declared_spans(title: str, text: str, prepared: dict[str, Prepared] | None = None) -> tuple[Span, ...]:
    """Every self-declaration of ``title`` and ``text`` (title first, in order), as spans of the fields as sent;
    ``prepared``: the normalised fields and their cue spans, as ``prepare_document(..., fields=...)`` filled it."""
    got = prepared or {}
    out: list[Span] = []
    for name, raw in (("title", title or ""), ("text", text or "")):
        norm, spans = got.get(name) or (None, None)
        if norm is None:
            norm = normalize_text(raw)
        if not norm or _PRECHECK.search(norm) is None:
            continue
        claims = DisjointSpans()  # the cue scan's claims, disjoint as it holds them
        for a, kind, b, _ in cue_spans(norm) if spans is None else spans:
            if CUE_PATTERNS[kind].delete:
                claims.claim(a, b)
        aligned = normalize_aligned(raw, norm) if _LINE_BREAK.search(raw) else None
        # where the clauses end: the normalised text, with the line breaks it collapsed to spaces put back
        lined = _with_line_breaks(raw, norm, *aligned[1:]) if aligned else norm
        found = [
            m.span()
            for m in HASHTAG_RE.finditer(norm)
            if _CJK_SPACES.sub("", _TAG_EDGES.sub("", m.group(1))) in DECLARED_TAGS
        ]
        found += [
            m.span() for m in _PHRASES.finditer(norm) if m.group("open") is None or _opens_clause(lined, m.start())
        ]
        kept: list[tuple[int, int]] = []
        after = _After(lined)
        # A phrase inside a tag ("#本篇是广告") is one declaration, the tag; of two starting together the longer, so
        # "#广 告#" is declared whole, not as the phrase's "#广 告" without its closing "#".
        for a, b in sorted(found, key=lambda span: (span[0], -span[1])):
            if (not kept or a >= kept[-1][1]) and _applies(lined, a, b, claims, after):
                kept.append((a, b))
        if kept:
            _, starts, ends = aligned or normalize_aligned(raw, norm)
            for a, b in kept:
                start, end = starts[a], ends[b - 1]
                out.append(Span(name, start, end, raw[start:end]))
    return tuple(out)


def _with_line_breaks(raw: str, norm: str, starts: list[int], ends: list[int]) -> str:
    """``norm`` with each space that stands for whitespace holding a line break made a line break again (same
    length): normalisation makes every line break a space, and the clause checks read a question on the next line
    (【广告】, a line break, 姐妹们觉得好用吗) as asked about the label, and a label on a line of its own as inside
    a clause."""
    out = list(norm)
    for i in range(1, len(norm) - 1):  # normalize_text strips the ends: a space always has characters either side
        if norm[i] == " " and _LINE_BREAK.search(raw, ends[i - 1], starts[i + 1]):
            out[i] = "\n"
    return "".join(out)


def _applies(norm: str, a: int, b: int, claims: DisjointSpans, after: _After) -> bool:
    """Whether the label at ``norm[a:b]`` is applied to the note: not inside a denial (``claims``: the text's), not
    denied, asked or talked about in its clause (``norm`` may hold line breaks, which end one; ``after``: the
    text's :class:`_After`)."""
    if not claims.free(a, b):
        return False
    before = norm[max(0, a - _BEFORE_CHARS) : a]
    if _BEFORE.search(before[before.rfind("\n") + 1 :]):
        return False
    return not after.follows(b)


class _After:
    """Whether a modifier or a question follows a label of one text, for all its labels: where each clause ends and
    where a question particle stands found once. Matched as one pattern after each label, read to the end of the
    clause, a clause of 2,500 labels and nothing else cost the square of that."""

    def __init__(self, norm: str) -> None:
        self.norm = norm
        self._ends: list[int] | None = None
        self._particles: list[int] = []

    def follows(self, b: int) -> bool:
        """Whether a modifier stands right after ``b``, or up to the end of the clause a question mark ending it or a
        particle ending a clause."""
        norm = self.norm
        if _MODIFIER.match(norm, b) or _LABEL_TALK.match(norm, b):
            return True
        if self._ends is None:
            self._ends = [m.start() for m in _CLAUSE_END.finditer(norm)]
            self._particles = [m.start() for m in _PARTICLE.finditer(norm)]
        i = bisect_left(self._ends, b)
        end = self._ends[i] if i < len(self._ends) else len(norm)
        if end < len(norm) and norm[end] == "?":
            return True
        j = bisect_left(self._particles, b)
        return j < len(self._particles) and self._particles[j] < end


def _opens_clause(norm: str, a: int) -> bool:
    """Whether ``norm[a:]`` starts the text or a clause (after punctuation, spaces between)."""
    before = norm[:a].rstrip(" ")
    return not before or before[-1] in _CLAUSE_STARTS
