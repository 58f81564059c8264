import math

import pytest

from model import find_cues, load_model, normalize_text, prepare_document
from model.cues import cue_counts
from model.text import extract_emoji_codes, extract_hashtags


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),  # full-width to half-width, lower case
        ("  多个   空格\n\t换行 ", "多个 空格 换行"),
        ("零\u200b宽\ufeff字符", "零宽字符"),
        ("加微\u00ad信", "加微信"),  # a soft hyphen, like every invisible format character, is deleted
        ("加\u2063微\u2064信\u061c\u180e\ufff9", "加微信"),
        ("控制\x07字符", "控制 字符"),
        ("", ""),
        ("伪造⟦cue:url⟧占位", "伪造 cue:url 占位"),  # user text cannot forge placeholder tokens
        ("繁體中文", "繁体中文"),  # traditional characters read as simplified, one for one
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_normalize_text_rejects_non_strings():
    with pytest.raises(TypeError, match="expects a str, got int"):
        normalize_text(3)  # type: ignore[arg-type]


def test_lone_surrogate_does_not_crash():
    assert "?" in normalize_text("坏\ud800字")


def test_xhs_markup_is_extracted():
    text = normalize_text("#源头厂家[话题]# 好看[笑哭R]#Blackpink香港演唱会[话题]# [doge] @小明 你看")
    assert extract_hashtags(text) == ["源头厂家", "blackpink香港演唱会"]
    assert extract_emoji_codes(text.replace("#源头厂家[话题]#", "")) == ["笑哭", "doge"]
    doc = prepare_document("", "#源头厂家[话题]# 好看[笑哭R] @小明 你看")
    assert "⟦tag:源头厂家⟧" in doc and "源头厂家" in doc.replace("⟦tag:源头厂家⟧", "")
    assert "⟦emo:笑哭⟧" in doc
    assert "⟦mention⟧" in doc and "小明" not in doc


@pytest.mark.parametrize(
    ("text", "doc"),
    [
        # No letter, ideograph or digit in the handle: an emoticon or text spaced out with full stops, kept as text
        # (NORMALIZATION_VERSION 22: before, each was a ⟦mention⟧).
        ("好累@_@", "好累@_@"),
        ("谢谢@.@.", "谢谢@.@."),
        ("回复 @__ 好", "回复 @__ 好"),
        ("看@-·. 下", "看@-·. 下"),
        # A handle with one: a mention, whatever leads it.
        ("@_a 你好", "⟦mention⟧ 你好"),
        ("@小明 你看", "⟦mention⟧ 你看"),
        # The "@" closing an emoticon opens no mention: a handle never holds "@", so the face then the writer's
        # words (NORMALIZATION_VERSION 23: before, "@小明" after "@_" was a mention, and "@1288元" one of a price).
        ("好累@_@小明", "好累@_@小明"),
        ("@_@xiaomei 你好", "@_@xiaomei 你好"),
        ("汤圆哦@_@1288元", "汤圆哦@_@0元 ⟦cue:price⟧"),
        ("@_@ @xiaomei 你好", "@_@ ⟦mention⟧ 你好"),
        ("@_@@xiaomei 你好", "@_@ ⟦mention⟧ 你好"),
    ],
)
def test_mentions_need_a_letter_or_digit(text, doc):
    assert prepare_document(None, text) == f"{doc} ⟦n_tags:0⟧"


