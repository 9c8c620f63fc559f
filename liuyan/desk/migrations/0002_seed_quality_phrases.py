"""Seed the phrases that usually mark a perfunctory reply; administrators edit the list later."""

from django.db import migrations

PHRASES = [
    ("请咨询有关部门", "说明具体是哪个部门、怎样联系，或由本单位直接协调。"),
    ("请向有关部门反映", "留言已交办到本单位，不应再让群众另找部门。"),
    ("已转相关部门", "写明转给了哪个部门、何时办结；转办应在系统中操作。"),
    ("将进一步研究", "给出研究的时限和结论，或说明目前的办理进度。"),
    ("正在研究", "给出办理时限和明确答复。"),
    ("择机", "给出具体时间安排。"),
    ("视情况", "说明依据和具体处理办法。"),
    ("请自行", "说明本单位能为群众做什么。"),
    ("不属于我单位职责", "不属于职责的留言应退回平台重新交办，而不是在答复中推脱。"),
]


def seed(apps, schema_editor):
    QualityPhrase = apps.get_model("desk", "QualityPhrase")
    for phrase, advice in PHRASES:
        QualityPhrase.objects.get_or_create(phrase=phrase, defaults={"advice": advice})


def unseed(apps, schema_editor):
    apps.get_model("desk", "QualityPhrase").objects.filter(
        phrase__in=[phrase for phrase, _ in PHRASES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
