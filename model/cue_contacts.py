"""The contact-detail cue kinds: e-mail addresses, links, WeChat / LINE ids, QQ numbers and phone numbers, each a
named regular expression with a readable label (:class:`model.cue_parts.CuePattern`). They come first among the cue
kinds (:data:`model.cue_patterns.DEFS`), in this order, which decides their precedence: a span one claims is not
read as another, and the document replaces each with its placeholder. Patterns run on normalised text
(:func:`model.text.normalize_text`); a change changes the model's documents: bump ``NORMALIZATION_VERSION`` and
retrain."""

from __future__ import annotations

import re

from model.cue_parts import (
    CN_DIGIT,
    CN_PHONE,
    DECOR,
    DECOR_COLON,
    DECOR_COLON_LETTER,
    LINE_ID,
    MESSENGER_ID,
    MORE_WECHAT_IDS,
    SEP,
    SPACED_WECHAT_ID,
    URL_REST,
    WECHAT_ID,
    CuePattern,
)

#: A WeChat id said to be the note's phone number: 微信同号, vx同手机号, 微信同电话 (``offers_contact`` reads it with
#: the phone number).
SAME_NUMBER = "同(?:(?:手机|电话)(?:号码?)?|号码?)"
#: A QQ number in Chinese numerals: one run of 5 to 11 ("八五零八七四一三六"), separators allowed between them.
CN_NUMERAL = "[零〇一二三四五六七八九幺两壹贰叁肆伍陆柒捌玖]"
_CN_RUN = f"(?:{CN_NUMERAL}{SEP}){{4,10}}{CN_NUMERAL}(?!{SEP}{CN_DIGIT})"
#: A QQ number after a word for QQ and a colon: digits (separators between them allowed) or Chinese numerals.
_QQ_NUMBER = r"(?:(?:\d" + SEP + r"){4,10}\d|" + _CN_RUN + ")"

#: Where a "line" is LINE the messenger: not the end of a Latin word ("online", "skyline") nor a line of a transit
#: map (a Latin word of three letters or more, or JR, before it: "BTS Silom Line", "JR Line"). The guards sit after
#: the "l" so that each branch opens with a literal.
_NOT_TRANSIT = r"(?<![a-z]l)(?<![a-z]{3} l)(?<!jr l)"
_LINE = "l" + _NOT_TRANSIT + "ine"
#: A word of thanks or greeting where an id would be ("加我line：thanks"): none is an id.
_NOT_A_WORD = r"(?!(?:thankyou|thanks|thank|okay|hello|please|sorry|later|welcome)(?![-_.a-z0-9]))"
#: The top-level domains an e-mail address is read with: the generic ones and the countries of Chinese writers.
_MAIL_TLD = "com|cn|net|org|edu|gov|top|cc|xyz|vip|shop|io|me|co|info|biz|tw|hk|mo|sg|my|jp|kr|uk|us|ca|au|de|fr"