#: Hashtags as writers type them, and the tags each holds (the platform's ``#X[话题]#``, Weibo's ``#X#``, typed
#: ``#X``), with text that only looks like one.
TYPED_TAGS = [
    ("#孙乐言 #创业 #大湾区", ["孙乐言", "创业", "大湾区"]),
    ("露营真好 #露营 #穿搭,#日常", ["露营", "穿搭", "日常"]),
    ("#ai #chatgpt[话题]# #千问[话题]#", ["ai", "chatgpt", "千问"]),
    ("#春日plog #每日穿搭[话题]#", ["春日plog", "每日穿搭"]),
    ("#无主灯设计[话题]##悬浮吊顶[话题]##", ["无主灯设计", "悬浮吊顶"]),
    ("#周黑鸭#今天真好吃 #新品#", ["周黑鸭", "新品"]),
    ("色号#01 很显白,住在3#楼 c#d", []),
    ("#00:06[时刻]#开场白 #00:37[时刻]#正文", []),
    ("#蕉下防晒衣[话题]# #我和我的夏天 #日常", ["蕉下防晒衣", "我和我的夏天", "日常"]),
]


@pytest.mark.parametrize(("text", "tags"), TYPED_TAGS)
def test_each_typed_hashtag_is_a_tag_of_its_own(text, tags):
    """``#A #B`` typed by hand once paired into one tag (``#A #``), losing B and breaking the tag after it."""
    assert extract_hashtags(normalize_text(text)) == tags
    doc = prepare_document("", text)
    assert [t for t in doc.split() if t.startswith("⟦tag:")] == [f"⟦tag:{t}⟧" for t in tags]


@pytest.mark.parametrize("residue", ["[话题]", "[话题", "[话", "题]", "话题]"])
def test_hashtag_markup_residue_is_not_evidence(residue):
    """A stray ``[话题]`` or a fragment of it is deleted from the document; well-formed tags, emoji codes and the
    word 话题 in plain text are kept."""
    assert prepare_document("", f"好用{residue}推荐") == prepare_document("", "好用 推荐")
    doc = prepare_document("", f"#好物[话题]# 这个话题{residue}好看[笑哭R] 问题")
    assert "⟦tag:好物⟧" in doc and "⟦emo:笑哭⟧" in doc
    assert "话题" in doc.replace("⟦tag:好物⟧", "") and "问题" in doc
    assert "[" not in doc and "]" not in doc


@pytest.mark.parametrize("suffix", ["[话题]" * 5, "题]", " [话", "话题]", " #好物[话"])
def test_typing_hashtag_residue_does_not_lower_the_shipped_models_ad_probability(suffix):
    """Markup residue once moved an ad towards genuine (−1.45 log-odds for five ``[话题]`` on this note with the
    model trained before it was deleted): writing it must not be a way to evade the shipped model. (The words
    typed with it, a hashtag's name, may move it either way by what the model learnt for them.)"""
    model = load_model()
    ad = {"title": "新店开业福利", "text": "加vx领券，原价199现价99，链接在主页，私信下单，限时优惠！"}
    base, typed = model.predict_proba([ad, {**ad, "text": ad["text"] + suffix}])
    assert base > 0.5
    log_odds = [math.log(p / (1 - p)) for p in (base, typed)]
    assert log_odds[1] > log_odds[0] - 0.1


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("加ＶＸ：ａｂｃ_１２３ 详聊", "wechat"),
        ("V信 lanruo888", "wechat"),
        ("薇: abc12345", "wechat"),
        ("+v 13812345678", "wechat"),
        ("wx 1 3 8 1 2 3 4 5 6 7 8", "wechat"),
        ("电话 138-1234-5678", "phone"),
        ("电话１３８１２３４５６７８", "phone"),
        ("qq 12345 678", "qq"),
        ("看这里 https://xhslink.com/a/abc", "url"),
        ("原价¥199 现价99元 领券", "price"),
        ("打8折", "price"),
        ("链接在主页，私信我", "call_to_action"),
        ("喜欢的评论区扣1", "call_to_action"),
        ("源头厂家 支持定制 招商加盟", "merchant"),
        ("门店地址：xx路1号", "merchant"),
        ("品牌合作 #好物推荐官", "disclosure"),
        ("闭眼入 谁用谁知道", "sales_tone"),
    ],
)
def test_cues_found(text, cue):
    assert cue_counts(normalize_text(text))[cue] >= 1


