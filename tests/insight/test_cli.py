import csv
import subprocess
import sys
from pathlib import Path

from liuyan.insight import cli

REPO = Path(__file__).resolve().parents[2]
HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数"]


def _write(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _hot_rows():
    return [
        [1, "u1", "A市伊景园滨河苑捆绑销售车位", "2019-08-01 10:00:00", "开发商捆绑销售车位", 0, 5],
        [2, "u2", "伊景园滨河苑开发商捆绑销售车位", "2019-08-02 10:00:00", "电话13812345678", 0, 3],
        [3, "u3", "A市伊景园滨河苑强制捆绑销售车位", "2019-08-03 10:00:00", "", 0, 1],
        [4, "u4", "B市学校乱收补课费", "2019-08-03 11:00:00", "", 0, 0],
    ]


def test_hot_prints_a_table_and_writes_xlsx(tmp_path, capsys):
    source = _write(tmp_path / "hot.csv", _hot_rows())
    output = tmp_path / "hot.xlsx"
    assert cli.main(["hot", "--input", str(source), "--top", "3", "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    assert "伊景园滨河苑" in printed and "2019-08-01" in printed
    from openpyxl import load_workbook

    sheet = load_workbook(output).active
    assert sheet["A1"].value == "排名"
    assert sheet["F2"].value == 3


def test_missing_column_exits_2_naming_the_column(tmp_path, capsys):
    source = _write(
        tmp_path / "bad.csv", [[1, "u1", "标题"]], header=["留言编号", "留言用户", "留言主题"]
    )
    assert cli.main(["hot", "--input", str(source)]) == 2
    assert "留言时间" in capsys.readouterr().err


def test_unreadable_file_exits_2_naming_the_file(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    assert cli.main(["mask", "--input", str(missing), "--output", str(tmp_path / "o.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err
    garbage = tmp_path / "broken.xlsx"
    garbage.write_bytes(b"not a zip file")
    assert cli.main(["hot", "--input", str(garbage)]) == 2
    assert "broken.xlsx" in capsys.readouterr().err


def test_mask_command_masks_bodies(tmp_path):
    source = _write(tmp_path / "in.csv", _hot_rows())
    output = tmp_path / "out.csv"
    assert cli.main(["mask", "--input", str(source), "--output", str(output)]) == 0
    with output.open(encoding="utf-8-sig") as handle:
        bodies = [row["留言详情"] for row in csv.DictReader(handle)]
    assert "电话138****5678" in bodies


def test_classify_without_model_is_a_clear_error(tmp_path, capsys):
    source = _write(tmp_path / "in.csv", _hot_rows())
    args = ["classify", "--input", str(source), "--output", str(tmp_path / "o.csv")]
    assert cli.main([*args, "--models", str(tmp_path / "models")]) == 2
    assert "no classifier" in capsys.readouterr().err


def test_train_then_classify_adds_columns(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rows = []
    for i in range(40):
        label, title = ("城乡建设", "小区物业乱收费") if i % 2 else ("教育文体", "学校乱收补课费")
        rows.append([i, f"u{i}", f"{title}{i}", "2019-08-01", f"{title}，请处理", label])
    _write(data / "messages_labeled.csv", rows, header=[*HEADER[:5], "一级分类"])
    models = tmp_path / "models"
    assert cli.main(["train", "--data", str(data), "--models", str(models)]) == 0
    output = tmp_path / "out.csv"
    source = data / "messages_labeled.csv"
    assert (
        cli.main(
            ["classify", "--input", str(source), "--output", str(output), "--models", str(models)]
        )
        == 0
    )
    with output.open(encoding="utf-8-sig") as handle:
        result = list(csv.DictReader(handle))
    assert all(row["预测分类"] == row["一级分类"] for row in result)
    assert all(0 < float(row["置信度"]) <= 1 for row in result)


def test_module_runs_as_a_script():
    result = subprocess.run(
        [sys.executable, "-m", "liuyan.insight.cli", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert "hot" in result.stdout and "classify" in result.stdout


def test_mask_command_masks_by_shape_and_keeps_the_units_hotline_in_replies(tmp_path):
    header = ["留言编号", "留言主题", "留言详情", "答复意见"]
    rows = [
        [
            1,
            "噪音扰民",
            "家住枫林三路88号3栋502室，身份证430102199003071257",
            "请拨打0731-88888888咨询，已联系您13907315566",
        ]
    ]
    source = _write(tmp_path / "in.csv", rows, header=header)
    output = tmp_path / "out.csv"
    assert cli.main(["mask", "--input", str(source), "--output", str(output)]) == 0
    with output.open(encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["留言详情"] == "家住枫林三路**号*栋***室，身份证4301***********257"
    assert row["答复意见"] == "请拨打0731-88888888咨询，已联系您139****5566"
