"""A quiz as students receive it: questions and choices in both languages, no keys, no feedback.

Plus the ``answers.yaml`` template they fill in. Only prompts, choice ids and texts, matching sides and points
leave this module; ``correct``, answers, accepted texts, wrong-answer feedback and explanations never do.
"""

from __future__ import annotations

from activation_lab.quiz.model import (
    LocalizedText,
    Matching,
    MultipleSelect,
    Numeric,
    Quiz,
    ShortText,
    SingleChoice,
)
from activation_lab.quiz.take import choice_order

# Choices appear in one shuffled order (as `quiz take` shows a student named "handout"): the file's order,
# where authors often put the right choice first, would give the key away.
SHEET_STUDENT = "handout"

# Students answer with a choice's text, which the grader accepts in either language: the choice ids of the
# quiz files would give the key away (authors tend to make `a` the right one).
HOW_TO_ANSWER = {
    "single_choice": (
        '보기 하나의 글을 큰따옴표 안에 그대로 (예: "…")',
        'one choice\'s text in double quotes (e.g. "…")',
    ),
    "multiple_select": (
        '고른 보기들의 글 목록 (예: ["…", "…"])',
        'a list of the chosen choices\' texts (e.g. ["…", "…"])',
    ),
    "numeric": ('숫자 (예: 0.5 또는 "1/2")', 'a number (e.g. 0.5 or "1/2")'),
    "short_text": ("짧은 답 (한국어 또는 영어)", "a short answer (Korean or English)"),
    "matching": ('왼쪽: 오른쪽 (예: {"x1": "C"})', 'left: right (e.g. {"x1": "C"})'),
}


def _both(text: LocalizedText) -> list[str]:
    ko, en = text.text("ko"), text.text("en")
    return [ko] if ko == en else [ko, en]


def render_sheet(quiz: Quiz) -> str:
    """The quiz as Markdown: every question in Korean and English with what to write in ``answers.yaml``."""
    lines = [f"# {' / '.join(_both(quiz.title))}", ""]
    lines += [
        f"답은 `answers.yaml` 의 `{quiz.id}:` 아래에 씁니다. "
        f"/ Write your answers in `answers.yaml` under `{quiz.id}:`.",
        "",
    ]
    for number, item in enumerate(quiz.items, start=1):
        ko_how, en_how = HOW_TO_ANSWER[item.type]
        lines.append(f"## {number}. `{item.id}` ({item.points:g} 점 / points)")
        lines.append("")
        lines += [f"{text}  " for text in _both(item.prompt)]
        lines.append("")
        if isinstance(item, SingleChoice | MultipleSelect):
            choices = choice_order(quiz, item, SHEET_STUDENT)
            lines += ["- " + " / ".join(f'"{t}"' for t in _both(choice.text)) for choice in choices]
        elif isinstance(item, Matching):
            lefts = [" / ".join(f'"{t}"' for t in _both(p.left)) for p in item.pairs]
            rights = sorted(
                {
                    " / ".join(f'"{t}"' for t in _both(r))
                    for r in [*(p.right for p in item.pairs), *item.distractors]
                }
            )
            lines.append("왼쪽 / left: " + ", ".join(lefts))
            lines.append("")
            lines.append("오른쪽 / right: " + ", ".join(rights))
        elif not isinstance(item, Numeric | ShortText):  # pragma: no cover - a new item type needs a layout
            raise TypeError(f"no student layout for {item.type}")
        lines += ["", f"답 / answer: {ko_how} / {en_how}", ""]
    return "\n".join(lines)


def answers_template(quizzes: list[Quiz]) -> str:
    """An ``answers.yaml`` with every item id and an empty answer, grouped by quiz."""
    lines = [
        "# 퀴즈 답안: 각 줄의 ':' 뒤에 답을 쓰세요. 빈 답은 0점입니다. 문제는 quizzes/*.md 에 있습니다.",
        "# Quiz answers: write each answer after the ':'. An empty answer scores 0.",
        "# The questions are in quizzes/*.md.",
    ]
    for quiz in quizzes:
        lines += ["", f"{quiz.id}:"]
        for item in quiz.items:
            lines.append(f"  {item.id}:    # {HOW_TO_ANSWER[item.type][1]}")
    return "\n".join(lines) + "\n"