@pytest.mark.parametrize("text", ["今天天气很好，去公园散步了", "这本书写得真好，推荐给大家", ""])
def test_no_contact_cues_in_plain_text(text):
    counts = cue_counts(normalize_text(text))
    assert counts["wechat"] == counts["phone"] == counts["url"] == counts["qq"] == 0


def test_contact_details_replaced_by_placeholders():
    doc = prepare_document("", "加vx: lanruo_888 电话13812345678")
    assert "lanruo" not in doc and "13812345678" not in doc
    assert doc.count("⟦cue:wechat⟧") == 1 and doc.count("⟦cue:phone⟧") == 1


def test_cue_evidence_positions():
    text = normalize_text("链接在主页")
    cues = find_cues(text)
    assert [(c.name, text[c.start : c.end]) for c in cues] == [("call_to_action", "链接"), ("call_to_action", "主页")]


def test_repeated_brand_hashtags_cue():
    doc = prepare_document("", "#格力空调[话题]##格力王者柜机[话题]##格力立式空调[话题]##猫[话题]#")
    assert "⟦cue:repeated_brand_tag⟧" in doc and "⟦n_tags:5⟧" in doc
    assert "repeated_brand_tag" not in prepare_document("", "#猫[话题]##狗[话题]##兔子[话题]#")


def test_digits_become_one_token():
    assert prepare_document("", "走了350米") == prepare_document("", "走了500米")


@pytest.mark.parametrize("claim", ["无广", "无广告", "非广", "自费"])
def test_a_no_ad_claim_is_deleted_from_the_document(claim):
    """A claim any writer can add for free is found (for highlights) but leaves no trace in the model's document."""
    cues: list[tuple[str, str]] = []
    doc = prepare_document("面霜分享", f"用了半年 {claim} 皮肤不干了", cues=cues)
    assert doc == prepare_document("面霜分享", "用了半年 皮肤不干了")
    assert ("no_ad_claim", claim) in cues


@pytest.mark.parametrize(
    ("written", "unwritten"),
    [
        (
            "这个保温杯我自己用了两年了，没有链接，不是广告，单纯觉得好用才分享的。",
            "这个保温杯我自己用了两年了，单纯觉得好用才分享的。",
        ),
        ("好用，不是广告！", "好用！"),
        ("好用，无广", "好用"),
        ("无广，不是广告，用了半年", "用了半年"),
        ("无广 | 用了半年", "用了半年"),
        ("用了半年 无广告 皮肤不干了", "用了半年 皮肤不干了"),
        ("无广", ""),
        # Inside a sentence the claim takes no separator: only its words go.
        ("自费买的，用了半年", "买的，用了半年"),
        ("真的是自费，很好用", "真的是，很好用"),
        ("没有链接哈，私信我", "哈，私信我"),
        # Never into a contact detail next to it.
        ("vx: abc12345，不是广告，私信我", "vx: abc12345，私信我"),
    ],
)
def test_a_claim_goes_with_the_separator_that_set_it_off(written, unwritten):
    """The document of a note with a claim is the note as if the writer had never written it: no ",," residue."""
    assert prepare_document("标题", written) == prepare_document("标题", unwritten)
    assert ",," not in prepare_document("", written)


@pytest.mark.parametrize(
    "doc, expected",
    [
        ("⟦has:title⟧ 好物 ⟦n_tags:2⟧", "好物"),
        ("买了 ⟦cue:price⟧ 很值 ⟦tag:日常⟧ 日常", "买了 很值 日常"),
        ("⟦ not a placeholder ⟧ 文本", "⟦ not a placeholder ⟧ 文本"),  # whitespace inside: plain text
        ("正文 ⟦cue:wechat⟧ ⟦comments⟧ 评论 ⟦cue:price⟧", "正文"),
    ],
)
def test_character_text_leaves_placeholders_out(doc, expected):
    from model.text import body_without_placeholders, without_placeholders

    got = body_without_placeholders(doc) if "⟦comments⟧" in doc else without_placeholders(doc)
    assert " ".join(got.split()) == expected
    assert "⟦" not in got or "⟦ " in doc


