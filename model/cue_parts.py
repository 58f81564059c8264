"""The pieces the cue patterns of :mod:`model.cue_patterns` are written with: separators that split a number, the
characters of a URL, decorations between a contact word and its id, the shapes of ids, amounts and units. Each is a
regular expression as text, for the patterns to join; none is a cue by itself. And the record of a cue kind
(:class:`CuePattern`) and of one match (:class:`Cue`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

SEP = r"[\s\-_.·•,，/|~—–]*"  # separators used to split digits so filters miss them
#: Being taken for an advertiser, after 免得被 / 怕被 (免得被说打广告, 怕被当成软广).
TAKEN_FOR_AD = r"(?:说|当成?|认为|以为|误会)(?:成|是|在|我)*(?:打|做|发)?(?:广告|软广|恰饭)"
#: The characters of a URL (RFC 3986's, without brackets) and those it may end on (not punctuation closing a clause).
URL_CHARS = r"[a-z0-9\-._~:/?#@!$&'()*+,;=%]"
URL_END = r"[a-z0-9\-_~/#=&%+@$]"
URL_REST = URL_CHARS + "*" + URL_END
#: What may stand between a contact prefix (加v) and the id: colons, spaces, emoji and other decorations, up to
#: eight, but no letter, digit, CJK character or clause-ending punctuation (so "加v，私信我" takes no id).
DECOR = r"[^\w,，.。!！?？;；]{0,8}"
#: Decorations (at least one character that is not a colon) then a colon, spaces and an id's first character.
DECOR_COLON = r"[^\w,，.。!！?？;；:：]{1,8}[:：]\s*[a-z0-9]"
#: The same before an id that starts with a letter (微 with decorations: "轻微😣：3天就消了" is no contact).
DECOR_COLON_LETTER = r"[^\w,，.。!！?？;；:：]{1,8}[:：]\s*[a-z]"
# Digits written as Chinese numerals (financial 壹贰叁 and plain 一二三, 幺 for 1) to slip a phone number past
# filters; circled digits (①, ❶, ⑴: model.text.DIGIT_FORMS) and full-width ones are ASCII digits after
# normalisation already.
CN_DIGIT = "[0-9零〇一二三四五六七八九幺两壹贰叁肆伍陆柒捌玖]"
CN_PHONE = "[1一幺壹]" + SEP + "[3-9三四五六七八九叁肆伍陆柒捌玖]" + "(?:" + SEP + CN_DIGIT + "){9}"
#: An amount as written, whole: digits grouped by thousands separators (a comma followed by exactly three digits:
#: "1,280", "12,999", not the list "1,2,3") or not grouped, then decimals. A price cue must span all of it, or the
#: writer is shown "¥1" for the "¥1,280" they wrote.
AMOUNT = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
#: Where a number's match may start: where a run of digits starts. From inside a run a match of ``\d+…`` finds
#: nothing the run's start would not (it absorbs the digits before), and tried from every digit of a long run it
#: costs the square of the run's length ("元" then 20,000 digits: 23 s of CPU a check).
RUN_START = r"(?<!\d)"
#: ... and where an amount may start: also up to three digits before a thousands separator, where the grouped form
#: of ``AMOUNT`` may start although the run's start cannot ("1234,567元" is read "234,567元", as it always was).
AMOUNT_START = r"(?:(?<!\d)|(?=\d{1,3},\d{3}))"


#: A currency or unit after a number: the number is an amount (a price, a count, a size), not part of a model
#: name. Not 号 or 色 (a shade, "dior 999号"), which name a product. Latin units are whole words ("199 r", "50 ml").
UNIT = (
    r"(?:[元块刀毛角¥￥$万%折天日周月年岁个条件次只支瓶盒包杯双套份张片颗粒斤克两码寸米度人家]|小时|分钟|公斤|"
    r"(?:rmb|r|w|k|ml|l|g|kg|mg|cm|mm|m|h|min|yuan|cny|days?|nights?|weeks?|months?|years?|yrs?|hours?|hrs?|"
    r"minutes?|mins|seconds?|secs?|times|people|pcs|pieces?|kcal)(?![a-z]))"
)
#: A messenger id after a channel word that is also an everyday one (LINE, 卫星, 🛰, 赖): a letter, then 4 to 19
#: letters, digits, "_" or "-", holding a digit or "_" ("meifu2024", "shop_tw888"): "Line：8点集合", "Line：1号线",
#: "卫星：55颗", "LINE：12月活动" and "Red Line: 3 stops" hold none (a reviewer's counter-examples).
MESSENGER_ID = r"[a-z](?=[-a-z]*[\d_])[-_a-z0-9]{4,19}(?![-_a-z0-9])"
#: A LINE id where the words before it say it is one (an "@" of LINE's official accounts, or 加LINE and a colon): 4 to
#: 20 letters, digits, ".", "-" or "_" (LINE's own rule), starting and ending on a letter or digit and holding a
#: letter ("@2024年" is a year) unless it is a mobile number (Taiwan 09…, mainland 1[3-9]…, Hong Kong 5/6/9 and 7
#: more digits: "加LINE：0912345678"; not a date or a count, "LINE：@20241201", "加LINE：12345678 位朋友"),
#: letters alone too ("meimeiya", "lovely.mei"); a "." then a letter or digit goes on with the id, a full stop ends it.
LINE_ID = (
    r"(?:(?=[-_.0-9]*[a-z])|(?=(?:09\d{8}|1[3-9]\d{9}|[569]\d{7})(?!\d)))"
    r"[a-z0-9][-_.a-z0-9]{2,18}[a-z0-9](?![-_a-z0-9]|\.[a-z0-9])"
)
#: A WeChat id after a contact word: a letter, then 4 to 19 letters, digits, "_" or "-"; a shorter one of letters then
#: digits ("vx:ab12", which product_model would read as a model name); or digits; or letters then digits spaced out
#: one by one ("威信：dx 8 8 6 6 9 9").
WECHAT_ID = r"(?:[a-z]{1,6} (?:\d ){4,11}\d(?!\d)|[a-z][-_a-z0-9]{4,19}|[a-z]+\d+|(?:\d" + SEP + r"){5,11}\d)"
#: Ideographs that count or order the number before them, besides the units of UNIT: "123号", "3楼", "100多",
#: "12分", "5步".
COUNTER = "号楼层期集页分位名多余来遍种款样步级句本部台辆间行届章回场批篇首倍秒点第以左"
#: An id of letters, a space and digits right after a colon ("vx:abc 123", "微信: abc 123"), six characters or
#: more without the space, at least two of each kind. Only when the digits end the id and are no amount, count or
#: decimal ("微信:abc 123人都加了", "abc 2024 年", "abc 12.5", "abc 100多"): the text, a space, punctuation or an
#: ideograph that does not count may follow ("vx:abc 123有事找我": the writer's words go on right after the id), a
#: Latin letter or digit may not (the word goes on). A writer's words after an id ("vx:abc 然后…") hold no digits.
SPACED_WECHAT_ID = (
    r"(?:(?<=[:：])|(?<=[:：]\s))"
    r"(?=(?:[-_a-z]{2} \d{4}|[-_a-z]{3} \d{3}|[-_a-z]{4,18} \d{2})\d{0,16}"
    r"(?!(?![\u3400-\u9fff])\w|[" + COUNTER + r"]|\.\d|\s?" + UNIT + r"))"
    r"[a-z][-_a-z]* \d+"
)
#: More ids after the first, each after "/", "、", ",", "|" or 或(者) ("vx:abc123 / def456", "微信:abc123、def456",
#: "vx:abc123或def456"): a letter, then 5 to 19 letters, digits, "_" or "-" (a WeChat id's 6 to 20 characters).
#: After "/", "," or "|" at least one digit, "_" or "-" among them: English goes on after a comma ("vx:abc123,
#: thanks"). After "、" or 或, which join the items of a Chinese list, letters alone too ("微信:abc123、lanruo"), when
#: they stand alone: a Latin word glued to the writer's next words ("、hello大家") or shorter than six letters
#: ("、defgh") is no id. Digits alone are a phone or QQ number, which their own kinds read.
MORE_WECHAT_IDS = (
    r"(?:\s?(?:[/、,|]|或者?)\s?[a-z](?=[a-z]*[-_\d])[-_a-z0-9]{5,19}(?![-_a-z0-9])"
    r"|\s?(?:、|或者?)\s?[a-z][-_a-z0-9]{5,19}(?![-\w]))*"
)


@dataclass(frozen=True)
class CuePattern:
    """One cue kind: its name (the placeholder ``⟦cue:name⟧``), a readable label and its compiled pattern, with how
    the document treats a match."""

    name: str
    label: str
    pattern: re.Pattern[str]
    replace: bool = False  # contact details: the literal value is replaced by the placeholder
    # A claim any writer can add for free ("无广"): found, so highlights can quote it, but deleted from the model's
    # document, so it can neither lift an ad nor weigh against an honest note.
    delete: bool = False
    # The match is reported as this kind (the document gets its placeholder), over the span of this group of the
    # pattern: an @mention of a brand account is a mention of the brand, spanning the brand's name.
    counts_as: str | None = None
    group: str | int = 0
    # Read with contact details masked (:func:`mask_spans`), as the document reads hashtags: after the contact
    # details are replaced, so "#宠粉vx:abc123" is the tag "#宠粉" and a contact, not the tag "#宠粉vx".
    outside_contacts: bool = False


@dataclass(frozen=True)
class Cue:
    """One match of a cue kind in a normalised text: the kind's name and label, the matched text and its span."""

    name: str
    label: str
    text: str
    start: int
    end: int
