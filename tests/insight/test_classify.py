import json
import subprocess
import sys
from pathlib import Path

import pytest

from liuyan.insight import classify, train
from liuyan.insight.train import TrainingRecord

_TOPICS = {
    "城乡建设": ["小区物业管理混乱", "违章建筑占用绿地", "拆迁安置补偿不到位", "小区电梯经常故障"],
    "教育文体": ["学校乱收补课费", "幼儿园学位紧张", "教师编制迟迟不落实", "中学食堂卫生差"],
    "交通运输": ["公交线路太少", "出租车拒载严重", "道路红绿灯设置不合理", "网约车乱停乱放"],
}
REPO = Path(__file__).resolve().parents[2]
_PLACES = ["A市A1区", "A市A2区", "B市B3县", "C市C1区", "A市A5区", "D市D2区"]


def _records():
    records = []
    for label, problems in _TOPICS.items():
        for problem in problems:
            for place in _PLACES:
                records.append(
                    TrainingRecord(f"{place}{problem}", f"{place}的{problem}，请领导关注。", label)
                )
    return records


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("models")
    train.train_and_save(_records(), path, source="synthetic")
    return path


def test_loader_returns_none_without_artefact(tmp_path):
    assert classify.load_classifier(tmp_path) is None
    assert classify.load_classifier(tmp_path / "missing") is None
    assert classify.predict(["小区物业管理混乱"], tmp_path) is None


def test_incomplete_artefact_without_manifest_is_ignored(tmp_path):
    (tmp_path / "classifier-v1.npz").write_bytes(b"half written")
    assert classify.artefact_versions(tmp_path) == []
    assert classify.load_classifier(tmp_path) is None


def test_versions_of_the_earlier_format_are_skipped_but_never_reused(tmp_path):
    (tmp_path / "classifier-v3.joblib").write_bytes(b"hashed model of format 1")
    (tmp_path / "classifier-v3.json").write_text("{}", encoding="utf-8")
    assert classify.load_classifier(tmp_path) is None
    path = train.train_and_save(_records(), tmp_path)
    assert path.name == "classifier-v4.npz"
    assert classify.artefact_versions(tmp_path) == [4]


