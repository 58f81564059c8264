"""The cue kinds: each a named regular expression with a readable label, and the tables the scan runs.

What a cue *is* lives here (prices, calls to action, brand campaign tags, ...) and, for contact details, in
:mod:`model.cue_contacts`; how a note is scanned for them (precedence of contact details, claims, counting) lives in
:mod:`model.cues`, and the pieces the patterns are written with (separators, URL characters, decorations, id shapes,
amounts, units) in :mod:`model.cue_parts`. Patterns run on
text already passed through :func:`model.text.normalize_text` (NFKC, lower case), so full-width digits and
letters are covered. A pattern change changes the model's documents: bump ``NORMALIZATION_VERSION`` and retrain.
"""

from __future__ import annotations

import re
from dataclasses import replace

from model.cue_contacts import CONTACT_DEFS
from model.cue_parts import (  # noqa: F401 (Cue: re-exported for model.cues)
    AMOUNT,
    AMOUNT_START,
    RUN_START,
    SEP,
    TAKEN_FOR_AD,
    UNIT,
    Cue,
    CuePattern,
)
from model.lexicon import BRAND_EXCLUSIONS, BRANDS, trie_regex


def _p(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


# -- Hashtags ----------------------------------------------------------------------------------------------------
_TAG_CHAR = r"[^#\[\]\n]"  # a character of a closed tag's name
# A character of a typed tag ("#露营 #穿搭"): not whitespace, markup or punctuation, which end such a tag.
_PLAIN_STOP = r"\s#\[\]@,.!?;:。、…~()|\"'“”【】《》「」"
_PLAIN_CHAR = f"[^{_PLAIN_STOP}]"
# A character of a Weibo tag's name: spaces may be inside ("#dusit thani maldives#"), punctuation may not (the
# "#01 很显白,住在3#" between two numbers is no tag).
_WEIBO_CHAR = r"[^#\[\]\n,.!?;:。、…~|@]"


def hashtag_regex(word: str | None = None) -> str:
    """A hashtag, its name as group 1 (``word``: only tags whose name contains a match of it). Three forms, in
    this order: the platform's ``#名字[话题]#``; Weibo's ``#名字#`` (no punctuation in its name, which neither starts
    nor ends with a space, so the ``#A #`` of a typed ``#A #B`` or ``#A,#B`` is not one; nor is it the ``#`` that
    opens a platform tag);
    and a tag typed by hand, ``#名字`` up to a space or punctuation (not a number: a shade ``#01``). The last
    two never open after a Latin letter or digit (``3#楼``) or right after ``]``, where a ``#`` closes other
    markup (a video chapter's ``#00:06[时刻]#``). Each form's
    name is the whole run of its characters, so a tag has one reading and the forms cannot steal each other's
    text (a typed ``#A`` before ``#B[话题]#`` leaves the platform tag whole)."""
    n, w, c = _TAG_CHAR, _WEIBO_CHAR, _PLAIN_CHAR
    has = ("", "", "") if word is None else tuple(f"(?={k}{{0,40}}?(?:{word}))" for k in (n, w, c))
    platform = rf"{has[0]}{n}{{1,40}}(?=\[话题\]#)"
    weibo = rf"(?<![a-z0-9\]]#){has[1]}(?:\s{w}{{0,39}}|(?!\s){w}{{1,40}}(?<!\s))(?=#(?!{n}{{1,40}}\[话题\]#))"
    typed = rf"(?<![a-z0-9\]]#)(?![0-9]+(?!{c})){has[2]}{c}{{1,30}}(?=[{_PLAIN_STOP.replace('#', '')}]|$)(?!\[话)"
    return rf"#({platform}|{weibo}|{typed})(?:\[话题\]#|#)?"


#: Every hashtag of a normalised text, its name as group 1.
HASHTAG_RE = re.compile(hashtag_regex())

#: 官方 (official) as a merchant's or a campaign's word, not in a writer's plea to the platform for reach
#: (#爱官方官方大大求热门, #爱官方别限流: four labelled notes, all genuine): not after 爱, nor before 大大. Nor
#: the 官方 of 官方旗舰店, the shop a writer bought at: its 旗舰店 is read (merchant word and shop), and the 官方
#: before it was shown to that writer as a second piece of merchant wording. Nor 官方 as an authority, what it
#: decided, said or counts (被官方认定, 官方候补, 据官方消息, 官方数据: 3 of the 6 uses in genuine labelled notes, 15 of
#: 51 in WeChat news leads, none in an ad but a university's 官方媒体). The lookbehind follows the literal 官, so
#: the union of patterns below keeps its fast skip.
#: Words of an exception after a writer's "I never take ads" ("但这次例外", "除非产品真的好", "这次破例"): then it is
#: the opener of a paid note, not a denial.
_EXCEPTION_WORDS = "但|这次|这回|除非|例外|破例|唯独|只有|不过"
_EXCEPTION = f"(?:{_EXCEPTION_WORDS})"
#: Who a paid deal is made with, in a denial of one ("没有和任何品牌合作", "没有品牌方赞助").
_PARTNER = "(?:品牌方?|商家|店家|店铺|餐厅|老板|机构|厂家|厂商|官方|平台|公司|广告主)"
#: Where a denial of a deal stays one; not (a review found each turning a paid note's disclosure into a claim):
#: a question (…合作过吗); a time before the deal (未与品牌合作前我就是粉丝, 还没有合作的时候); a fee or a sponsor
#: (没有赞助费, 赞助商); and a sentence that goes on to the deal there was after all: an exception (但, 这次,
#: 除了这一家), the "never before" of a first deal (直到, 第一次, 首次), a gift (产品是品牌寄来的, 品牌赠送),
#: another partner (而是, 是和经销商合作的, 是MCN找的我). Within 40 characters: normalised text has no line breaks.
_STILL_A_DENIAL_WORDS = (
    _EXCEPTION_WORDS + "|除了|直到|第一次|首次|寄|赠送|送的|提供的|而是|是和|是跟|是与|找的我|找我|找上"
)
_STILL_A_DENIAL = (
    r"(?!过?[吗呢吧?？])(?!前|之前|以前|的时候|时|费|商|金)(?![^。！!？?]{0,40}(?:" + _STILL_A_DENIAL_WORDS + "))"
)
#: :data:`_STILL_A_DENIAL` for the denials in other words (零合作, 不恰饭…), which open a paid note's story as
#: often as they deny one: read past the sentence's end ("零合作！这次破例"), with more words of a first deal, a
#: gift or a fee (第一个, 首个, 邀约, 终于, 结束, 给的, 送我, 报酬, 佣金, 样品, 今次, 呢次, 搵我) and more question
#: marks (么, 嘛).
_STILL_A_DENIAL_AFTER_ALL = (
    r"(?!过?[吗呢吧么嘛?？])(?!前|之前|以前|的时候|时|费|商|金|报酬|以外|之外)(?!.{0,40}(?:"
    + _STILL_A_DENIAL_WORDS
    + r"|第一|首个|送我|送了|给的|搵我|邀|今次|呢次|终于|结束|打破|报酬|佣金|样品|内购|礼盒|mcn|代理|才怪|骗|假的))"
)
#: What says a denial is of this note: a word for it before ("本篇零合作", "这篇不恰饭")...
_THIS_NOTE = ("本篇", "本文", "本条", "本期", "这篇", "这条", "这期", "此篇", "全文", "全篇")
_NOTE_SAYS = r"(?:笔记|内容|视频|分享)?(?:是|为|都|也)?\s?"
#: The denials in other words, by the character they open with: 零 / 0 (零合作, 0广告, 零 推广, 零恰饭), 不
#: (不存在任何合作, 不涉及商业推广, 不恰饭, 不打广告, 不接任何合作), 没 (没接任何广告, 没有接受过品牌的合作,
#: 没接到过推广, 没有恰饭, 没合作), 非 / 无 (非恰饭, 无恰饭, 无任何广告).
_ZERO_DEALS = r"\s?(?:商业|品牌)?(?:合作|推广|广告|恰饭)(?!伙伴)"
_NO_DEALS_BU = (
    r"(?:(?:存在|涉及)(?:任何)?(?:商业|商务|品牌)?(?:合作|推广|广告|恰饭)|恰饭|打(?:任何)?广告|"
    r"接受?(?:任何)?(?:商业|商务|品牌)?(?:合作|推广|广告))"
)
_NO_DEALS_MEI = (
    r"有?(?:接(?:受|到)?过?(?:任何)?(?:品牌的?|商业|商务)?(?:广告|推广|合作|软广)|恰饭|合作|打(?:任何)?广告)"
)
_DENIED_IN_OTHER_WORDS = (
    "(?:零"
    + _ZERO_DEALS
    + "|0"
    + _ZERO_DEALS
    + "|不"
    + _NO_DEALS_BU
    + "|没"
    + _NO_DEALS_MEI
    + "|[非无]恰饭|无任何广告)"
)
#: ... or the writer's word for an honest note right after it ("零合作，纯分享", "没有恰饭，自费买的").
_OF_THIS_NOTE = (
    r"(?=[，,、\s~～!！]{0,3}(?:纯分享|纯自用|纯自费|纯安利|纯记录|自费|自用|自己买|自己掏钱|自掏腰包|真实分享|个人分享|"
    r"放心看|只说真话|无广))" + _STILL_A_DENIAL_AFTER_ALL
)
#: Where 没 starts no denial: 有没 (a question), 还没 (not yet), 不是没 / 谁说没 (a double negative), 如果没 / 要是没 /
#: 假如没 / 若(是)没 (a condition); the denials in other words add 说我没 ("谁说我没恰饭").
_NOT_A_DENIAL_OF_MEI = "(?<!有没)(?<!还没)(?<!不是没)(?<!谁说没)(?<!如果没)(?<!要是没)(?<!假如没)(?<!若是没)(?<!若没)"
#: The money of a deal denied, after 没有收到 / 未收取 ("任何品牌的赞助", "推广费").
_DEAL_MONEY = r"(?:任何)?(?:" + _PARTNER + r"的?)?(?:赞助|推广费|合作费)"
#: 官方 as a merchant's word (官方正品, 官方授权), not the customer service or after-sales a customer called (官方客服,
#: 官方的客服, 官方售后: honest complaints were told 商家用语) nor what an authority published.
_OFFICIAL = (
    "官(?<!爱官)方(?!的?客服|售后|大大|旗舰店|认定|公布|发布|宣布|回应|通报|数据|消息|候补|说法|媒体|机构|历史|统计)"
)


#: The characters of an amount in Chinese numerals, everyday and formal ("满三百减五十", "满三佰减伍拾").
_CN_AMOUNT = "零一二三四五六七八九十百千两壹贰叁肆伍陆柒捌玖拾佰仟"
DEFS = [
    *CONTACT_DEFS,
    CuePattern(
        "price",
        "price or discount",
        _p(
            # Each amount whole, with its currency sign and unit ("¥1,299元" is one price), a discount with all its
            # digits ("95折" is 5% off, not the "5折" of half price) and both sides of "满300减50".
            r"[¥￥$]\s*" + AMOUNT + r"(?:元|块钱)?|" + AMOUNT_START + AMOUNT + r"\s*(?:元|块钱|rmb)|"
            r"原价|现价|到手价|券后|优(?<!没有优)(?<!没优)(?<![无没有]任何优)(?<!无优)惠券|领券|"
            + RUN_START
            + r"\d+(?:\.\d+)?折|"
            # a term denied is no offer ("不包邮，不议价" of a writer selling their own dryer, "不打折也没有优惠券" of
            # a complaint), nor 无限时 (unlimited, of a broadband plan); a code of a discount with the code
            r"打(?<![不没]打)(?<!没有打)(?<!不能打)折|折扣码[:：\s]*[a-z0-9]{3,20}|折扣|包(?<!不包)(?<!没有包)(?<!没包)(?<!不能包)邮|秒杀|特价|限(?<!无限)时|"
            r"(?:优惠|兑换)码[:：\s]*[a-z0-9]{3,20}|"
            # a code given as a password of the offer ("口令 YOGA2024", "暗号：MEI88", 淘口令 "口令￥AbC123￥"), with
            # a letter and a digit in it: 口令 alone is a yoga teacher's spoken cues (口令跟练) or a drill's
            # ("喊口令1234"), a wifi's password; 暗号 only one told to a shop (报/说/对/备注/专属暗号), not a puzzle's
            r"(?:口(?<!wifi口)(?<!密码口)令|暗(?:(?<=报暗)|(?<=说暗)|(?<=对暗)|(?<=注暗)|(?<=属暗))号)(?:是|为)?[:：\s]*[【「“\"¥￥]?(?=[0-9]*[a-z])(?=[a-z]*\d)[a-z0-9]{3,20}(?![a-z0-9])|"
            # offers with their amounts a writer's walkthrough found read as wording: a top-up bonus (充500送200) and a
            # discount in Chinese numerals (全场五折, 打八折; not 三折屏, a phone). Offers without an amount (买二送一,
            # 最低价) stay words: tried as cues, they turned honest notes naming what they used into ads (findings.md).
            + RUN_START
            + r"\d{2,5}送\d{1,5}(?!\d)|(?:全场|全店|打|低至|享)[一二三四五六七八九](?:点[一二三四五六七八九])?折|"
            r"满(?<![年已未]满)\d+减(?:\d+(?:元|块钱)?)?|满(?<![年已未]满)(?=\d*[" + _CN_AMOUNT + "])"
            r"[\d" + _CN_AMOUNT + r"]+(?:元|块)?减[\d" + _CN_AMOUNT + r"]+(?:元|块钱?)?|"
            r"立减|低至|价格表|拼团|"
            # The English funnel's discount: "20% off", a discount code ("use my code lily20", "promo code",
            # "code lily20 for 20% off"; the code itself holds a digit, so "use my code for ..." takes no "for").
            + RUN_START
            + r"\d+(?:\.\d+)?\s?%\s?off(?![a-z])|(?<![a-z])(?:(?:use(?: my| our| the)?|my|promo|discount|coupon) code"
            r"(?: ?[:：]? ?(?=[a-z]*\d)[a-z0-9]{3,20}(?![a-z0-9]))?|code [a-z0-9]{3,20}(?= for \d))"
        ),
    ),
    CuePattern(
        "call_to_action",
        "call to action",
        _p(
            # "评论区扣1" (reply "1" and I send the link): the 1 is the cue as much as the 扣. Not 评论区 alone, nor
            # 评论区见 / 留言 / 回复: in the labelled notes they are how writers talk to readers ("想看什么评论区见",
            # "评论区的姐妹", "有问题评论区留言"; 23 genuine notes, 2 ads), and such a writer was told "call to action".
            # Not a message the writer received (粉丝私信发的, 伙伴私信我, 私信邀约, 私信轰炸; "姐妹们私信我" and
            # "私信问价" stay), a click as a metric (点击率, 点击量) or the meme "offer点击就送", 戳 in an idiom
            # (暗戳戳, 戳中, 戳破): each in genuine labelled notes and in no ad's funnel (one ad's "颜值戳中", praise).
            # 连结 (Taiwan's 連結, read one character for one) where it offers a link, not a bond ("情感连结")
            r"点击连结|点连结|附连结|附上连结|贴连结|戳连结|开连结|看连结|"
            r"连结(?=\s?(?:在|放在?|见)\s?(?:主页|首页|评论|留言|置顶|简介|下方|下面|bio)|\s?[👇⬇↓:：])|"
            # Not a 私信 a stranger sent (有人私信我, 陌生人私信, 网友私信, 一个陌生号私信, 被…私信, 这种私信,
            # 私信骂我: a walkthrough's scam warning was told 购买引导 for "有人私信我"); "关注公众号私信领取" and
            # "一直有人私信问我…" (an opener before the answer) stay.
            r"链接|🔗|私(?<!粉丝私)(?<!收到私)(?<!伙伴私)(?<!陌生人私)(?<!骗子私)(?<!这种私)(?<!网友私)"
            r"(?<!生号私)(?<!小号私)(?<!个号私)(?<!的号私)(?<!销号私)(?<!账号私)(?<!被私)信(?!邀约|箱|轰炸|骂|骚扰|威胁)"
            r"(?!(?<=有人私信)(?:我|你|让|叫|说|要|发|问你))|私我|滴滴我|dd我|主页|"
            r"橱窗|评论区扣(?:\s?1+(?!\d))?|下单|点击(?!率|量|数|就送)|戳(?<!暗戳)(?<!戳戳)(?!戳|中|心|到|穿|破|死|了)|"
            # 扫码 as an invitation, not how a writer ordered, paid or rode (扫码点餐, 扫码付款, 扫码进站) unless an
            # offer follows ("扫码点单送饮品一杯"); 咨询 as an invitation, not what the writer did (咨询了两家医院,
            # 咨询过客服; "咨询了解更多", "咨询了再拍", "咨询过的姐妹都知道" invite).
            r"扫码(?!(?:点餐|点单|付款|支付)(?![^，。！？,.!?\n]{0,8}(?:送|赠|享|减|折|券|免单|优惠|半价|领(?![号位])|返(?!回)|抽奖|红包|积分))|乘车|进站|开门|登录)|"
            r"咨询(?:(?<=多姐妹咨询)|(?<=多人咨询)|(?!了(?!解|再)|过(?!的(?:姐妹|宝子|宝宝|宝妈|朋友|小伙伴|顾客|客户(?!经理)|客人|亲(?![戚友人属]))|再)))|"
            r"长按识别(?:下方|上方|下面|上面|下图中?|图中|图片)?的?二维码|识别(?:下方|上方|下面|上面|下图中?|图中|图片)?的?二维码|"
            r"长按二维码|扫(?:描)?(?:图片|下方|上方|下面|上面|图中)?的?二维码|"
            # 报名 as an invitation to sign up (欢迎报名, 点击报名, 报名电话), not what a writer paid or filled in:
            # 报名费, 报名表, 付费报名, 已报名 (an exam note was flagged for "全部花费加报名费也就三千出头").
            # 入手 as a pitch (值得入手, 趁活动入手, 可以入手了), not across a word's edge (进入手机, 推入手术室,
            # 输入手机号) nor the writer's own purchase told (最近入手, 刚入手, 已入手, 入手一周，…, 入手三个月了;
            # "入手3天无理由退换" and "值得入手一年四季都能穿" still pitch).
            # 预约 as an invitation, not one the writer did not make (没预约, 没有预约, 未预约) nor one made
            # already (已预约, 已经预约, 提前预约了餐厅, "我们是提前两天预约的", "在公众号上预约了周六上午的口腔科"),
            # a hospital's registration (预约挂号, 预约了挂号), or a
            # booking after 提前预约 of a thing a writer books (门票, 野餐, 移机, 餐厅, 体检, 酒店…: a walkthrough's
            # broadband move was told 购买引导; genuine labelled notes hold these, the 4 预约 of ads are 记得预约,
            # 立即预约, 可预约直播). 提前预约 alone or before an offer stays ("记得提前预约！", "欢迎提前预约体验",
            # "提前预约享8折", "请提前一天预约哦" invite), as do 找我预约, 要预约, 开放预约了, 免预约, 无需预约,
            # 不用预约 (a shop's "无需预约，直接到店" invites), "可以来预约的~" and "预约了今天的姐妹记得准时到店".
            r"预(?<!没预)(?<!没有预)(?<!未预)(?<!已预)(?<!已经预)约(?!了?挂号)(?:(?<=[来以迎我]预约)|(?!的(?:[,，.。!！~～\s]|$)))"
            r"(?!(?:(?<=[我刚就已上里]预约)|(?<=们预约)(?<!宝子们预约)(?<!妹们预约)(?<!宝们预约)(?<!你们预约)(?<!家们预约))了(?:周|这周|下周|本周|今天|明天|后天|[上下]午|早上|晚上|[一二三四五六七八九十两\d]{1,2}[号日点月]))"
            r"(?!(?<=提前预约)了?(?:门票|野餐|移机|餐厅|座位|位子|体检|酒店|房间|景区|场馆|车位|核酸|疫苗|签证|入园|参观|门诊))|"
            r"报(?<!付费报)(?<!已报)名(?!费|表)|蹲一个|有需要的|需要的(?:宝[宝子贝]?|姐妹|朋友)|"
            # 后台 where readers are sent (后台回复, 后台私我), not an app's or a shop's back end (商家后台显示已退款,
            # 手机后台运行, 清理后台); 购买 but not what the writer did before buying (购买前对比过批号; "购买前联系我"
            # asks).
            r"后(?<!商家后)(?<!店铺后)(?<!手机后)(?<!清理后)(?<!切换后)(?<!演唱会后)台"
            r"(?!门|运行|保活|显示|杀|管理|数据|程序|应用|进程|播放|刷新|自启|耗电|清理|强制|自动(?!回复)|下载|人员)|"
            r"购买(?!前(?!\s?(?:请|联系|可以?|记得|务必|先|找我|私|加|咨询|领|需\s?(?:联系|私|咨询)|需要\s?私|建议\s?私|一定要\s?私)))|"
            r"入(?<![进输录导加投推收介深融注陷存渗]入)(?<!最近入)(?<!刚入)(?<!新入)(?<!已入)(?<!我入)手(?![机术套续过])"
            r"(?![一两三四五六七八九十半\d]{1,3}(?:天|周|个?月|年|个?星期)(?:了|以来|多|左右|啦|后(?![^，。！？]{0,2}(?:你|就能|就会|会|即可|见效|效果|看到))|[,，.。!！~～\s]|$)(?![^。！？]{0,3}(?:无理由|包退|包换)))|"
            # a group or a private message offered to readers (我拉你进群, 先拉你们进群, 私发给你们; not a scam
            # warned of, "骗子会先拉你进群", "陌生人拉你进群千万别信", "拉你进群让你刷单", nor "我私发给你吧" between
            # two people)
            r"想要同款|拉(?<!会先拉)(?<![有生]人拉)(?<!子拉)(?<!对方拉)(?<![他她]拉)(?<!会拉)(?<!说拉)(?<!晚点拉)你们?[进入]群(?![^，。！？,.!?]{0,12}(?:刷单|返利|骗|转账|投资))|私(?<!我私)(?<!说私)发(?=给?你们)|"
            # an invitation code with its code (not 推荐码数, a recommended size, nor 注册要邀请码)
            r"邀请码[:：\s]*[a-z0-9]{3,20}(?![a-z0-9])|推荐码[:：\s]*[a-z0-9]{3,20}(?![a-z0-9])|"
            # The English funnel to the link: whole words (the lookbehind sits after the first letter so the union
            # of patterns below keeps its fast skip).
            r"l(?<![a-z]l)ink in (?:my )?bio(?![a-z])|s(?<![a-z]s)wipe up(?![a-z])|s(?<![a-z]s)hop my(?![a-z])"
        ),
    ),
    CuePattern(
        "merchant",
        "merchant vocabulary",
        _p(
            # 定制 only as a maker's offer (可定制, 支持定制, 量身定制, 定制师, 定制游): the customer's 全屋定制,
            # 沙发定制, 定制柜子, 定制版 of a phone, and the platform's topic #定制你的专属 are what a writer bought or
            # tagged (16 genuine Xiaohongshu notes, 14 ads: half of those ads offer it in these words). 小店 only as
            # the writer's own (本小店, 我家小店, 我们的奶茶小店) or opening (小店新品上架, 小店终于开业): "宝藏小店",
            # "胡同里的小店" are shops visited (12 genuine Xiaohongshu notes, 2 ads).
            # 实体店 is a merchant's (我们实体店, #服装实体店), not the shop a customer goes to or compares with
            # (去实体店, 比实体店便宜, 实体店试过: 217 reviews, a genuine labelled note, no ad). 工厂店 and 团购券 the
            # same: a merchant's (我们工厂店, 工厂店直销, 工厂店价格… opening a clause; 团购券在置顶, 本店团购券), not
            # the outlet a shopper went to or the coupon a diner bought (耐克工厂店很多断码, 买的团购券: a walkthrough's
            # honest notes were told 商家用语 for them).
            r"厂家|工厂(?!店)|我们工厂店|我家工厂店|源头工厂店|工厂店(?=\s?(?:直销|直营|直供|清仓|特卖|地址|代发|批发|开业|拿货|发货|出货|货源|一手))|工(?<![^，。！？,.!?\s]工)厂店(?=价格?|现货)|源头|批发|加盟|招商(?!银行|局|证券)|代理|门店|店铺|实(?<![去到逛在比跑]实)体店(?![试买看逛])|地址[:：]|营业时间|"
            r"工作室|接单|承接|团购(?!券)|本店团购券|我们家团购券|我们团购券|我家团购券|团购券(?=\s?(?:在|见|放|已上线|限时|链接|👇|[:：]))|"
            r"可定制|支持定制|接受定制|欢迎定制|量身定制|私人定制|高奢定制|定制(?:师|游|行程|旅行|服务)|"
            # (本 of 日本, 基本, 成本… is no 本店: "在日本小店买的")
            r"本(?<![日基根资成原版剧书账课样标记]本)小?店|我们小?店|我(?:的|家)小店|我们的[^\s，。！？、是]{0,6}小店|"
            r"小(?<!这家小)店(?=[^\s，。！？、]{0,4}(?:上新|上架|开业|开张|营业|新品|预定|预订))|旗舰店|" + _OFFICIAL
        ),
    ),
    CuePattern(
        "disclosure",
        "sponsorship or collaboration",
        # Not the 广告 of the writer's own "无广告" / "非广告", nor of "不要广告" (a reader asking for no ads); no
        # word read across a word's edge: 适合|作为, 一赞|助力, 试试|用; nor words that only share the characters:
        # 合作伙伴 / 合作方 / 合作区 (partners in work, trade zones), 试用期 (a job's probation), 合伙人 (a business
        # partner: every labelled note naming one was about office life but a hashtag of one ad); nor 合作过的
        # (the people one has worked with, not the brands), 团队合作 (team work), cooperation as a way of working
        # (竞争与合作, 长期合作需要…, 合作模式: two genuine notes on office life and training partners, no ad; a
        # writer was told 合作披露 +1.25 for "职场中的竞争与合作并存"), 广告 as a subject of study
        # (学的是广告, 广告专业), the ads an app or a phone shows its user (开屏广告, 弹窗广告, 开机广告, 片头广告,
        # 系统广告, APP广告, 跳过广告, 屏蔽广告: a walkthrough's phone review "系统广告还是有"
        # was told 合作披露; not 广告多, which a writer's "最近广告多了点，姐妹们见谅" discloses), a platform topic
        # tag (#旅行推荐官[话题]#: three labelled notes, all genuine), 恰饭 as eating (就恰饭啦, 一边恰饭), a patch
        # test (耳后试用). 甲方 is the client of any job (陪甲方喝酒, 给甲方交付: five genuine notes); it discloses
        # only as a credit (甲方:@brand, 甲方爸爸, 感谢甲方). 品牌方 is no disclosure where an impostor claims it
        # (冒充品牌方, 自称是品牌方: a scam warning was told 合作披露). The lookbehinds follow a literal first
        # character, so the union of patterns below keeps its fast skip.
        _p(
            r"品牌合作|合(?<!适合)(?<!团队合)(?<!与合)(?<!长期合)作(?!伙伴|方|区|模式|过的(?!品牌)|愉快)|赞助(?!力)|广(?<![无非]广)(?<!不要广)(?<!学的是广)(?<!学广)(?<!开屏广)(?<!弹窗广)(?<!贴片广)(?<!开机广)(?<!片头广)(?<!弹出广)(?<!系统广)(?<!app广)(?<!跳过广)(?<!屏蔽广)告(?!专业|学|安装|弹窗)|"
            r"推广|推荐官(?!\[话题\]|#)|恰(?<![去就来先再起边]恰)饭|商单|甲方(?=\s?[:@]|爸爸)|感谢甲方|"
            r"体验官|种草官|品(?<!冒充品)(?<!假冒品)(?<!自称品)(?<!自称是品)(?<!假装品)(?<!谎称品)(?<!伪装成品)(?<!声称是品)(?<!冒充是品)牌方|试(?<!试试)(?<!耳后试)(?<!手背试)(?<!局部试)用(?!期|装)|受邀|官方寄|"
            # English disclosures: #ad only as a whole hashtag (never the "ad" inside a word or a tag like #adidas).
            # "gifted" only in its disclosure forms (#gifted, "(gifted)", "pr gifted", "gifted by @brand"): alone it
            # is a present from anyone ("gifted by my mom for my birthday" is an honest note).
            r"#(?:ad|sponsored|collab|gifted)(?![a-z0-9_])|p(?<![a-z]p)aid partnership|\(gifted\)|"
            r"p(?<![a-z]p)r[\s-]?gifted(?![a-z])|g(?<![a-z]g)ifted by(?=\s?@)|s(?<![a-z]s)ponsored by(?![a-z])"
        ),
    ),
    CuePattern(
        "no_ad_claim",
        "writer says it is not an ad",
        # "无广" (no ad), "非广", "自费" (paid for it myself): the writer vouching for the note. Every note in the
        # labelled Xiaohongshu data that says so is genuine (20 of 20), but an advertiser can append it as easily:
        # as evidence it un-flagged 37 of 226 flagged ads given " #无广 #纯自费". So it is deleted from the document.
        # A denial (不是广告, 没有任何合作) is the same claim; the 广告 or 合作 inside it is no disclosure. So is
        # denying a funnel (没有链接, 不带货, 不卖): its 链接 is no call to action. Deleting the words cannot hide
        # anything else: "没有链接，私信我" keeps its 私信. "无商单" (no paid deal) is the same claim, and so is the
        # 恰饭 (earning one's keep) it is often written with: "无商单恰饭" denies both. So are the denials with the
        # verb (不是打广告, 不是在打广告, 没有打广告, 没打广告), in Cantonese (唔係廣告, read as 唔系广告) and in
        # English ("not sponsored", "not an ad", "no ads"): without them a writer's "不是打广告" was told 合作披露
        # for its 广告 and decided ad. Every branch starts with a literal: one led by a class ([无非]商单) costs the
        # union of patterns its fast skip (+30 us a note).
        _p(
            r"无广告?|非广告?|自费|不是(?:在?打)?(?:广告|软广)|不是(?:恰饭|商单)|没有(?:任何)?(?:广告|合作|链接|商单)|"
            # "不是推广，也不是品牌合作，品牌方没找过我" (decided ad at 0.91 for its 合作披露), "从来不接广告",
            # "没有收钱", and a link denied with its 会 ("不会发链接"; a WeChat denied, "不会让大家加微信", is still a
            # contact: contact details claim their span before any claim is read)
            # Not a question (这不是推广吗, 谁说不是推广呢), and 不接 not before an exception in its sentence: "从来不接
            # 广告，这次是被这款精华打动才答应的" is the classic opener of a paid note (a reviewer's example).
            r"不(?<!谁说不)(?<!难道不)是在?推广(?![吗呢吧?？])|不(?<!谁说不)(?<!难道不)是(?:品牌|商业)?合作(?![吗呢吧?？])|"
            r"品牌方没有?找过?我|没有收钱|没有?拿钱|"
            r"从来不接(?:广告|推广|商单|软广|恰饭)(?![^。！!？?\n]*" + _EXCEPTION + r")|"
            r"从不接(?:广告|推广|商单|软广|恰饭)(?![^。！!？?\n]*" + _EXCEPTION + r")|"
            r"不接(?:广告|推广|商单|软广|恰饭)(?![^。！!？?\n]*" + _EXCEPTION + r")|不会(?:发|放|贴|挂|给)链接|"
            r"没有?在?打(?:广告|软广)|唔[系是](?:广告|软广)|无链接|不带(?:链接|货)|"
            # A deal denied with its partner or its money: "没有和任何品牌合作", "没跟品牌方有过合作",
            # "没有任何机构赞助", "没有收到任何品牌的赞助", "无任何合作", "非商业合作", "未与任何品牌合作" (a
            # writer's "没有跟品牌合作" was decided ad at 0.74 for its 品牌合作), while it stays a denial
            # (_STILL_A_DENIAL: no question, no "never before" of a first deal, no gift or other partner after it).
            # Not a double negative (不是没有, 谁说没有), a question answered (有没有…合作), a condition
            # (要是没有官方合作，这个价格拿不到), a deal not yet made or paid (还没有, 尚未), nor 非 of 除非, 中非.
            r"没" + _NOT_A_DENIAL_OF_MEI + r"有?"
            r"(?:(?:和|跟|与|同)(?:任何|一个|一家)?" + _PARTNER + r"?(?:有过?)?(?:任何)?(?:商业|商务)?(?:合作|推广)|"
            r"(?:任何)?(?:" + _PARTNER + r"的?|商业|商务)(?:任何)?(?:合作|赞助|推广)|(?:任何)?赞助|"
            r"(?:接受|收到?|拿)过?" + _DEAL_MONEY + ")" + _STILL_A_DENIAL + "|"
            r"无(?:任何)?(?:品牌方?|商业|商务)?(?:合作|赞助|推广)(?!伙伴|精神|意识|意向|不)" + _STILL_A_DENIAL + "|"
            r"非(?<!除非)(?<!无非)(?<!是非)(?<![中亚南]非)(?:商业|商务|品牌)?(?:合作|赞助|推广)(?!伙伴|博弈)"
            + _STILL_A_DENIAL
            + "|"
            r"未(?<!尚未)(?<!还未)(?:(?:和|跟|与|同)(?:任何)?" + _PARTNER + r"?(?:有过?)?(?:任何)?(?:合作|推广)|"
            r"(?:接受|收到?|收取)" + _DEAL_MONEY + ")" + _STILL_A_DENIAL + "|"
            # The same denial in other words (零合作, 0合作, 不存在任何合作, 不涉及商业推广, 没接任何广告,
            # 没有恰饭, 不恰饭), each of which told an honest writer 合作披露 for its 合作, 推广 or 恰饭, but only
            # where it is said of this note: after 本篇, 这篇, 本文, 全文… or before 纯分享, 自费, 自用, 真实分享…
            # ("零合作，纯分享"). Alone they open paid notes as often ("三年零合作！今次终于有品牌搵我", "以前零合作。
            # 这次…", "不恰饭是不可能的": a review of the first form found 13 of 31 paid notes written to attack it
            # decided lower), and the guard (_STILL_A_DENIAL_AFTER_ALL) reads past the sentence's end.
            r"零" + _ZERO_DEALS + _OF_THIS_NOTE + "|"
            r"0(?<!\d0)(?<![.,]0)" + _ZERO_DEALS + _OF_THIS_NOTE + "|"
            r"不(?<!谁说不)(?<!难道不)(?<!不得不)(?<!说我不)(?<!可能不)" + _NO_DEALS_BU + _OF_THIS_NOTE + "|"
            r"没" + _NOT_A_DENIAL_OF_MEI + "(?<!说我没)" + _NO_DEALS_MEI + _OF_THIS_NOTE + "|"
            r"非(?<!除非)(?<!无非)恰饭" + _OF_THIS_NOTE + "|"
            r"无(?:任何)?恰饭"
            + _OF_THIS_NOTE
            + "|"
            + "|".join(f"{w}{_NOTE_SAYS}{_DENIED_IN_OTHER_WORDS}{_STILL_A_DENIAL_AFTER_ALL}" for w in _THIS_NOTE)
            + "|"
            r"无商单(?:恰饭)?|非商单(?:恰饭)?|没接过?商单|不卖(?!关子)|"
            # Keeping clear of looking like one ("免得被说打广告", "怕被当成广告") and the link not given
            # ("链接我就不放了", "就不放链接了"): an honest complaint's "链接我就不放了，免得被说打广告" was told
            # 购买引导 and 合作披露.
             + "|".join(f"{w}{TAKEN_FOR_AD}" for w in ("免得被", "以免被", "省得被", "怕被")) + "|"
            # (not 链接不放心 / 不发货 / 不给力, which say nothing of giving one, nor a reader asking 为什么不放链接)
            r"链接(?:我|这里|就|也)*不(?:放|贴|挂|发|给)(?!心|货|力|退|错|出|动)了?|"
            r"不(?<!怎么不)(?<!为什么不)(?<!为啥不)(?<!咋不)(?:放|贴|挂|发|给)链接|"
            r"n(?<![a-z]n)ot (?:an? )?(?:ad|sponsored|gifted|paid)(?![a-z])|n(?<![a-z]n)o (?:ads?|sponsorship)(?![a-z])"
        ),
        delete=True,
    ),
    CuePattern(
        "giveaway",
        "giveaway / lucky draw",
        # Not a job's benefits (福利待遇, 薪酬福利, 高福利), a welfare lottery (福利彩票), an orphanage (福利院), nor
        # the treat of "芋泥控的福利来了" (X控的福利: a fan of X's; "学生党的福利" stays).
        _p(
            r"抽奖|开奖|抽\d+|送\d+份|免费送|福(?<!薪酬福)(?<!高福)(?<!隐性福)(?<!员工福)(?<!控的福)(?<!没福)(?<!没有福)利(?!待遇|彩票|院)|"
            r"中奖|转发抽|关注\+|评论抽"
        ),
    ),
    CuePattern(
        "sales_tone",
        "sales-pitch phrase",
        _p(
            # Not 回购 denied (不会回购了, 不再回购, 没回购, 拒绝回购): a writer's verdict against the product, which a
            # writer's walkthrough found quoted as 推销话术 beside the "不会" that denies it. 还会再回购 stays a
            # pitch, and so does a double negative (不得不回购, 没法不回购, 谁能不回购).
            r"闭眼入|谁用谁知道|必入|必买|必备|冲鸭|冲就完了|手慢无|"
            r"回(?<!(?<!不得)(?<!没法)(?<!谁能)(?<!不能)(?<!怎能)不回)(?<!没回)(?<!没有回)(?<!不会回)(?<!不会再回)(?<!不再回)"
            r"(?<!不想回)(?<!不打算回)(?<!拒绝回)购|"
            r"囤货|强烈推荐|安利|yyds|绝绝子|神器|天花板|宝藏|"
            # urgency of an offer (a gym's "名额有限先到先得" was 用词, and its advice offered nothing to change)
            r"名额有限|先到先得|售完即止|数量有限"
        ),
    ),
]

#: A series word after a model number ("v15 pro"): with one, even a single letter and two digits is a model.
_SERIES = "(?:pro|max|plus|ultra|mini|se|lite|air)"
#: English words that count, place or time what follows them: "about 15", "for 20", "in 2024" are no model name.
_COUNTING_WORDS = (
    r"(?:about|around|over|under|only|for|in|at|on|of|to|the|and|or|with|from|after|before|within|than|nearly|"
    r"almost|approx|just|up|by|per|last|next|first|every|each|all|step|steps|tips?|part|page|level|round|week|"
    r"month|year)[\s-]?\d"
)
#: Not 激励计划: a platform's creator incentive programme (#原神创作者激励计划, #小红书影像激励计划) is no brand's
#: campaign nor a sponsorship: 19 of 2,116 genuine labelled notes carry one, 1 of 274 ads. Not 心动
#: (#恋与深空心动王座, a game's fans): it means "heart-fluttering", not a campaign; in a hashtag in 10 genuine notes
#: and 3 ads, too few to say more. Not 推荐官: a platform's topic (#旅行推荐官, #影视推荐官, #小红书美食推荐官) that
#: anyone may tag, in 3 genuine labelled notes and no ad. Counts from `python -m training.cue_counts`.
#: Nor 官方 in a plea to the platform (:data:`_OFFICIAL`).
CAMPAIGN_WORDS = (
    # 我和我的X as a campaign ("我和我的XX面霜"), not the writer's family, pet, friend or body (#我和我的老外爸爸,
    # #我和我的后背, #我和我的crush: 3 genuine labelled notes, no ad).
    "合伙人|体验官|种草官|周年|年货节|购物节|狂欢|挑战赛|我和我的(?!后背|crush|老外|爸|妈|猫|狗|宝|男|女|闺蜜|室友|老公|老婆)|"
    f"越用越|{_OFFICIAL}|旗舰|新品|上新|联名|"
    "首发|大促|双11|双十一|618|好物节|宠粉|品牌日|超级品牌|出道"
)
DEFS += [
    CuePattern(
        "brand_campaign_tag",
        "brand campaign hashtag",
        # A hashtag carrying a campaign word: anniversaries, festivals of a shop, "我和我的X", "X越用越香",
        # ambassador programmes, launches. The hashtag is the evidence (its brand is inside it).
        _p(hashtag_regex(CAMPAIGN_WORDS)),
        outside_contacts=True,
    ),
    # Two kinds, because one regex mixing both kinds of branch loses the engine's fast skip (~300 us a note
    # instead of ~10 us). Latin names are whole words: "vivo" but not "vivid".
    CuePattern(
        "brand_mention",
        "brand or product name",
        _p(trie_regex([b for b in BRANDS if not b.isascii()], exclude=BRAND_EXCLUSIONS)),
    ),
    CuePattern(
        "brand_mention_latin",
        "brand or product name",
        _p(
            "(?:"
            + trie_regex([b for b in BRANDS if b.isascii()], word_start=True, exclude=BRAND_EXCLUSIONS)
            + ")(?![a-z])"
        ),
    ),
    CuePattern(
        "product_model",
        "product model name",
        # Latin letters then digits ("x300", "tt350", "mate60", "xr-500", "iphone 15"), optionally a series word;
        # not picture numbers (p1), volumes, episodes, days or a single letter with one or two digits (a1, s2) but
        # x5 is kept, and so is one with a series word ("v15 pro"). Nor a word before an amount: a number followed
        # by a currency or unit ("jeans 199元", "latte 28块", "面膜 5片", "15 days") is a price or a count, whether
        # or not a space separates it from the word. Nor one digit set apart from its word ("about 5", "mock 4",
        # "gpa 3.7"), nor a number after a word that counts or places ("about 15", "step1", "in 2024"): in the
        # labelled notes that left out 19 matches, none a product (list numbers, steps, scores, a recipe's
        # version, a shade, a mall), and the notes matched went from 37 genuine / 19 ads to 30 / 16. Nor a number set
        # apart from its word and followed by "." and a letter: the next item's number ("changsha city 16.happy").
        _p(
            # nor a handle after "@" (a friend's "@amy1998"), a code after 码 (优惠码XHS520, 邀请码LUCKY88), a level
            # (JLPT N4), a look, a unit or an ISO speed
            r"(?<![a-z0-9@])(?<!码)(?<!码[:：\s])(?<!码[:：]\s)(?!iso\s?\d|n[1-5](?![a-z0-9]))"
            r"(?!(?:p|vol|ep|day|no|top|lv|v|d|s|q|h|k|g|m|t|a|b|c|f|cp|di|look|unit)[\s-]?\d{1,2}(?![a-z0-9])"
            r"(?!\s?" + _SERIES + r"(?![a-z0-9])))(?!" + _COUNTING_WORDS + r")"
            r"[a-z]{1,8}(?:\d{1,4}|[\s-]\d{2,4}(?!\.[^\W\d_]))(?:\.\d+)?(?!\d|(?:\.\d+)?\s?" + UNIT + r")"
            r"(?:\s?" + _SERIES + r")?(?![a-z0-9])"
        ),
    ),
    CuePattern(
        "brand_account",
        "@mention of a brand account",
        # An @handle ending in an account word (@蕉下官方, @珂卡芙官方旗舰店, @abc_official) is the brand's own
        # account: a mention of the brand (counted as brand_mention, spanning the brand's name), not a cue of its
        # own. As its own cue it had learnt only from Weibo posts quoting "@X官方微博" (towards genuine, -0.50),
        # which the official Weibo accounts stay: brand mentions like any other. A handle naming a lexicon brand
        # (@安踏跑步, @lululemon) is already one through the lexicon.
        _p(
            # Not the "@" closing an emoticon ("@_@蕉下官方"), which opens no mention (model.text.MENTION_RE).
            r"@(?<!@[\-·._]@)(?P<brand>(?!官方|旗舰)[\w\-·.]{1,24}?)[_\-.·]?(?:官方旗舰店|官方微博|旗舰店|官方|official)"
            r"(?![\w\-·.])"
        ),
        counts_as="brand_mention",
        group="brand",
    ),
    CuePattern(
        "shop_funnel",
        "funnel to a shop or app",
        _p(
            r"小程序|直播间|(?:某|淘|桃)宝|tb(?=[^a-z])|拼夕夕|(?:搜|search)[^,.!?，。！？\s]{0,8}(?:店铺?名?|小程序|同款|官方)|"
            # 进店铺 whole: "进店" alone cut the writer's 店铺 in two, its 铺 shown as wording ("铺就能")
            r"同款链接|店铺名|进店铺?|旗舰店|专柜|官网"
        ),
    ),
]

#: The characters every match of a kind starts with, for the kinds whose pattern opens with a lookbehind or a group
#: of branches: the regex engine cannot skip ahead to where such a pattern may match, and tries every branch at
#: every position (``product_model`` cost ~45 us on a 300-character note with a Latin letter and a digit, ~4 us
#: gated). The pattern is run behind a lookahead for these characters (:func:`gated`), which fails at once
#: elsewhere; a match can only start at one of them, so the matches are the same (``tests/test_prep_parity.py``
#: compares the gated patterns with the patterns as written).
FIRST_CHARS: dict[str, str] = {
    # 加/+/➕ then v..., v信, vx, wx, wechat, 威信, 薇(信), 微信, 关注/扫(描)/官方/此号/本号 then 微信, 绿泡泡, and
    # the lone v.
    "wechat": "加+➕vw威薇微关扫官此本绿🛰卫l赖ラ",
    # 1 / 0 / 400 of the ASCII number; 1 一 幺 壹 opening one in Chinese numerals; + of a country code; w / t of
    # WhatsApp / Telegram.
    "phone": "014一幺壹+wt",
    # A currency sign, a digit (amounts, discounts, "% off"), the first character of each word, and u/m/p/d/c of
    # "use (my) code", "my code", "promo", "discount", "coupon", "code".
    "price": r"¥￥$\d原现到券优领打折包秒特限满立低价拼兑全享口暗umpdc",
    # The Latin letters of the model name (every assertion before them is zero-width).
    "product_model": "a-z",
}


def gated(first: str, regex: str) -> str:
    """``regex`` tried only where one of the characters ``first`` (a class's contents) stands."""
    return f"(?=[{first}])(?:{regex})"


DEFS = [
    replace(c, pattern=_p(gated(FIRST_CHARS[c.name], c.pattern.pattern))) if c.name in FIRST_CHARS else c for c in DEFS
]
CUE_PATTERNS: dict[str, CuePattern] = {c.name: c for c in DEFS}
# Kinds whose spans exclude others (contact details, claims); every other kind is dropped inside a claim.
KEEPS_SPAN: dict[str, bool] = {c.name: c.replace or c.delete for c in DEFS}
#: The kinds a cue is reported as (a pattern with ``counts_as`` reports another kind's cues).
CUE_NAMES: tuple[str, ...] = tuple(c.name for c in DEFS if c.counts_as is None)

# -- Pre-checks --------------------------------------------------------------------------------------------------
# Most notes contain no cue at all, yet running the ten patterns costs ~60 us on a 190-character note: several
# patterns open with a lookbehind, a ``\b`` or a mix of character classes, so the regex engine cannot skip ahead
# and tries every position. A *pre-check* is a cheap regex that is a NECESSARY condition for its kind: every
# non-empty match of the kind's pattern contains a match of the pre-check, so when the pre-check finds nothing the
# pattern cannot match either and is skipped. Pre-checks are alternations whose every branch starts with a literal
# character, which lets the engine scan for those characters quickly. They only decide what is *skipped*, never
# what is found; tests/test_prep_parity.py compares the results with the original, unchecked implementation.
# Kinds without an entry are already plain alternations of literals (fast to scan) and serve as their own check.
# Keep these in step with the patterns above when a pattern changes.
PRECHECKS: dict[str, str] = {
    # "https://" / "http://" / "www." in the first branch; "." + a top-level domain in the second.
    # Every address holds an "@" right before its domain's first letter or digit.
    "email": r"@[a-z0-9]",
    "url": r"://|www\.|\.(?:com|cn|net|top|cc|xyz|vip|shop)",
    # Every branch contains "v", "wx", "微信", "薇", "威信", "wechat" or "绿泡泡", or 微 before a decoration.
    "wechat": r"v|wx|微信|薇|威信|wechat|绿泡泡|微[^\w,，.。!！?？;；:：]|微[:：]|wei|🛰|卫星|line|ライン|赖|v x|w x",
    # Every branch starts with "qq", "扣扣", "企鹅" or "q群".
    "qq": r"qq|q q|扣扣|企鹅|q群|q[:：]|扣我|球球",
    # Each branch starts with "1", "0" or "4" followed by at least nine more digits with only separators between
    # them: 1[3-9] + 9 digits, 0 + 2-3 digits + "-" + 7-8 digits, 400 + 3 + 4 digits ("-" is a separator).
    # The Chinese-numeral branch starts with a "1" of some script, a separator and a second digit 3-9.
    # A country code's "+" then digits; WhatsApp or Telegram.
    "phone": r"\+\d{1,3}[\s-]\d|whatsapp|telegram|"
    + "|".join(rf"{first}(?:{SEP}\d){{9}}" for first in "014")
    + "".join(f"|{one}{SEP}[3-9三四五六七八九叁肆伍陆柒捌玖]" for one in "1一幺壹"),
    # Every branch contains a currency sign, 元/块钱/rmb, 折, 满 + digit, or one of the literal words.
    # A Latin letter directly, space- or hyphen-separated before a digit, written as one literal-led branch per letter
    # so that the union of pre-checks below keeps its fast skip (a class-led branch costs it ~10x).
    "product_model": "|".join(rf"{c}[\s-]?\d" for c in "abcdefghijklmnopqrstuvwxyz"),
    # Every match holds one of the campaign words (not just "#": most notes have hashtags, and a pre-check that
    # nearly always matches would cost the union below its early exit).
    "brand_campaign_tag": CAMPAIGN_WORDS,
    # Every match holds one of the account words.
    "brand_account": "官方|旗舰店|official",
    # Every branch contains one of these literals.
    "shop_funnel": r"小程序|直播间|某宝|淘宝|桃宝|tb|拼夕夕|搜|search|同款链接|店铺名|进店|旗舰店|专柜|官网",
    "price": r"¥|￥|\$|元|块钱|rmb|原价|现价|到手价|券后|优惠券|领券|折|包邮|秒杀|特价|限时|满\d|立减|低至|价格表|拼团|"
    r"优惠码|兑换码|口令|暗号|送\d|满[" + _CN_AMOUNT + "]|"
    r"%\s?off|code",
}

#: Kinds whose pattern is a large alternation of literals (the brand lexicon): fast alone, but merged into the
#: union below they cost the union its fast skip (~300 us a note), so they are always run on their own.
LEXICON_KINDS = frozenset({"brand_mention", "brand_mention_latin"})
#: (pattern, pre-check or None) in the order of ``DEFS``, which decides contact-detail precedence.
SCAN: tuple[tuple[CuePattern, re.Pattern[str] | None], ...] = tuple(
    (c, re.compile(PRECHECKS[c.name]) if c.name in PRECHECKS else None) for c in DEFS if c.name not in LEXICON_KINDS
)
LEXICON_SCAN: tuple[CuePattern, ...] = tuple(c for c in DEFS if c.name in LEXICON_KINDS)
# Union of every other kind's pre-check (or pattern): no match means no cue of those kinds, the common case,
# decided in one fast scan. Joined without wrapping groups so that every top-level branch still starts with a
# literal.
ANY_CUE_RE = re.compile("|".join(PRECHECKS.get(c.name, c.pattern.pattern) for c, _ in SCAN))
