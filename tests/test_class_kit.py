"""Student copies: made from the committed notebooks, checked as a teacher would (the site: test_site.py)."""

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import make_student  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_strip_solutions_by_hand():
    source = "\n".join(
        [
            "def f(x):",
            '    """Doc."""',
            "    ### BEGIN SOLUTION",
            "    y = x + 1",
            "    return y",
            "    ### END SOLUTION",
            "",
            "### BEGIN SOLUTION",
            "z = 3",
            "### END SOLUTION",
            "print('after')",
        ]
    )
    assert make_student.strip_solutions(source).splitlines() == [
        "def f(x):",
        '    """Doc."""',
        "    raise NotImplementedError()",
        "",
        "raise NotImplementedError()",
        "print('after')",
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "line 2: END SOLUTION without BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "line 2: BEGIN SOLUTION inside"),
    ],
)
def test_unbalanced_markers_are_refused(source, message):
    with pytest.raises(ValueError, match=message):
        make_student.strip_solutions(source)


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    make_student.main(["--out", str(out)])
    return out


def solution_lines(source: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_copy_has_no_solution_and_no_output(student_dir, path):
    teacher = nbformat.read(path, as_version=4)
    student = nbformat.read(student_dir / path.name, as_version=4)
    nbformat.validate(student)
    assert len(student.cells) == len(teacher.cells)
    for t_cell, s_cell in zip(teacher.cells, student.cells, strict=True):
        if s_cell.cell_type != "code":
            assert s_cell.source == t_cell.source
            continue
        assert s_cell.outputs == [] and s_cell.execution_count is None
        assert "SOLUTION" not in s_cell.source
        student_lines = {line.strip() for line in s_cell.source.splitlines()}
        assert not set(solution_lines(t_cell.source)) & student_lines - {"", ")"}
        stubs = t_cell.source.count("### BEGIN SOLUTION")
        assert s_cell.source.count("raise NotImplementedError()") == stubs


def test_every_notebook_has_two_exercises_to_write(student_dir):
    for path in NOTEBOOKS:
        text = (student_dir / path.name).read_text()
        assert text.count("raise NotImplementedError()") >= 2, path.name


@pytest.mark.parametrize("name", [path.name for path in NOTEBOOKS])
def test_running_a_student_copy_stops_at_its_first_exercise(student_dir, name):
    nb = nbformat.read(student_dir / name, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    with pytest.raises(CellExecutionError) as info:
        client.execute()
    # a blank exercise that the checker calls: one line, "not answered yet" (checking.not_answered);
    # one that the check cell calls itself (check(predicted_mb())): the learner's own NotImplementedError
    if info.value.ename == "NotAnswered":
        assert info.value.evalue.startswith("Not answered yet: exercise ")
    else:
        assert info.value.ename == "NotImplementedError"
    executed = [c for c in nb.cells if c.cell_type == "code" and c.execution_count is not None]
    failing = executed[-1]
    first_check = next(  # the first cell that calls a checker (an import of one does not count)
        c
        for c in nb.cells
        if c.cell_type == "code" and any(line.lstrip().startswith("check_") for line in c.source.splitlines())
    )
    assert failing.id == first_check.id  # every cell before it ran without error
    assert all(o.output_type != "error" for c in executed[:-1] for o in c.outputs)


# A wrong answer to each notebook's first exercise, and a phrase of the Japanese hint it must get.
WRONG_FIRST_ANSWERS = {
    "01": (
        "class BoxcarSpike(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, x):\n"
        "        return (x > 0).float()\n\n"
        "    @staticmethod\n"
        "    def backward(ctx, grad_output):\n"
        "        return grad_output\n",
        "ストレートスルー推定量",
    ),
    "02": (
        "def if_step(input_, v_previous, s_previous, threshold):\n"
        "    v = input_ + v_previous * (1 - s_previous)\n"
        "    return v, (v >= threshold).float()\n",
        "閾値に等しい",
    ),
    "03": (
        "def n_params_two_layers(size_input, size_hidden, size_output):\n"
        "    return size_input * size_hidden + size_hidden * size_output\n",
        "バイアスも数えてください",
    ),
    "04": (
        "def first_step_fraction(model, x):\n    return model(x).mean().item()\n",
        "10 ステップ全体で平均しています",
    ),
    "05": (
        "def my_train(model, n_iter):\n"
        "    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n"
        "    losses = []\n"
        "    for _ in range(n_iter):\n"
        "        loss = model(random_binary_input(model.n_time, model.size_input)).mean() ** 2\n"
        "        optimizer.zero_grad()\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "        losses.append(loss)\n"
        "    return losses\n",
        "loss ではなく loss.item() を追加してください",
    ),
    "06": ("def predicted_mb():\n    return 12.20703125\n", "それは膜電位だけです"),
    "07": (
        "def predicted_accuracy():\n    return 70\n",
        "正解率は割合で書いてください：70 ではなく 0.70 です",
    ),
    "08": ("def measured_width(surrogate, slope):\n    return 'wide'\n", "有限の float"),
    "09": (
        "import math\n\n\n"
        "def lif_rate(current, beta, threshold):\n"
        "    return 1.0 / (math.floor(threshold / current) + 1) if current > 0 else 0.0\n",
        "リークを忘れています",
    ),
    "10": (
        "def my_latency_code(x, n_time):\n"
        "    times = torch.round(x * (n_time - 1)).long()\n"
        "    steps = torch.arange(n_time).view(n_time, 1, 1)\n"
        "    return ((steps == times) & (x > 0)).float()\n",
        "明るいほど早くなければなりません",
    ),
    "11": (
        "def my_synops(input_spikes, hidden_spikes, n_hidden, n_classes):\n"
        "    return (input_spikes.sum() / input_spikes.shape[1] * n_hidden).item()\n",
        "隠れ層のスパイクは出力層へ伝わります",
    ),
    "12": ("def first_spike_steps(spikes):\n    return spikes.argmax(dim=0)\n", "すべてゼロの argmax は 0"),
    "13": (
        "import math\n\n\n"
        "def weights_for_target(rate, n_inputs, beta, mean, std):\n"
        "    s1, s2, s3 = n_inputs * rate, n_inputs * rate * (1 - rate), n_inputs * rate**2\n"
        "    g = 1 / (1 - beta)  # the mean's factor, used for the variance too\n"
        "    mu_w = mean / (s1 * g)\n"
        "    return mu_w, math.sqrt((std**2 - mu_w**2 * s2 * g) / (s2 * g + s3 * g**2))\n",
        "分散は過去の入力の重みを 2 乗して",
    ),
    "14": (
        "def adaptation_trace(spikes, rho):\n"
        "    a, trace = torch.zeros_like(spikes[0]), []\n"
        "    for t in range(spikes.shape[0]):\n"
        "        a = rho * a + (1 - rho) * spikes[t]\n"
        "        trace.append(a)\n"
        "    return torch.stack(trace)\n",
        "スパイクは次のステップの閾値を上げます",
    ),
}


def test_every_notebook_has_a_wrong_first_answer_here():
    assert sorted(WRONG_FIRST_ANSWERS) == sorted(p.name[:2] for p in NOTEBOOKS)


@pytest.mark.parametrize("name", [path.name for path in NOTEBOOKS])
def test_a_wrong_first_answer_in_the_japanese_student_copy_gets_the_japanese_hint(student_dir, name):
    """As a Japanese learner meets it: the student copy in student/ja, run from its folder (the kernel's
    working directory says the language), the first exercise answered wrongly."""
    nb = nbformat.read(student_dir / "ja" / name, as_version=4)
    exercise = next(
        c for c in nb.cells if c.cell_type == "code" and "raise NotImplementedError()" in c.source
    )
    exercise.source, phrase = WRONG_FIRST_ANSWERS[name[:2]]
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(student_dir / "ja")}}
    )
    with pytest.raises(CellExecutionError) as info:
        client.execute()
    assert info.value.ename == "ExerciseError", info.value
    message = info.value.evalue
    assert phrase in message, message
    assert "Hint" not in message and "expected" not in message and "Not yet" not in str(info.value)
    assert "まだ正解ではありません。" in str(info.value)  # the rendered first line, in red in Jupyter
