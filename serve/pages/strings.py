"""The words of the pages, Chinese first with English beside it.

The server renders a page in one language (``?lang=zh``, the default, or ``?lang=en``); the page's script gets both
tables, so that the language toggle switches in place without losing what the writer typed or the result shown.
"""

from __future__ import annotations

from model.highlights import CATEGORIES

LANGS = ("zh", "en")

#: key -> (Chinese, English)
_WORDS: dict[str, tuple[str, str]] = {
    # -- shared -------------------------------------------------------------------------------------------
    "brand": ("notecheck", "notecheck"),
    "toggle": ("English", "中文"),
    "skip": ("跳到主要内容", "Skip to the main content"),
    "toggle_label": ("切换到英文界面", "Switch to Chinese"),
    "noscript": ("此页面需要启用 JavaScript。", "This page needs JavaScript."),
    "api_key": ("访问密钥", "Access key"),
    "api_key_hint": (
        "服务器要求密钥时填写；只保存在本标签页。",
        "Needed when the server asks for one; kept in this tab only.",
    ),
    "docs_link": ("API 文档", "API documentation"),
    "error": ("出错了：", "Something went wrong:"),
    "network_error": ("无法连接服务器。", "Could not reach the server."),
    # what an API error status means, said in the page's language before the server's own (English) words
    "http_401": ("需要有效的访问密钥（填在“访问密钥”一栏）。", "A valid access key is needed (the Access key field)."),
    "http_403": ("这个密钥没有权限这样做。", "This key is not allowed to do that."),
    "http_404": ("没有找到。", "Not found."),
    "http_409": ("与已有的记录冲突。", "It conflicts with what is there already."),
    "http_413": ("内容太长了，请删减后再试。", "It is too long: shorten it and try again."),
    "http_422": ("提交的内容有一处不符合要求。", "Something in what was sent is not accepted."),
    "http_429": ("请求太频繁了，请稍后再试。", "Too many requests: try again in a moment."),
    "http_5xx": ("服务器暂时出了问题，请稍后再试。", "The server has a problem: try again in a moment."),
    "legend_ad": ("红色：读起来像广告的词句", "Red: wording that reads like an ad"),
    "legend_genuine": ("绿色：读起来像真实分享的词句", "Green: wording that reads like genuine sharing"),
    "towards_ad": ("偏向广告", "towards ad"),
    "towards_genuine": ("偏向真实分享", "towards genuine"),
    "weight": ("权重", "weight"),
    "probability": ("广告概率", "Ad probability"),
    "threshold": ("判为广告的阈值", "ad threshold"),
    "review_threshold": ("人工复核阈值", "review threshold"),
    "gauge_label": ("广告概率与阈值", "Ad probability against the thresholds"),
    "reasons": ("原因", "Reasons"),
    "no_reasons": ("没有突出的原因。", "No outstanding reasons."),
    "model_version": ("模型版本", "Model version"),
    "note_title": ("标题", "Title"),
    "note_text": ("正文", "Text"),
    "decision_ad": ("可能被判为广告", "Likely to be flagged as an ad"),
    "decision_review": ("需要人工复核", "Needs a human review"),
    "decision_genuine": ("看起来是真实分享", "Looks like genuine sharing"),
    # a note that declares itself an ad ("declared" in the check result): the rule, not the probability, decided
    "declared_note": (
        "这条笔记自己声明是广告：{text}。所以判为广告，与广告概率无关。",
        "This note declares itself an ad: {text}. So it is decided an ad, whatever its ad probability.",
    ),
    "declared_mark": ("你的广告声明（决定了判定）", "your declaration that this is an ad (it decided)"),
    "status_open": ("待处理", "open"),
    "status_upheld": ("维持原判", "upheld"),
    "status_overturned": ("已改判", "overturned"),
    # a resolved appeal's status with the moderator's label: a writer's appeal and a reader's report alike
    "status_with_label": ("{status}（{label}）", "{status} ({label})"),
    "resolved_ad": ("判为广告", "judged an ad"),
    "resolved_genuine": ("真实分享", "genuine sharing"),
    "status": ("状态", "Status"),
    "statement": ("申诉说明", "Statement"),
    "loading": ("正在检查……", "Checking…"),
    # -- writer's page ------------------------------------------------------------------------------------
    "writer_title": ("发布前自查", "Check before you publish"),
    "writer_intro": (
        "粘贴你的笔记草稿，看看哪些词句读起来像广告，再决定修改还是申诉。",
        "Paste your draft to see which of your phrases read like an ad, then change them or appeal.",
    ),
    "title_label": ("标题", "Title"),
    "text_label": ("正文", "Text"),
    "comments_label": ("评论（可选，每行一条）", "Comments (optional, one per line)"),
    "check": ("检查", "Check"),
    "check_hint": ("在正文里按 Ctrl+Enter 也可以检查。", "Ctrl+Enter in the text checks too."),
    "text_required": ("请先粘贴或输入标题或正文。", "Paste or type a title or the text first."),
    "statement_required": ("请写下申诉说明。", "Write your statement first."),
    "title_too_long": ("标题最多 {max} 字，现在是 {n} 字。", "The title can be {max} characters at most; it has {n}."),
    "text_too_long": ("正文最多 {max} 字，现在是 {n} 字。", "The text can be {max} characters at most; it has {n}."),
    "statement_too_long": (
        "申诉说明最多 {max} 字，现在是 {n} 字。",
        "The statement can be {max} characters at most; it has {n}.",
    ),
    "result_heading": ("检查结果", "Result"),
    "your_note": ("你的笔记", "Your note"),
    "suggestion": ("建议", "Suggestion"),
    "appeal_open": ("这是我的真实分享 — 申诉", "This is my genuine sharing — Appeal"),
    "appeal_statement_label": ("申诉说明（最多 1000 字）", "Your statement (at most 1,000 characters)"),
    "appeal_submit": ("提交申诉", "Submit the appeal"),
    "appeal_filed": ("申诉已提交。", "Your appeal was filed."),
    "appeal_id": ("申诉编号", "Appeal number"),
    "appeal_status_link": ("查看申诉状态", "See the appeal's status"),
    "appeal_unavailable": ("此服务器暂不受理申诉。", "This server does not take appeals yet."),
    # -- appeal status page -------------------------------------------------------------------------------
    "appeal_page_title": ("申诉状态", "Appeal status"),
    "refresh": ("刷新", "Refresh"),
    "resolution_note": ("审核说明", "Moderator's note"),
    "resolved_at": ("处理时间", "Resolved at"),
    "created_at": ("提交时间", "Filed at"),
    "back_to_check": ("返回自查页", "Back to the check page"),
    # -- moderator's queue ------------------------------------------------------------------------------
    "moderate_title": ("申诉审核队列", "Appeal queue"),
    "moderate_intro": (
        "自己声明是广告的笔记的申诉在前，其余按模型的不确定程度排序：最难判断的在前。",
        "Appeals of notes that declared themselves ads first, then by how uncertain the model was: the hardest first.",
    ),
    "moderator_key": ("审核员密钥", "Moderator key"),
    "open_queue": ("打开队列", "Open the queue"),
    "queue_empty": ("没有待处理的申诉。", "No open appeals."),
    "queue_count": ("待处理申诉：", "Open appeals: "),
    "decision_at_time": ("当时的判定", "Decision at the time"),
    "declared_at_time": ("笔记自己声明是广告", "The note declared itself an ad"),
    "claimed": ("申诉人认为", "The writer says"),
    "claimed_genuine": ("真实分享", "genuine sharing"),
    "claimed_ad": ("广告", "an ad"),
    "resolution_label": ("处理说明", "Resolution note"),
    "uphold": ("维持原判", "Uphold"),
    "overturn": ("改判", "Overturn"),
    "resolved": ("已处理：", "Resolved: "),
    "show_ad_marks": (
        "同时标出偏向广告的词句（{n} 处，它们不足以改变判定）",
        "Also mark the phrases towards ad ({n}; not enough to change the decision)",
    ),
}


def table(lang: str) -> dict[str, str]:
    """Every word of the pages in ``lang`` (one of :data:`LANGS`), with the highlight categories of
    :data:`model.highlights.CATEGORIES` as ``cat.<code>``."""
    i = LANGS.index(lang)
    words = {key: pair[i] for key, pair in _WORDS.items()}
    words.update({f"cat.{code}": pair[i] for code, pair in CATEGORIES.items()})
    return words


def pick_lang(requested: str | None) -> str:
    """The page language for a ``?lang=`` value: Chinese unless English was asked for."""
    return "en" if (requested or "").strip().lower().startswith("en") else "zh"
