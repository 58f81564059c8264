"""A note offering a messenger id is read by a person whatever its probability: a funnel to a private channel
written after a long diary was decided genuine (each word's weight shrinks as a note grows). A phone number or 微信
without an id is no such funnel."""

import pytest
from conftest import with_thresholds

from model import load_model
from model.classifier import offers_contact
from model.notes import parse_note
from model.text import prepare_document

#: Five honest diary days, none repeated (a repeated text does not dilute: term frequency is sublinear).
DIARY = (
    "早上六点起床跑了五公里，回来煮了燕麦粥配鸡蛋。上午整理衣柜，把不穿的衣服捐了。中午和妈妈视频，她说老家的桃花开了。"
    "下午去图书馆借了两本小说，晚上做了番茄炒蛋。周日和朋友去爬山，山顶风很大，拍了好多照片，下山吃了一碗牛肉面。"
    "周一加班到九点，地铁上看完了一集纪录片。周二下雨，在家煮了火锅，猫一直蹲在桌边。周三学了一节游泳课，呛了好几口水。"
)
FUNNEL = "想要同款的姐妹加我vx：mei_bai_888 领券，原价299今天只要99。"


@pytest.fixture(scope="module")
def shipped():
    return load_model()


@pytest.mark.parametrize(
    ("text", "offers"),
    [
        ("加我vx：mei_bai_888", True),
        ("QQ 12345678 联系", True),
        ("加我line：meifu2024", True),
        ("想要的加我LINE：meimeiya 私訊我", True),  # a LINE id of letters alone, after 加LINE and a colon
        ("加LINE：@shopmei 下單", True),  # an official account's "@" id
        ("加我line id：lovely.mei。", True),
        ("有事加line thanks", False),  # no colon, no digit: an English word
        ("Line：8点集合，和同学去春游", False),
        ("周末和闺蜜去曼谷玩，加line好友 @lisa 她是我大学同学", False),  # a friend's @mention
        ("LINE ID：meimeiya 私訊下單", True),
        ("周末和闺蜜去曼谷玩，加line好友 @amy1998 她是我大学同学", False),  # a friend's handle
        ("有興趣可以加LINE：0912345678", True),  # a mobile number as the LINE id
        ("加我威信：dx 8 8 6 6 9 9", True),  # an id spaced out
        ("这家店电话：028-85551234，周末建议提前订位", False),  # a restaurant's phone: what honest diners give
        ("电话13812345678", False),
        ("门票要在官方微信上提前预约", False),  # 微信 without an id: where the writer booked
        ("挂号可以关注医院微信公众号", False),
        ("最后两集要加VIP才能看", False),  # read as 加V, but no id
        ("加vx领券", False),
        ("链接https://a.cn/x 在这里", False),  # a link is no contact: honest notes give them
        ("给我爸发微信说了一声", False),  # the app in a story
        ("今天去爬山了", False),
        ("我的wx是 meibai888", True),  # the id after 是, as 微信号是 takes it
        ("我的w x是 mei_bai888", True),  # the letters of wx spaced out
        ("想要的加我qq 八五零八七四一三六", True),  # a QQ number in Chinese numerals, as phone numbers are read
        ("加qq群123456789领资料", True),
        ("粉丝qq群号：309853841，进群领资料", True),
        ("辅导员把我们拉进了班级qq群，通知都在里面", False),  # a group named, no number offered
        ("想要的姐妹加入LINE社群", False),  # a channel named, no id
        ("VX同手机号，电话13812345678", True),  # the WeChat id is the phone number given
        ("有事打电话13812345678，微信同号", True),
        ("微信同号", False),  # no number in the note: nothing offered
        ("电话13812345678，wx同号", True),
        ("电话13812345678，微信同电话", True),
        ("wx是weixin的缩写，vx是因为平台屏蔽", False),  # the word explained, no id
        ("我的qq是2012.06.18注册的", False),  # a date
        ("想要的v 我 ： m e i 8 8 8 6", True),
        ("🛰 xmm0909 备注小红书", True),
        ("疯狂星期四v我50", False),
        ("合作请联系邮箱850874136@qq.com", False),  # an address is contact details, but no messenger id
    ],
)
def test_a_messenger_id_is_read_from_the_cues_found(text, offers):
    found: list[tuple[str, str]] = []
    prepare_document("", text, cues=found)
    assert offers_contact(found) is offers


def test_decide_sends_a_note_offering_contact_to_review_at_least(shipped):
    model = with_thresholds(shipped, 0.6, 0.3)
    assert model.decide(0.01, contact=True) == "review"
    assert model.decide(0.01) == "genuine"
    assert model.decide(0.7, contact=True) == "ad"
    assert model.decide(0.7, contact=True, explained=False) == "review"


def test_a_funnel_after_a_long_diary_is_read_by_a_person(shipped):
    # thresholds above the note's probability, whatever a retrain scores it: the contact alone decides
    note = {"title": "", "text": DIARY + FUNNEL}
    p = shipped.check(note).ad_probability
    model = with_thresholds(shipped, min(0.99, p + 0.2), min(0.98, p + 0.1))
    result = model.check(note)
    assert result.decision == "review" and result.contact and result.to_dict()["contact"] is True
    assert any(r.category == "contact" for r in result.reasons) and "联系方式" in result.advice["zh"]
    scored = model.score([parse_note(note)])
    assert scored.decisions == ["review"] and any(r.startswith("联系方式") for r in scored.reasons[0])
    # the diary alone stays genuine at those thresholds
    assert model.check({"title": "", "text": DIARY}).decision == "genuine"


def test_the_check_report_says_the_contact_decided(shipped):
    from serve.check_output import format_check

    note = {"title": "", "text": DIARY + FUNNEL}
    p = shipped.check(note).ad_probability
    model = with_thresholds(shipped, min(0.99, p + 0.2), min(0.98, p + 0.1))
    out = format_check(model.check(note), note, colour=False)
    assert "decision: review" in out and "contact: the note offers a messenger id" in out
    diary = {"title": "", "text": DIARY}
    assert "contact:" not in format_check(model.check(diary), diary, colour=False)
    # above the review threshold the probability decided: the line is not said
    assert "contact:" not in format_check(with_thresholds(shipped, 0.999, 0.0).check(note), note, colour=False)


def test_the_api_says_whether_a_messenger_id_was_offered(shipped):
    from fastapi.testclient import TestClient

    from serve.app import create_app

    with TestClient(create_app()) as client:
        funnel = client.post("/v1/check", json={"text": DIARY + FUNNEL}).json()
        diary = client.post("/v1/check", json={"text": DIARY}).json()
    assert funnel["contact"] is True and funnel["decision"] != "genuine"
    assert diary["contact"] is False


def test_a_score_row_sent_to_review_by_its_messenger_id_says_so(shipped):
    from serve.scoring import CONTACT_REVIEW, RowScorer

    note = {"id": "n1", "title": "", "text": DIARY + FUNNEL}
    p = shipped.check(note).ad_probability
    model = with_thresholds(shipped, min(0.99, p + 0.2), min(0.98, p + 0.1))
    from model.notes import Record

    (row,) = RowScorer(model).score_records([Record("a.jsonl", 1, note)])
    assert row["decision"] == "review" and CONTACT_REVIEW in (row["warning"] or "")
    (plain,) = RowScorer(model).score_records([Record("a.jsonl", 1, {"id": "n2", "text": DIARY})])
    assert not plain["warning"]