CONTACT_DEFS = [
    CuePattern(
        "email",
        "e-mail address",
        # An address whole, before the URL pattern reads its domain as a link ("850874136@qq.com" was shown as the
        # wording "请联系邮箱850874136" and the link "@qq.com"): contact details, in 37 ads of the shared corpora
        # (联系邮箱, 商务合作) and no genuine Xiaohongshu note (6 shopping reviews give the buyer's own). The local part
        # and the domain are read whole, so no character of either is left to be a link or a product model. The
        # domain ends in a top-level domain mail is sent to, not any letters: "icon@2x.png" is an image's name,
        # "图cr@mia.design" and "图源ins@kiki.daily" credit a photo (a review's counter-examples).
        re.compile(
            r"(?<![a-z0-9._%+-])[a-z0-9][a-z0-9._%+-]{0,63}"
            r"@[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})*\.(?:" + _MAIL_TLD + r")(?![a-z0-9])"
        ),
        replace=True,
    ),
    CuePattern(
        "url",
        "link / URL",
        # A link is the characters a URL may hold, not ending on punctuation: the writer's words right after it
        # ("链接https://…?id=123买了两件，质量还行", "www.example.com上面有说明书") and the markup around it
        # ("…?id=123\">这里</a>") are theirs, not the link's (they were read as part of it and shown so).
        re.compile(
            # A domain's edges are letters and digits, not word boundaries: a Chinese character is a word character,
            # so "官网example.com" and "sina.com.cn首页" held none. A country's domain may follow (sina.com.cn).
            r"(?:https?://|www\.)" + URL_REST + r"|(?<![a-z0-9-])[a-z0-9][a-z0-9-]{1,30}\."
            r"(?:com|cn|net|top|cc|xyz|vip|shop)(?:\.[a-z]{2})?(?![a-z0-9])(?:[/?#:]" + URL_REST + ")?"
        ),
        replace=True,
    ),
    CuePattern(
        "wechat",
        "WeChat or LINE contact",
        re.compile(
            # (not 加 negated: "我不加陌生人微信" was highlighted 加微信, contact details; a second walkthrough)
            r"(?:(?:加(?<!不加)(?<!别加)(?<!勿加)|\+|➕)\s*(?:v信|vx|wx|微信|薇信?|威信|v)|(?<![a-z])v信|v(?<![a-z]v)x|wx(?=号?[:：\s]*[a-z0-9]|(?:号?(?:是|为)|搜索?)\s*(?:"
            + MESSENGER_ID
            + r"|\d{6,11}(?!\d))|"
            + SAME_NUMBER
            + r")|威信|薇信|"
            # vx and wx written with a space between the letters ("我的w x是 mei_bai_888"), only before an id
            r"(?<![a-z])[vw] x(?=号?(?:是|为)?[:：\s]*" + MESSENGER_ID + r")|"
            # "v我：mei8886" (加我v, written short), only before an id with a letter and a digit: "v我50" is a meme
            r"v(?<![a-z]v)\s?我(?=\s?[:：]?\s*" + MESSENGER_ID + r")|"
            # 信 behind decorations ("V❤️信"), 薇芯, the satellite of 卫星 (wei xing: 🛰, written for 微信 where the
            # word is filtered) and LINE (赖 in Taiwan, ライン in Japanese) before an id: each a writer's walkthrough
            # found read as a brand name ("meifu2024" 品牌与产品名). RAVx (a car, its digit masked) held no "vx" of a
            # contact. Each only before a colon and an id (MESSENGER_ID), 🛰 and 薇芯 before an id with or without
            # the colon ("🛰 xmm0909 备注小红书"): "v 信号不好", "v❤️信用卡", "大V 信不得", 蔷薇芯, "北斗卫星：55颗" and
            # "🛰 2024年最后一次发射" are no contact.
            r"v(?<![a-z]v)[^\w,，.。!！?？;；:：]{1,4}信(?=号?\s?[:：]\s*" + MESSENGER_ID + r")|"
            r"薇(?<![蔷紫]薇)芯(?=号?\s?[:：]?\s*" + MESSENGER_ID + r")|"
            r"🛰(?=\ufe0f?\s?号?[:：]?\s*" + MESSENGER_ID + r")|"
            r"卫星(?=号?[:：]\s*" + MESSENGER_ID + r")|"
            # LINE's official accounts go by an "@" id ("LINE：@shopmei", "LINE@：@123abcde", "LINE官方帳號：@shop",
            # "LINE搜尋：@shop", "LINE加好友：@shop"), and an id named as one ("LINE ID：meimeiya") or given after
            # 加(入)(我)LINE(好友), +我LINE or 加賴 and a colon is one, letters alone too ("加我LINE：meimeiya") or a
            # mobile number ("加LINE：0912345678"; a writer's walkthrough found these funnels read as no contact).
            # Not a line of a transit map, named by a Latin word of three letters or more or JR before it ("BTS
            # Silom Line：@siam站", "JR Line：@shinjuku站"; "IG LINE：@shop" is a contact), nor 加 of another word
            # (参加, 追加, 增加, 附加, 更加, 叠加, 施加, 外加). Without a colon the id needs a digit or "_" and no
            # "@" ("加我line meifu2024"; not "加line thanks" nor a friend's "加line好友 @amy1998"). "Line：8点集合" is
            # still none, nor is a word of thanks or greeting after the colon ("加我line：thanks" is no id). A LINE
            # group or LINE@'s old official accounts ("加入LINE社群", "LINE群组", "LINE@生活圈") are named as 微信群
            # is: a channel, no id; only one a reader is asked to join (欢迎加入, 加LINE群, 进LINE群享…), not a group
            # the writer joined or was pulled into (刚加入LINE群组, 被拉进LINE群组, 我加入公司的LINE群).
            r"l" + _NOT_TRANSIT + r"(?<!参加l)(?<!追加l)(?<!增加l)(?<!附加l)(?<!更加l)ine"
            r"(?:\s?id|@|官方账号|官方帐号|搜寻|搜索|搜|加好友)?\s?[:：]\s*@"
            + _NOT_A_WORD
            + LINE_ID
            + r"|"
            + _LINE
            + r"\s?id\s?[:：]\s*"
            + _NOT_A_WORD
            + LINE_ID
            + r"|"
            + r"(?:(?<=欢迎加入)|(?<=欢迎加)|(?<=欢迎进)|(?<=点击加入)|(?<=快加入)|(?<=入我们的)|(?<=进我们的)"
            r"|(?<=加我们的)|(?<=➕)|(?<=\+)|(?<=官方)|(?<=加)(?<![刚已我被都也才]加)|(?<=加 )(?<![刚已我被]加 )"
            r"|(?<=进)(?<![拉刚已我被加才次一]进)|(?<=加入)(?<![刚已我被才拉也来]加入)(?<!邀请加入)"
            r"|(?<=加入 )(?<![刚已我被才拉也来]加入 )(?<!邀请加入 ))"
            + _LINE
            + r"\s?(?:社群|社团|群组|群)|"
            + _LINE
            + r"\s?@\s?生活圈|"
            + _LINE
            + r"\s?(?:社群|群组)(?=\s?[:：👉➡→])|"
            r"(?:加(?<!不加)(?<!别加)(?<!勿加)(?<!参加)(?<!追加)(?<!增加)(?<!附加)(?<!更加)(?<!叠加)(?<!施加)(?<!外加)入?|\+|➕)"
            r"我?\s?(?:line|赖)(?:\s?id)?(?:\s?的?好友)?(?:\s?[:：]\s*@?"
            + _NOT_A_WORD
            + LINE_ID
            + r"|\s?"
            + MESSENGER_ID
            + r")|"
            + _LINE
            + r"(?:\s?id)?(?=\s?[:：]\s*"
            + MESSENGER_ID
            + r")|ライン(?:\s?id)?(?=\s?[:：]\s*"
            + MESSENGER_ID
            + r")|"
            r"赖(?:\s?id|(?<=加赖))(?=\s?[:：]\s*" + MESSENGER_ID + r")|"
            # 微 alone before a colon and an id ("加微：qd-trip-66", "微：mei_bai_888"), and the pinyin "wei xin：id"
            r"微(?<![稍轻略细微]微)(?=[:：]\s*" + MESSENGER_ID + r")|w(?<![a-z]w)ei\s?xin(?=\s?号?[:：]\s*[a-z0-9])|"
            r"(?:关注|扫描?|官方|此号|本号)微信|微(?<=\d微)信|微(?<=\d[,，\s]微)信|"
            r"微信(?:号|(?=\s?[:：a-z0-9]|公众|公号|群|同号|同手机|同电话|同步|同上|二维码|商城|咨询|搜索?\s*[a-z]|"
            + DECOR
            + f"(?:{SPACED_WECHAT_ID}|{WECHAT_ID})))|"
            r"wechat|绿泡泡|薇(?=号?[:：\s]*[a-z0-9]|号?"
            + DECOR_COLON
            + r")|微(?<![稍轻略细微]微)(?="
            + DECOR_COLON_LETTER
            + r")|(?<![a-z])v(?="
            + SAME_NUMBER
            + r"|[:：]\s*[a-z0-9]|"
            + DECOR_COLON
            + "))"
            # 薇 and a lone v name the channel only right before an id, or before decorations and a colon and an id
            # ("薇❤：abc2024", "v ❤ :abc2024"): without the colon, 小薇❤ is a girl's name. So does 微 with the 信
            # written as a decoration ("微♥：maixiang_bake"), never alone (微博, 稍微).
            # A lone "v信" ends no Latin word ("ktv信息", "tv信号" are no contact). The id may sit behind the word
            # for it ("加微信号 abc123", "vx号:abc123", "微信公众号:abc2015") and
            # decorations ("加 v ❤ :abc123": anything but a letter, digit or the punctuation that ends a clause). The
            # id: WECHAT_ID, or after a colon one written with a space (SPACED_WECHAT_ID, "vx:abc 123"); then any
            # more ids of a list (MORE_WECHAT_IDS, "vx:abc123 / def456"). 微信 is taken where it is a channel
            # offered: after 加, 关注, 扫(描), 官方, 此号, 本号 or a number ("138…，微信"); before 号, 公众号,
            # 公众平台, 公号, 群, 同号, 同步, 同上, 二维码, 商城, 咨询, a colon, a Latin letter or digit, or an id
            # (the lookbehinds follow the literal 微 so that the union of patterns keeps its fast skip). Elsewhere
            # it is the app people live in ("给我爸发微信", "要微信", "微信的钱"): 9 Xiaohongshu notes hold it so,
            # 8 genuine and 1 ad, none a funnel, and such a writer was told "contact details".
            # the id may follow a 是 / 为 ("我的微信号是 mei_bai_888", the commonest way to write one), or 搜
            # ("微信搜 mei8886": search for it)
            r"(?:(?:号|公众号|公号|搜索?)?(?:是|为)?" + DECOR + f"(?:{SPACED_WECHAT_ID}|{WECHAT_ID}){MORE_WECHAT_IDS}"
            # or the id said to be the phone number ("vx同手机号", "微信同号"): offers_contact reads it with the phone
            r"|号?" + SAME_NUMBER + ")?"
        ),
        replace=True,
    ),
    CuePattern(
        "qq",
        "QQ contact",
        # and a lone Q for QQ before its group's number ("加Q群：123456789"), not the q of a Latin word. The number
        # in digits split by separators, or in Chinese numerals ("qq 八五零八七四一三六", as phone numbers are read):
        # _QQ_NUMBER. After 是 / 为 one run of digits or numerals, no date or version ("我的qq是2012.06.18注册的");
        # 企鹅 (a penguin too) before numerals only as 企鹅号 ("企鹅一二三四五六只排成一排" counts penguins).
        re.compile(
            r"(?:qq|q(?<![a-z]q) q|扣扣|企鹅)(?:群号码?|群|号码?|邮箱)?[:：\s]*(?:\d" + SEP + r"){4,10}\d|"
            r"(?:qq|q(?<![a-z]q) q|扣扣|企鹅)(?:群号码?|群|号码?)?(?:是|为)\s*(?:\d{5,11}(?![\d.\-/年月])|"
            + _CN_RUN
            + ")|"
            r"(?:qq|q(?<![a-z]q) q|扣扣|企鹅号)(?:群号码?|群|号码?)?[:：\s]*(?:"
            + CN_DIGIT
            + SEP
            + "){4,10}"
            + CN_DIGIT
            + r"|(?:qq|扣扣)群|"
            r"q(?<![a-z]q)群(?:号码?)?[:：\s]*" + _QQ_NUMBER + "|"
            # Q, 扣我 and 球球 (QQ's nicknames) before a number: "Q：2839475612", "扣我：2839475612"
            r"q(?<![a-z]q)[:：]\s*" + _QQ_NUMBER + r"|扣我[:：\s]*" + _QQ_NUMBER + "|"
            r"球球[:：]\s*" + _QQ_NUMBER
        ),
        replace=True,
    ),
    CuePattern(
        "phone",
        "phone number",
        re.compile(
            # A number given for WhatsApp or Telegram (a Hong Kong "WhatsApp 9123 4567" was shown as the product
            # "WhatsApp 9123"), and an international number with its country code ("+81 90-1234-5678" was not
            # read at all; "+86 138-1234-5678" lost its +86): a "+" not written against a word or number (比分+3,
            # 赛季+1, UTC+9 add), and a group of three digits or more after it (not the scores "+3 21-19 21-17").
            r"(?<![a-z])(?:whatsapp|telegram)\s?[:：]?\s?\+?(?:\d[\s-]?){6,14}\d(?!\d)|"
            r"(?<![\w+])\+\d{1,3}[\s-](?=[\d\s-]*\d{3})(?:\d[\s-]?){7,12}\d(?!\d)|"
            # a Taiwan mobile number as it is written, 0912-345-678 or 0912 345 678: not ten digits run together
            # (订单编号0912345678, 货号0987654321, an ISBN: a review of the first form), nor a piece of a longer number
            r"(?<![a-z0-9.\-])09\d{2}[\s-]\d{3}[\s-]\d{3}(?![\s-]?\d)|"
            r"(?<!\d)(?:1"
            + SEP
            + r"[3-9](?:"
            + SEP
            + r"\d){9}|0\d{2,3}-\d{7,8}|(?<!\d[-\s])0\d{2,3}[-\s]\d{3,4}[-\s]\d{4}(?![-\s]?\d)|400"
            + SEP
            + r"\d{3}"
            + SEP
            + r"\d{4})(?!\d)|(?<!"
            + CN_DIGIT
            + ")"
            + CN_PHONE
            + "(?!"
            + CN_DIGIT
            + ")"
        ),
        replace=True,
    ),
]
