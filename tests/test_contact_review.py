"""A note offering contact details is read by a person whatever its probability: a funnel to a private channel
written after a long diary was decided genuine (each word's weight shrinks as a note grows)."""

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
        ("电话13812345678", True),
        ("QQ 12345678 联系", True),
        ("加我line：meifu2024", True),
        ("链接https://a.cn/x 在这里", False),  # a link is no contact: honest notes give them
        ("给我爸发微信说了一声", False),  # the app in a story
        ("今天去爬山了", False),
    ],
)
def test_contact_details_are_read_from_the_prepared_document(text, offers):
    assert offers_contact(prepare_document("", text)) is offers


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
    assert result.decision == "review"
    assert any(r.category == "contact" for r in result.reasons) and "联系方式" in result.advice["zh"]
    scored = model.score([parse_note(note)])
    assert scored.decisions == ["review"] and any(r.startswith("联系方式") for r in scored.reasons[0])
    # the diary alone stays genuine at those thresholds
    assert model.check({"title": "", "text": DIARY}).decision == "genuine"
