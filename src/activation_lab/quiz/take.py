"""Take a quiz in the terminal: rich prompts, per-student choice order, answers.yaml written atomically.

Choices (and the right-hand options of matching items) are shuffled per student, reproducibly: the order comes
from a hash of quiz id, item id and student id, so the same student always sees the same order. The answers
file always records real choice ids and texts, never displayed positions. Bad input is asked again.

``<`` goes back to the previous question; Enter alone skips one after a confirmation (or keeps the answer
given before). Every answer is written to the answers file as soon as it is given (atomically, merged with
the answers of other quizzes), so Ctrl-C or Ctrl-D loses nothing: the same command resumes at the first
unanswered question. The results table numbers its rows as the questions were shown.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from ruamel.yaml import YAML

from activation_lab.errors import ExitCode, QuizError
from activation_lab.fsutil import write_atomic
from activation_lab.i18n import message, render
from activation_lab.quiz.grade import grade_answers, load_answers, read_number
from activation_lab.quiz.model import (
    Choice,
    Item,
    LocalizedText,
    Matching,
    MultipleSelect,
    Numeric,
    Quiz,
    ShortText,
    SingleChoice,
)
from activation_lab.quiz.numbers import NumberFormatError

BACK_COMMAND = "<"
YES = ("y", "yes", "예", "네", "ㅇ")


class _Back:
    """The student asked to go back to the previous question."""


class _Skip:
    """The student skipped the question (or kept the answer given before)."""


BACK: Any = _Back()
SKIP: Any = _Skip()


def shuffled(values: list[Any], quiz_id: str, item_id: str, student: str, salt: str = "") -> list[Any]:
    """``values`` in this student's order: ``random.Random`` seeded by a hash of quiz, item and student."""
    digest = hashlib.sha256(f"{quiz_id}\0{item_id}\0{student}\0{salt}".encode()).digest()
    order = list(values)
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(order)
    return order


def choice_order(quiz: Quiz, item: SingleChoice | MultipleSelect, student: str) -> list[Choice]:
    """The choices of ``item`` as ``student`` sees them (file order when the item sets ``shuffle: false``)."""
    if not item.shuffle:
        return list(item.choices)
    return shuffled(list(item.choices), quiz.id, item.id, student)


def right_order(quiz: Quiz, item: Matching, student: str) -> list[LocalizedText]:
    """The right-hand options of a matching item as ``student`` sees them."""
    if not item.shuffle:
        return list(item.rights)
    return shuffled(list(item.rights), quiz.id, item.id, student, "rights")


def write_answers(path: Path, answers: dict[str, Any]) -> None:
    """Write ``answers`` as YAML atomically (temporary file in the same folder, then ``os.replace``)."""
    yaml = YAML(typ="safe")
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(answers, stream)
    write_atomic(path, stream.getvalue(), mode=0o600)  # a student's answers are theirs alone


