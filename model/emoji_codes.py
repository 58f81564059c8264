"""Which bracketed text is a platform emoji code: one definition for the document builder (:mod:`model.text`), the
highlights that show a code whole and the comment checks (:mod:`model.comments`).

An emoji code is drawn as a sticker, so the document reads it as one token (``⟦emo:笑哭⟧``) and not as words. Other
short bracketed text is the writer's own words ("这款面霜[推荐]真的好用", a reference "[1]", "[6星]") and is read
like the rest of the text. Counts of the bracketed strings in the training data (NFKC,
title and text; model/default/findings.md gives the command) chose the shape:

- Xiaohongshu codes are Chinese names ending in R or H: 90 distinct, 659 uses in the 2,390 labelled notes
  (``[笑哭R]``, ``[害羞R]``, ``[吐舌头H]``); none has a Latin letter or digit before the R or H.
- Other platform codes, named one by one (:data:`EMOJI_CODE_NAMES`): the note tag markers ``[时刻]`` (185 uses,
  ``#00:16[时刻]#``), ``[投票]`` (7), ``[PK]`` (7) and ``[eoi]`` (5) and the Weibo codes ``[doge]`` (27) and
  ``[笑cry]`` (1) in those notes; the WeChat codes of promotional SMS and shopping reviews used at least twice
  (``[玫瑰]`` 35, ``[色]`` 21, ``[鼓掌]`` 16 … ``[偷笑]`` 2).
- The markers the comment sentiment model writes itself: emoticon classes ``[颜:笑]`` and lexicon markers ``[lxp]``.

``[话题]`` is hashtag markup, never a code. Left as words: ``[1]``, ``[2]``, ``[6星]``, ``[EB/OL]`` and the
company names SMS senders sign with (``[美的空调]``).
"""

from __future__ import annotations

import re

#: The Xiaohongshu note tag markers, lower-cased: the platform writes them into a note (a video chapter
#: ``#00:10[时刻]#``, a poll ``#你选哪个？[投票]#``), the writer never picks them as they pick a sticker. Read as codes
#: like the rest, but no words of the writer's: :mod:`model.highlights` never shows one.
NOTE_TAG_MARKERS = frozenset({"时刻", "投票", "pk", "eoi"})

#: Emoji codes not of the ``…R`` / ``…H`` shape, lower-cased (the text is lower-cased before the pattern runs).
EMOJI_CODE_NAMES = NOTE_TAG_MARKERS | frozenset(
    {
        # Weibo codes (xhs_labelled.jsonl)
        "doge", "笑cry",
        # WeChat codes used at least twice in sms_promo.jsonl and shopping.jsonl
        "玫瑰", "色", "鼓掌", "闪电", "爱心", "微笑", "愉快", "礼物", "跳跳", "强", "亲亲", "拥抱", "太阳", "调皮",
        "呲牙", "坏笑", "西瓜", "啤酒", "勾引", "握手", "憨笑", "偷笑",
    }
)  # fmt: skip

_NAMES = "|".join(re.escape(n) for n in sorted(EMOJI_CODE_NAMES, key=len, reverse=True))
#: An emoji code, its name as group 1 (without the R / H). Three forms: a name of 1-8 non-ASCII characters then R or
#: H (dropped from the name); a listed name; a marker of the sentiment model. Case-insensitive, so that text not yet
#: lower-cased matches too.
EMOJI_CODE_RE = re.compile(
    rf"\[([^\x00-\x7f\[\]\s]{{1,8}}?(?=[rh]\])|(?:{_NAMES}|颜:[^\[\]\s]{{1,6}}|lx[pnvzq])(?=\]))[rh]?\]",
    re.IGNORECASE,
)


def emoji_codes(text: str) -> list[str]:
    """Names of the emoji codes in ``text``, in order (``"好看[笑哭R][推荐]"`` → ``["笑哭"]``)."""
    return [m.group(1) for m in EMOJI_CODE_RE.finditer(text)] if "[" in text else []