def test_a_note_that_normalises_to_nothing_is_blank():
    # A text of only characters normalisation deletes (controls, zero-width and bidi marks, the soft hyphen) or turns
    # into whitespace would be judged on an empty document: the schema calls it blank and refuses it, as it does
    # spaces. And nothing with a character that survives normalisation is called blank.
    from model.schema import is_blank

    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        assert is_blank(ch) == (normalize_text(ch).strip() == ""), f"U+{cp:04X}"


#: Notes and the same notes in traditional characters (OpenCC s2t, as a writer from Hong Kong or Taiwan types them).
SCRIPTS = [
    ({"title": "兰蔻小黑瓶真的好用", "text": "兰蔻小黑瓶用了一个月，皮肤状态稳定，#兰蔻[话题]# #兰蔻小黑瓶[话题]#"},
     {"title": "蘭蔻小黑瓶真的好用", "text": "蘭蔻小黑瓶用了一個月，皮膚狀態穩定，#蘭蔻[話題]# #蘭蔻小黑瓶[話題]#"}),
    ({"title": "源头厂家", "text": "支持定制，私信下单，全场包邮，加微信了解"},
     {"title": "源頭廠家", "text": "支持定製，私信下單，全場包郵，加微信了解"}),
    ({"title": "周末爬山", "text": "今天和朋友去爬山了，风景超美，累但是值得"},
     {"title": "週末爬山", "text": "今天和朋友去爬山了，風景超美，累但是值得"}),
]  # fmt: skip


@pytest.mark.parametrize(("simplified", "traditional"), SCRIPTS)
def test_a_note_in_traditional_characters_reads_as_in_simplified(simplified, traditional):
    """A campaign note in traditional characters fell from review 0.35 to genuine 0.02: its brand, its hashtag
    markup (#蘭蔻[話題]#) and its words matched nothing learnt. The model now reads both scripts alike, and the
    highlights are the characters the writer typed."""
    model = load_model()
    a, b = model.check(simplified), model.check(traditional)
    assert prepare_document(**traditional) == prepare_document(**simplified)
    assert (b.decision, b.ad_probability) == (a.decision, a.ad_probability)
    for h in b.highlights:
        assert traditional[h.field][h.start : h.end] == h.text
    assert [(h.field, h.start, h.end) for h in b.highlights] == [(h.field, h.start, h.end) for h in a.highlights]


def test_the_simplified_table_keeps_length_and_simplified_text():
    from model.simplified import T2S_TABLE, to_simplified

    assert all(len(v) == 1 for v in T2S_TABLE.values()) and len(T2S_TABLE) > 2000
    assert to_simplified("價格優惠，蘭蔻，話題，著名") == "价格优惠，兰蔻，话题，著名"
    assert normalize_text("ＰＯＬＡ 價格 ７８０元") == "pola 价格 780元"


def test_the_shortcut_for_text_without_traditional_characters_converts_as_the_table_does():
    """``to_simplified`` skips the per-character table lookup when nothing in the text is in the table: every
    character the table converts is found by the search, alone and among simplified text."""
    from model.simplified import T2S_TABLE, to_simplified

    for k, v in T2S_TABLE.items():
        assert to_simplified(f"今天{chr(k)}好") == f"今天{v}好"
    mixed = "价格優惠，" + "".join(chr(k) for k in list(T2S_TABLE)[::97]) + " 兰蔻 abc ✨"
    assert to_simplified(mixed) == mixed.translate(T2S_TABLE)
    plain = "今天去了趟宜家，买了个39块的收纳盒 #好物[话题]# ✨"
    assert to_simplified(plain) is plain