class _Session:
    """One run of the interactive quiz; reads with ``console.input`` so a pseudo-terminal can drive it."""

    def __init__(
        self, quiz: Quiz, lang: str, student: str, console: Console, save: Callable[[dict[str, Any]], None]
    ) -> None:
        self.quiz = quiz
        self.lang = lang
        self.student = student
        self.console = console
        self.save = save
        self.previous: Any = None  # the answer the current question already has, if any

    def say(self, text: str, style: str = "") -> None:
        self.console.print(escape(text), style=style or None)

    def ask(self, key: str, **params: Any) -> str:
        return self.console.input(escape(message("quiz", f"take.{key}", self.lang, **params)) + " ").strip()

    def blank(self) -> Any:
        """Enter alone: keep the earlier answer, or skip after a confirmation; ``None`` asks again."""
        if self.previous is not None:
            return SKIP
        reply = self.ask("confirm_skip")
        return SKIP if reply.lower() in YES else None

    def run(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Ask every question from the first one without an answer; ``answers`` is updated and saved."""
        items = self.quiz.items
        total = len(items)
        index = next((i for i, item in enumerate(items) if item.id not in answers), 0)
        if answers:
            self.say(message("quiz", "take.resumed", self.lang, answered=len(answers), total=total), "cyan")
        while index < total:
            item = items[index]
            header = message(
                "quiz", "take.question", self.lang, number=index + 1, total=total, points=f"{item.points:g}"
            )
            self.console.print(
                Panel(escape(item.prompt.text(self.lang)), title=escape(header), title_align="left")
            )
            self.previous = answers.get(item.id)
            if self.previous is not None:
                self.say(
                    message("quiz", "take.current_answer", self.lang, answer=_shown(self.previous)), "cyan"
                )
            answer = self.answer(item)
            if answer is BACK:
                index = max(0, index - 1)
                continue
            if answer is SKIP:
                if self.previous is None:
                    self.say(message("quiz", "take.skipped", self.lang), "yellow")
            else:
                answers[item.id] = answer
                self.save(answers)
            index += 1
        return answers

    def answer(self, item: Item) -> Any:
        if isinstance(item, SingleChoice):
            return self.single(item)
        if isinstance(item, MultipleSelect):
            return self.multiple(item)
        if isinstance(item, Numeric):
            return self.number()
        if isinstance(item, ShortText):
            return self.text()
        return self.matching(item)

    def show_choices(self, choices: list[Choice]) -> None:
        for position, choice in enumerate(choices, start=1):
            self.say(f"  {position}) {choice.text.text(self.lang)}")

    def single(self, item: SingleChoice) -> Any:
        choices = choice_order(self.quiz, item, self.student)
        self.show_choices(choices)
        while True:
            reply = self.ask("ask_one", count=len(choices))
            if reply == BACK_COMMAND:
                return BACK
            if not reply:
                decided = self.blank()
                if decided is not None:
                    return decided
                continue
            if reply.isdigit() and 1 <= int(reply) <= len(choices):
                return choices[int(reply) - 1].id
            self.say(message("quiz", "take.bad_one", self.lang, count=len(choices)), "red")

    def multiple(self, item: MultipleSelect) -> Any:
        choices = choice_order(self.quiz, item, self.student)
        self.show_choices(choices)
        while True:
            reply = self.ask("ask_many", count=len(choices))
            if reply == BACK_COMMAND:
                return BACK
            if not reply:
                decided = self.blank()
                if decided is not None:
                    return decided
                continue
            if reply == "-":
                return []
            parts = [part for part in re.split(r"[,\s]+", reply) if part]
            if all(p.isdigit() and 1 <= int(p) <= len(choices) for p in parts):
                picked = {choices[int(p) - 1].id for p in parts}
                return [choice.id for choice in item.choices if choice.id in picked]  # file order, real ids
            self.say(message("quiz", "take.bad_many", self.lang, count=len(choices)), "red")

    def number(self) -> Any:
        while True:
            reply = self.ask("ask_number")
            if reply == BACK_COMMAND:
                return BACK
            if not reply:
                decided = self.blank()
                if decided is not None:
                    return decided
                continue
            try:
                read_number(reply)
            except NumberFormatError as exc:
                self.say(message("quiz", f"grade.number_{exc.reason}", self.lang, answer=reply), "red")
                continue
            return reply

    def text(self) -> Any:
        while True:
            reply = self.ask("ask_text")
            if reply == BACK_COMMAND:
                return BACK
            if reply:
                return reply
            decided = self.blank()
            if decided is not None:
                return decided

    def matching(self, item: Matching) -> Any:
        rights = right_order(self.quiz, item, self.student)
        self.say(message("quiz", "take.options", self.lang))
        for position, right in enumerate(rights, start=1):
            self.say(f"  {position}) {right.text(self.lang)}")
        matched: dict[str, str] = {}
        for pair in item.pairs:
            left = pair.left.text(self.lang)
            while True:
                reply = self.ask("ask_match", left=left, count=len(rights))
                if reply == BACK_COMMAND:
                    return BACK
                if not reply:
                    break
                if reply.isdigit() and 1 <= int(reply) <= len(rights):
                    matched[left] = rights[int(reply) - 1].text(self.lang)
                    break
                self.say(message("quiz", "take.bad_one", self.lang, count=len(rights)), "red")
        if matched:
            return matched
        decided = self.blank()
        return decided if decided is not None else self.matching(item)


def _shown(answer: Any) -> str:
    if isinstance(answer, list):
        return ", ".join(str(a) for a in answer) or "-"
    if isinstance(answer, dict):
        return ", ".join(f"{k} → {v}" for k, v in answer.items())
    return str(answer)


def take_quiz(
    quiz: Quiz,
    *,
    lang: str,
    student: str = "",
    exam: bool = False,
    out: Path = Path("answers.yaml"),
    console: Console | None = None,
) -> int:
    """Run the quiz, saving every answer to ``out`` at once; show feedback and score unless ``exam``.

    ``out`` keeps the answers of other quizzes already in it, and this quiz's earlier answers are resumed.
    Returns the exit code (130 when interrupted; every answer given so far is saved).
    """
    console = console or Console(highlight=False)
    existing: dict[str, Any] = {}
    if out.exists():  # refuse before the student answers anything, not after
        try:
            existing = load_answers(out.read_text(encoding="utf-8"), str(out))
        except (OSError, UnicodeDecodeError) as exc:
            raise QuizError(f"{out}: {exc}") from None
    own_ids = {item.id for item in quiz.items}
    others = {key: value for key, value in existing.items() if key not in own_ids and key != quiz.id}
    own_section = existing.get(quiz.id)
    section: dict[str, Any] = own_section if isinstance(own_section, dict) else {}
    answers = {key: value for key, value in {**section, **existing}.items() if key in own_ids}

    def save(current: dict[str, Any]) -> None:
        write_answers(out, {**others, **current})

    console.print(Panel(escape(quiz.title.text(lang)), style="bold"))
    console.print(escape(message("quiz", "take.how_to", lang)))
    if exam:
        console.print(escape(message("quiz", "take.exam_mode", lang)))
    try:
        answers = _Session(quiz, lang, student, console, save).run(answers)
    except (KeyboardInterrupt, EOFError):
        console.print()
        console.print(
            escape(message("quiz", "take.interrupted", lang, file=str(out), answered=len(answers))),
            style="yellow",
        )
        return ExitCode.INTERRUPTED
    save(answers)
    console.print(
        escape(
            message("quiz", "take.saved", lang, file=str(out), answered=len(answers), total=len(quiz.items))
        )
    )
    if exam:
        return ExitCode.OK
    result = grade_answers(quiz, answers)
    numbers = {item.id: number for number, item in enumerate(quiz.items, start=1)}
    table = Table(show_lines=True)
    table.add_column(message("quiz", "take.column_item", lang), justify="right")
    table.add_column(message("quiz", "take.column_score", lang), justify="right")
    table.add_column(message("quiz", "take.column_feedback", lang))
    for item in result.items:
        label = str(numbers.get(item.id, item.id))  # numbered as the questions were shown
        table.add_row(
            escape(label), f"{item.score:g} / {item.max_score:g}", escape(render(item.feedback, lang))
        )
    console.print(table)
    console.print(
        escape(
            message("quiz", "take.score", lang, score=f"{result.score:g}", max_score=f"{result.max_score:g}")
        )
    )
    return ExitCode.OK