def test_loading_and_predicting_need_neither_sklearn_nor_scipy(models_dir):
    # scikit-learn's import alone took most of the one-second load budget.
    code = (
        "import sys; from liuyan.insight.classify import predict;"
        f"print(predict(['小区物业管理混乱'], {str(models_dir)!r})[0].label);"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', 'joblib'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.split() == ["城乡建设", "[]"]


def test_trained_model_predicts_the_domain_of_unseen_wording(models_dir):
    predictions = classify.predict(
        [
            "E市E1区小区物业管理太混乱了",
            ("F市学校乱收补课费", "老师强迫学生补课"),
            "公交线路太少了",
        ],
        models_dir,
    )
    assert [p.label for p in predictions] == ["城乡建设", "教育文体", "交通运输"]


def test_prediction_confidence_and_top_k_are_consistent(models_dir):
    (prediction,) = classify.predict(["小区电梯经常故障"], models_dir, top_k=3)
    assert len(prediction.top_k) == 3
    assert prediction.top_k[0] == (prediction.label, prediction.confidence)
    confidences = [c for _, c in prediction.top_k]
    assert confidences == sorted(confidences, reverse=True)
    assert 0.0 < prediction.confidence <= 1.0
    assert sum(confidences) == pytest.approx(1.0, abs=1e-6)


def test_manifest_records_version_labels_and_metrics(models_dir):
    manifest = json.loads((models_dir / "classifier-v1.json").read_text(encoding="utf-8"))
    assert manifest["version"] == 1
    assert manifest["labels"] == sorted(_TOPICS)
    assert "trained_at" in manifest
    assert manifest["metrics"]["raw_messages"] == len(_records())
    assert 0 <= manifest["metrics"]["held_out"]["macro_f1"] <= 1


def test_new_training_writes_next_version_and_loader_picks_it(tmp_path):
    train.train_and_save(_records(), tmp_path)
    train.train_and_save([(r.title, r.body, r.label) for r in _records()], tmp_path)
    assert classify.artefact_versions(tmp_path) == [1, 2]
    assert classify.load_classifier(tmp_path).manifest["version"] == 2
    assert classify.load_classifier(tmp_path, version=1).manifest["version"] == 1


def test_saved_model_keeps_the_view_weights_it_was_trained_with(models_dir):
    # The word view weighs more than the character views (DEFAULT_VIEWS); a loader that dropped
    # the weight would score every message differently from the fitted model.
    model = classify.load_classifier(models_dir)
    assert model.features.specs() == [spec.as_dict() for spec in classify.DEFAULT_VIEWS]
    assert model.features.views[0].spec.weight == classify.WORDS_WEIGHT != 1.0


def test_loader_caches_one_model_per_path(models_dir):
    assert classify.load_classifier(models_dir) is classify.load_classifier(str(models_dir))


def test_records_accepted_in_several_shapes():
    expected = TrainingRecord("标题", "内容", "城乡建设")
    assert train.as_record(("标题", "内容", "城乡建设")) == expected
    assert train.as_record({"title": "标题", "body": "内容", "label": "城乡建设"}) == expected
    assert (
        train.as_record({"留言主题": "标题", "留言详情": "内容", "一级分类": "城乡建设"})
        == expected
    )


def test_training_needs_two_domains():
    with pytest.raises(ValueError, match="two domains"):
        train.train_classifier([("a", "b", "城乡建设")] * 10)


def test_segmented_and_raw_forms_give_the_same_words():
    raw = classify.document_from_message("小区物业管理混乱", "")
    segmented = classify.document_from_segmented("小区 物业管理 混乱")
    assert raw == segmented


def test_confidence_matches_the_scores_of_the_saved_weights(models_dir):
    model = classify.load_classifier(models_dir)
    documents = [classify.document_from_message("小区物业管理混乱", "请领导关注")]
    scores = model.scores(documents)
    assert scores.shape == (1, len(model.labels))
    probabilities = classify.softmax(scores, model.temperature)
    (prediction,) = model.predict_documents(documents, top_k=1)
    assert prediction.confidence == pytest.approx(float(probabilities.max()))


def test_near_copies_finds_a_segmented_copy_but_not_an_unrelated_message():
    reference = classify.document_from_message(
        "K3县电机公司车间噪音扰民",
        "公司高速冲压车间噪音超标严重，严重影响周边居民正常休息，已多次反映无果。",
    )
    copy = classify.document_from_segmented(
        "K3 县 电机 公司 车间 噪音扰民 公司 高速 冲压 车间 噪音 超标 严重 影响 周边 居民 "
        "正常 休息 多次 无果"
    )
    other = classify.document_from_segmented("学校 乱收费 补课 家长 负担 教育局 查处")
    assert train.near_copies([copy, other], [reference]).tolist() == [True, False]


@pytest.mark.shared_data
def test_small_model_on_shared_sample_beats_chance(shared_data):
    records = train.read_labeled_table(shared_data / "messages_labeled.csv")
    sample, held = records[::4], records[2::8]  # disjoint: indices 0 and 2 modulo 4
    model, _ = train.train_classifier(sample, calibration_share=0.0)
    predicted = [p.label for p in model.predict([(r.title, r.body) for r in held])]
    accuracy = sum(p == r.label for p, r in zip(predicted, held, strict=True)) / len(held)
    assert accuracy > 0.7


def test_the_manifest_records_what_the_classifier_learnt_from(tmp_path):
    records = [
        (f"小区物业乱收费{n}", "物业公司乱收停车费，业主多次反映", "城乡建设") for n in range(8)
    ]
    records += [
        (f"学校食堂伙食差{n}", "学校食堂饭菜质量差，分量少价格高", "教育文体") for n in range(8)
    ]

    train.train_and_save(records, tmp_path / "real")
    train.train_and_save(records, tmp_path / "demo", training_data=classify.GENERATED_TEXT)

    real = classify.model_figures(tmp_path / "real")
    demo = classify.model_figures(tmp_path / "demo")
    assert classify.load_classifier(tmp_path / "real").manifest["training_data"] == (
        classify.LABELLED_MESSAGES
    )
    assert not real.trained_on_generated_text
    assert demo.trained_on_generated_text
    assert demo.macro_f1 is not None and 0 <= demo.macro_f1 <= 1
    assert classify.model_figures(tmp_path / "none") is None
    with pytest.raises(ValueError, match="unknown training data"):
        train.train_and_save(records, tmp_path / "other", training_data="typed by hand")
