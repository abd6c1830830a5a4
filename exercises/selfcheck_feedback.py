"""Feedback for the public self-check: call your function, compare with the expected value, name the mistake.

자가 점검용 도우미입니다. 이 파일은 고치지 마세요. 필요한 것은 numpy 와 pytest 뿐입니다.
The self-check helper. Don't edit this file; it needs only numpy and pytest.

Messages are in Korean or English: ``ACTIVATION_LAB_LANG=ko|en`` (or ``pytest --lang en``), else the course's
language ``COURSE_LANGUAGE`` below (Korean); the computer's locale is not used. Every message lives in ``MESSAGES``.
Each call of a student function has a time limit (``TIME_LIMIT_SECONDS``, or ``ACTIVATION_LAB_TIME_LIMIT``).
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import os
import re
import signal
import sys
import threading
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
RTOL = 1e-7
ATOL = 1e-9
# Course settings: the language of this course's students, and how long one call may take.
COURSE_LANGUAGE = "ko"
TIME_LIMIT_SECONDS = 5.0

# One catalogue for every text the self-check prints: {key: {"en": ..., "ko": ...}}.
MESSAGES: dict[str, dict[str, str]] = {
    # labels of a failure report
    "label.checked": {"en": "checked", "ko": "확인한 것"},
    "label.expected": {"en": "expected", "ko": "기대한 값"},
    "label.got": {"en": "you returned", "ko": "돌려준 값"},
    "label.raised": {"en": "raised", "ko": "발생한 예외"},
    "label.where": {"en": "at", "ko": "위치"},
    "label.printed": {"en": "printed", "ko": "출력(print)한 내용"},
    "label.detail": {"en": "detail", "ko": "자세히"},
    "label.rule": {"en": "rule", "ko": "규칙"},
    "label.hint": {"en": "hint", "ko": "힌트"},
    # comparison rules
    "rule.tolerance": {
        "en": "values must agree within rtol={rtol:g}, atol={atol:g} (|got − expected| ≤ atol + rtol·|expected|)",
        "ko": "값은 rtol={rtol:g}, atol={atol:g} 허용 오차 안에서 같아야 합니다 (|결과 − 기대값| ≤ atol + rtol·|기대값|)",
    },
    "rule.shape": {
        "en": "an array input gives an ndarray of the same shape; a scalar input gives one number",
        "ko": "배열을 넣으면 같은 모양(shape)의 ndarray, 스칼라를 넣으면 숫자 하나가 나와야 합니다",
    },
    "rule.numeric": {
        "en": "the result must be numbers (int or float), never bool, None or other objects",
        "ko": "결과는 숫자(int 또는 float)여야 하며 bool, None, 다른 객체는 안 됩니다",
    },
    "rule.unchanged": {
        "en": "the function must not modify its argument",
        "ko": "함수는 인자로 받은 배열을 바꾸면 안 됩니다",
    },
    "detail.mismatch": {
        "en": "max abs error {max_error:.3g}; first mismatch at index {index}: expected {expected_item}, got {got_item}",
        "ko": "최대 절대 오차 {max_error:.3g}; 처음 다른 위치 {index}: 기대값 {expected_item}, 결과 {got_item}",
    },
    "detail.shape": {
        "en": "shape {got_shape} (type {got_type}) instead of shape {expected_shape}",
        "ko": "모양이 {expected_shape} 이어야 하는데 {got_shape} (자료형 {got_type}) 입니다",
    },
    "detail.list": {
        "en": "a Python {got_type}, not a NumPy array: build the result with NumPy (np.where, np.maximum, ...) "
        "or wrap it in np.array(...)",
        "ko": "NumPy 배열이 아니라 파이썬 {got_type} 입니다: NumPy 연산(np.where, np.maximum 등)으로 결과를 만들거나 "
        "np.array(...) 로 감싸세요",
    },
    "detail.mutated": {
        "en": "after the call your argument was {after} (it was {before})",
        "ko": "호출 뒤 인자가 {before} 에서 {after} 로 바뀌었습니다",
    },
    # misconceptions (same keys as the grader's hints)
    "hint.not_attempted": {
        "en": "{function} is not attempted yet: the stub still raises NotImplementedError. "
        "Replace the line `raise NotImplementedError(...)` with your code.",
        "ko": "{function} 은(는) 아직 작성하지 않은 상태입니다: 뼈대 코드가 그대로 NotImplementedError 를 일으킵니다. "
        "`raise NotImplementedError(...)` 줄을 여러분의 코드로 바꾸세요.",
    },
    "hint.missing_function": {
        "en": "{file} defines no function `{function}`. Names are case-sensitive: write exactly `def {function}(...)`.",
        "ko": "{file} 에 `{function}` 함수가 없습니다. 이름은 대소문자를 구분합니다: 정확히 `def {function}(...)` 로 쓰세요.",
    },
    "hint.import_error": {
        "en": "{file} cannot be imported, so none of its functions can run: {error}{where}. "
        "Fix this first (notebook lines such as `%matplotlib inline` are not Python).",
        "ko": "{file} 을(를) import 할 수 없어서 어떤 함수도 실행되지 않습니다: {error}{where}. "
        "이것부터 고치세요 (`%matplotlib inline` 같은 노트북 명령은 파이썬 코드가 아닙니다).",
    },
    "hint.returned_none": {
        "en": "Your function returned None. Did you print the result instead of returning it? Write `return ...`.",
        "ko": "함수가 None 을 돌려주었습니다. 결과를 return 하지 않고 print 한 것은 아닌가요? `return ...` 을 쓰세요.",
    },
    "hint.ambiguous_truth": {
        "en": "`if x >= 0:` cannot work on an array: `x >= 0` is a boolean array such as [False True True], and "
        "`if` needs one True/False (this is the slide's bug). Compute on the whole array instead, "
        "e.g. `(x >= 0) * 1` or `np.where(x >= 0, 1, 0)`.",
        "ko": "배열에는 `if x >= 0:` 을 쓸 수 없습니다: `x >= 0` 은 [False True True] 같은 불린 배열인데 "
        "`if` 는 참/거짓 하나만 받습니다 (슬라이드의 버그). 배열 전체로 계산하세요: "
        "예) `(x >= 0) * 1` 또는 `np.where(x >= 0, 1, 0)`.",
    },
    "hint.np_int_removed": {
        "en": "`np.int` and `np.float` were removed in NumPy 1.24, so the slide's `dtype=np.int` raises "
        "AttributeError today. Write the built-in `int` (or `float`): `np.array(x >= 0, dtype=int)`.",
        "ko": "`np.int` 와 `np.float` 는 NumPy 1.24 에서 삭제되어 슬라이드의 `dtype=np.int` 는 이제 AttributeError 가 "
        "납니다. 내장 `int` (또는 `float`) 를 쓰세요: `np.array(x >= 0, dtype=int)`.",
    },
    "hint.step_strict_at_zero": {
        "en": "At exactly 0 you return the 'below zero' value. The formula says h(z) = 1 when z ≥ 0, so "
        "step(0) = 1 and bipolar_step(0) = 1. The slide's fixed code uses `x > 0`; the formula wins: use `x >= 0`.",
        "ko": "정확히 0 에서 '0보다 작을 때' 값을 돌려주었습니다. 수식은 z ≥ 0 이면 h(z) = 1 이므로 step(0) = 1, "
        "bipolar_step(0) = 1 입니다. 슬라이드의 고친 코드는 `x > 0` 을 쓰지만 수식이 기준입니다: `x >= 0` 을 쓰세요.",
    },
    "hint.bool_result": {
        "en": "You returned True/False (a bool or a bool array). `x >= 0` is only the condition; turn it into "
        "numbers with `(x >= 0) * 1`, `.astype(int)` or `np.where(..., 1, 0)`.",
        "ko": "True/False (bool 또는 불린 배열) 를 돌려주었습니다. `x >= 0` 은 조건일 뿐입니다. "
        "`(x >= 0) * 1`, `.astype(int)`, `np.where(..., 1, 0)` 처럼 숫자로 바꾸세요.",
    },
    "hint.math_on_array": {
        "en": "Functions of the `math` module (math.exp, math.tanh, ...) take one number, not an array. "
        "Use the NumPy versions, which work element-wise: `np.exp`, `np.tanh`.",
        "ko": "`math` 모듈의 함수(math.exp, math.tanh 등)는 숫자 하나만 받고 배열은 받지 못합니다. "
        "원소별로 계산하는 NumPy 함수 `np.exp`, `np.tanh` 를 쓰세요.",
    },
    "hint.builtin_max_on_array": {
        "en": "The built-in `max(0, x)` compares 0 with the whole array and cannot decide. "
        "`np.maximum(0, x)` compares element by element (the lecture's ReLU). (`np.max(0, x)` is something else "
        "again: the largest element along axis x.)",
        "ko": "내장 함수 `max(0, x)` 는 0 과 배열 전체를 비교하려다 실패합니다. "
        "`np.maximum(0, x)` 는 원소별로 비교합니다 (강의의 ReLU 코드). (`np.max(0, x)` 는 또 다른 함수로, "
        "축 x 를 따라 가장 큰 원소를 구합니다.)",
    },
    "hint.int_on_array": {
        "en": "`int(...)` and `float(...)` turn ONE value into a number; on an array they fail. "
        "Use `.astype(int)`, `* 1` or `np.asarray(..., dtype=float)` instead.",
        "ko": "`int(...)`, `float(...)` 는 값 하나만 숫자로 바꿉니다. 배열에서는 실패합니다. "
        "대신 `.astype(int)`, `* 1`, `np.asarray(..., dtype=float)` 를 쓰세요.",
    },
    "hint.scalar_for_array": {
        "en": "For an array input you must return an array of the same shape, one value per element "
        "(even for a 1-element array such as np.array([5])). `a.any()`/`a.all()` or `if` give one value for the "
        "whole array.",
        "ko": "배열을 넣으면 원소마다 값이 하나씩 있는 같은 모양의 배열을 돌려주어야 합니다 "
        "(np.array([5]) 처럼 원소가 하나여도). `a.any()`/`a.all()` 이나 `if` 는 배열 전체에 값 하나만 냅니다.",
    },
    "hint.exp_sign": {
        "en": "Check the sign inside exp: σ(x) = 1 / (1 + e^(−x)) uses `np.exp(-x)`. With `np.exp(x)` you "
        "compute σ(−x) = 1 − σ(x).",
        "ko": "exp 안의 부호를 확인하세요: σ(x) = 1 / (1 + e^(−x)) 는 `np.exp(-x)` 입니다. "
        "`np.exp(x)` 를 쓰면 σ(−x) = 1 − σ(x) 가 계산됩니다.",
    },
    "hint.missing_square": {
        "en": "Your derivative lacks its square: σ'(x) = e^(−x) / (1 + e^(−x))² = σ(x)(1 − σ(x)) and "
        "tanh'(x) = 1 − tanh²(x), i.e. `1 - np.tanh(x)**2`.",
        "ko": "도함수에 제곱이 빠졌습니다: σ'(x) = e^(−x) / (1 + e^(−x))² = σ(x)(1 − σ(x)), "
        "tanh'(x) = 1 − tanh²(x) 즉 `1 - np.tanh(x)**2` 입니다.",
    },
    "hint.sigmoid_grad_formula": {
        "en": "The lecture derives σ'(x) = σ(x)·(1 − σ(x)): a product of σ and (1 − σ), whose maximum is 0.25 at 0.",
        "ko": "강의에서 유도한 도함수는 σ'(x) = σ(x)·(1 − σ(x)) 입니다: σ 와 (1 − σ) 의 곱이며 x = 0 에서 최댓값 0.25.",
    },
    "hint.approx_e": {
        "en": "e is not 2.718 (or 2.7182): the rounding error shows. Use `np.exp(...)` or `np.e`.",
        "ko": "e 는 2.718 (또는 2.7182) 이 아닙니다: 반올림 오차가 드러납니다. `np.exp(...)` 나 `np.e` 를 쓰세요.",
    },
    "hint.low_precision": {
        "en": "Your result is float16/float32, which keeps only 3-7 digits. Compute in float64 (NumPy's default).",
        "ko": "결과가 float16/float32 라서 유효숫자가 3~7자리뿐입니다. float64 (NumPy 기본값) 로 계산하세요.",
    },
    "hint.tanh_via_sigmoid_x": {
        "en": "tanh(x) = 2σ(2x) − 1: the sigmoid takes 2x, not x. 2σ(x) − 1 is tanh(x/2).",
        "ko": "tanh(x) = 2σ(2x) − 1 입니다: 시그모이드에 x 가 아니라 2x 를 넣습니다. 2σ(x) − 1 은 tanh(x/2) 입니다.",
    },
    "hint.tanh_grad_slide_typo": {
        "en": "Your tanh' divides by (1 + e^(−x))², the typo of one line on the slide; the derivation means "
        "(e^x + e^(−x))², which gives tanh'(x) = 1 − tanh²(x).",
        "ko": "tanh' 을 (1 + e^(−x))² 로 나누었습니다. 슬라이드 한 줄의 오타입니다. 유도에서 뜻하는 것은 "
        "(e^x + e^(−x))² 이며, 그러면 tanh'(x) = 1 − tanh²(x) 가 됩니다.",
    },
    "hint.relu_grad_at_zero": {
        "en": "relu_grad(0) must be 0 (the convention of this course: 1 only when x > 0). Use `x > 0`, not `x >= 0`.",
        "ko": "relu_grad(0) 은 0 이어야 합니다 (이 강좌의 약속: x > 0 일 때만 1). `x >= 0` 이 아니라 `x > 0` 을 쓰세요.",
    },
    "hint.bipolar_zero": {
        "en": "The bipolar step gives −1 below zero, not 0: h(z) = 1 if z ≥ 0 else −1.",
        "ko": "양극성 계단 함수는 0보다 작을 때 0 이 아니라 −1 입니다: z ≥ 0 이면 1, 아니면 −1.",
    },
    "hint.c2f_inverted_ratio": {
        "en": "The weight is 9/5 (= 1.8), not 5/9: F = 9/5·C + 32 (5/9 converts Fahrenheit back to Celsius).",
        "ko": "가중치는 5/9 가 아니라 9/5 (= 1.8) 입니다: F = 9/5·C + 32 (5/9 는 화씨를 섭씨로 바꿀 때 씁니다).",
    },
    "hint.c2f_floor_div": {
        "en": "`9//5` is integer (floor) division and equals 1. Write `9/5` (or 1.8), as the slide's `9/5.0`.",
        "ko": "`9//5` 는 정수 나눗셈이라 1 이 됩니다. 슬라이드의 `9/5.0` 처럼 `9/5` (또는 1.8) 를 쓰세요.",
    },
    "hint.c2f_clamp_zero": {
        "en": "The activation clamps at 32, not at 0: h(z) = 32 if z < 32 else z.",
        "ko": "활성화 함수는 0 이 아니라 32 에서 자릅니다: z < 32 이면 32, 아니면 z.",
    },
    "hint.c2f_clamp_before_linear": {
        "en": "Apply the activation to the whole net input z = 9/5·C + 32, not to C or to 9/5·C before adding 32: "
        "C2F(C) = activate(9/5 * C + 32).",
        "ko": "활성화 함수는 C 나 32 를 더하기 전의 9/5·C 가 아니라 순입력 전체 z = 9/5·C + 32 에 적용합니다: "
        "C2F(C) = activate(9/5 * C + 32).",
    },
    "hint.c2f_no_clamp": {
        "en": "C2F must pass the net input through the activation: below 0 °C the neuron outputs 32. "
        "Return `activate(9/5 * C + 32)`.",
        "ko": "C2F 는 순입력을 활성화 함수에 통과시켜야 합니다: 0 °C 아래에서 뉴런의 출력은 32 입니다. "
        "`activate(9/5 * C + 32)` 를 return 하세요.",
    },
    "hint.input_mutated": {
        "en": "Your function changed its argument in place (e.g. `x[x < 0] = 0` or `x *= -1`). Work on a new "
        "array: `np.where(...)`, `np.maximum(...)` or `x = x.copy()` first.",
        "ko": "함수가 인자 배열을 제자리에서 바꿨습니다 (예: `x[x < 0] = 0`, `x *= -1`). 새 배열을 만드세요: "
        "`np.where(...)`, `np.maximum(...)`, 또는 먼저 `x = x.copy()`.",
    },
    "hint.scalar_input": {
        "en": "Your code uses array methods (`.astype`, `.clip`, `len(x)`, `for v in x`), but a plain number such "
        "as 3 has none: `(3 >= 0).astype(int)` fails because `3 >= 0` is a Python bool. Start with "
        "`x = np.asarray(x)`, or use NumPy functions that take numbers too (`np.where`, `np.clip`, `np.maximum`).",
        "ko": "배열 메서드(`.astype`, `.clip`, `len(x)`, `for v in x`)를 쓰는데, 3 같은 파이썬 숫자에는 이런 것이 "
        "없습니다: `3 >= 0` 은 파이썬 bool 이라 `(3 >= 0).astype(int)` 가 실패합니다. 첫 줄에 "
        "`x = np.asarray(x)` 를 쓰거나, 숫자도 받는 NumPy 함수(`np.where`, `np.clip`, `np.maximum`)를 쓰세요.",
    },
    "hint.list_result": {
        "en": "You return a Python list (from a loop or a list comprehension), not a NumPy array. Compute on the "
        "whole array at once (np.where, np.maximum, np.exp), which keeps every shape.",
        "ko": "NumPy 배열이 아니라 (반복문이나 리스트 컴프리헨션으로 만든) 파이썬 리스트를 돌려줍니다. "
        "배열 전체로 한꺼번에 계산하세요 (np.where, np.maximum, np.exp). 어떤 모양이든 유지됩니다.",
    },
    "hint.loop_over_rows": {
        "en": "`for v in x` over a 2-d array gives rows, not numbers, so `v >= 0` is an array again and `if` "
        "cannot decide. Don't loop: `np.where(x >= 0, 1, 0)` works for every shape.",
        "ko": "2차원 배열에서 `for v in x` 는 숫자가 아니라 행(row)을 줍니다. 그래서 `v >= 0` 도 배열이고 `if` 가 "
        "판단하지 못합니다. 반복문 대신 `np.where(x >= 0, 1, 0)` 를 쓰세요. 어떤 모양에서도 동작합니다.",
    },
    "hint.vectorize_otypes": {
        "en": "`np.vectorize(f)` fails on an empty array unless you give the result type: "
        "`np.vectorize(f, otypes=[float])` (or `[int]`). Or compute on the whole array with `np.where(...)`.",
        "ko": "`np.vectorize(f)` 는 결과 형식을 알려 주지 않으면 빈 배열에서 실패합니다: "
        "`np.vectorize(f, otypes=[float])` (또는 `[int]`). 아니면 `np.where(...)` 로 배열 전체를 계산하세요.",
    },
    "hint.int_truncation": {
        "en": "Your result lost its fractional part: `int(...)`, `.astype(int)` or `dtype=int` cut it off, so σ(x) "
        "becomes 0 and C2F(36.5) becomes 97. Keep floating-point values: drop the conversion.",
        "ko": "결과의 소수 부분이 사라졌습니다: `int(...)`, `.astype(int)`, `dtype=int` 가 잘라 내서 σ(x) 는 0, "
        "C2F(36.5) 는 97 이 됩니다. 실수 값을 그대로 두세요: 변환을 없애세요.",
    },
    "hint.rounded_result": {
        "en": "Your result is rounded (e.g. `round(F, 1)`). Don't round: return the exact value; the grader "
        "compares with a tolerance, and rounding belongs only to printing.",
        "ko": "결과가 반올림되어 있습니다 (예: `round(F, 1)`). 반올림하지 말고 정확한 값을 돌려주세요. "
        "채점기는 허용 오차로 비교하며, 반올림은 출력할 때만 하세요.",
    },
    "hint.tanh_missing_minus_one": {
        "en": "tanh(x) = 2σ(2x) − 1: the `- 1` is missing, so tanh(0) is 1 instead of 0. "
        "Write `2 * sigmoid(2 * x) - 1`.",
        "ko": "tanh(x) = 2σ(2x) − 1 입니다: `- 1` 이 빠져서 tanh(0) 이 0 이 아니라 1 입니다. "
        "`2 * sigmoid(2 * x) - 1` 로 쓰세요.",
    },
    "hint.missing_parentheses": {
        "en": "Parentheses are missing: `*` and `/` come before `+` and `-`. `1/1+np.exp(-x)` is 1 + e^(−x) and "
        "`s*1 - s` is 0. Write `1 / (1 + np.exp(-x))` and `s * (1 - s)`.",
        "ko": "괄호가 빠졌습니다: `*`, `/` 가 `+`, `-` 보다 먼저 계산됩니다. `1/1+np.exp(-x)` 는 1 + e^(−x), "
        "`s*1 - s` 는 0 입니다. `1 / (1 + np.exp(-x))` 와 `s * (1 - s)` 로 쓰세요.",
    },
    "hint.relu_grad_sign": {
        "en": "ReLU'(x) is 0 for x < 0, not −1: `np.sign(x)` is the slope of |x|. Write `np.where(x > 0, 1, 0)`.",
        "ko": "x < 0 에서 ReLU'(x) 는 −1 이 아니라 0 입니다: `np.sign(x)` 는 |x| 의 기울기입니다. "
        "`np.where(x > 0, 1, 0)` 로 쓰세요.",
    },
    "hint.unexpected_error": {
        "en": "Read the error message and the line it points to; run the function yourself on this input.",
        "ko": "오류 메시지와 그 줄을 읽어 보세요. 같은 입력으로 함수를 직접 실행해 보세요.",
    },
    "hint.timeout": {
        "en": "{call} did not finish within {seconds:g} s and was stopped. Look for a loop that never ends "
        "(a `while` whose condition never becomes False) or a loop over a huge range.",
        "ko": "{call} 이(가) {seconds:g}초 안에 끝나지 않아 멈췄습니다. 끝나지 않는 반복문(조건이 끝내 False 가 되지 "
        "않는 `while`)이나 너무 큰 범위의 반복이 있는지 보세요.",
    },
    # the summary at the end of a run
    "summary.title": {"en": "activation-lab self-check", "ko": "activation-lab 자가 점검"},
    "summary.line": {
        "en": "{file:<10} {passed}/{total} checks passed",
        "ko": "{file:<10} {total}개 중 {passed}개 통과",
    },
    "summary.not_attempted": {"en": "not attempted yet", "ko": "아직 작성하지 않음"},
    "summary.all_passed": {"en": "all passed", "ko": "모두 통과"},
    "summary.hints": {"en": "look at: {hints}", "ko": "살펴볼 것: {hints}"},
    "summary.not_run": {"en": "({count} not run: -x stopped early)", "ko": "({count}개는 -x 때문에 실행 안 됨)"},
    "summary.first_failure": {
        "en": "First failed check in {file} (all of them: see the next step):",
        "ko": "{file} 에서 처음 실패한 점검 (전부 보려면 아래 다음 단계를 보세요):",
    },
    "next.start": {
        "en": "Next step: write {function} in {file} (replace `raise NotImplementedError(...)`), "
        "then run `pytest {test_file}`.",
        "ko": "다음 단계: {file} 의 {function} 을(를) 작성하고 (`raise NotImplementedError(...)` 줄을 바꾸세요) "
        "`pytest {test_file}` 를 실행하세요.",
    },
    "next.fix": {
        "en": "Next step: fix {file} using the hint above; every failed check in full: `pytest {test_file}`.",
        "ko": "다음 단계: 위 힌트를 보고 {file} 을(를) 고치세요. 실패한 점검 전부 보기: `pytest {test_file}`.",
    },
    "next.fix_detailed": {
        "en": "Next step: fix {file} using the failures above, then run `pytest {test_file}` again.",
        "ko": "다음 단계: 위의 실패 내용을 보고 {file} 을(를) 고친 뒤 `pytest {test_file}` 를 다시 실행하세요.",
    },
    "next.notebook": {
        "en": "Next step: complete or fix the functions of {file} in the code cell above, run it, then run this "
        "cell again.",
        "ko": "다음 단계: 위 코드 셀에서 {file} 의 함수를 작성하거나 고치고, 그 셀을 실행한 뒤 이 셀을 다시 실행하세요.",
    },
    "next.done_notebook": {
        "en": "Next step: every public check of this part passes. Go on to the next part.",
        "ko": "다음 단계: 이 부분의 공개 점검을 모두 통과했습니다. 다음 부분으로 넘어가세요.",
    },
    "next.run_all": {
        "en": "Next step: run `pytest` (all files, without -x/-k) to see where you stand.",
        "ko": "다음 단계: `pytest` 를 (-x, -k 없이) 실행해 모든 파일의 상태를 확인하세요.",
    },
    "next.done": {
        "en": "Next step: every public check passes. Take the quiz (answers.yaml) and submit: see README.md.",
        "ko": "다음 단계: 공개 점검을 모두 통과했습니다. 퀴즈(answers.yaml)를 풀고 제출하세요: README.md 를 보세요.",
    },
    "summary.hidden": {
        "en": "These are the public checks only; the grader runs more (random inputs, every shape and dtype).",
        "ko": "공개된 점검만 실행했습니다. 채점기는 더 많은 점검(무작위 입력, 여러 모양과 자료형)을 실행합니다.",
    },
}

# The names of the student files; frames from these are the student's code in a traceback.
EXERCISE_FILES = ("c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py", "plots.py")


def language() -> str:
    """``ko`` or ``en``: ``ACTIVATION_LAB_LANG`` when set, else the course's language (not the locale)."""
    value = os.environ.get("ACTIVATION_LAB_LANG", "").strip().lower()
    if value:
        return "ko" if value.startswith("ko") else "en"
    return COURSE_LANGUAGE


def text(key: str, **params: Any) -> str:
    """The catalogue message ``key`` in the current language, filled with ``params``."""
    entry = MESSAGES[key]
    return entry.get(language(), entry["en"]).format(**params)


class SelfCheckFailure(pytest.fail.Exception):  # type: ignore[misc,name-defined]
    """A failed self-check: a readable report plus the key of the recognised misconception (if any)."""

    def __init__(self, message: str, hint: str | None) -> None:
        super().__init__(message, pytrace=False)
        self.hint = hint


@dataclass(frozen=True)
class Called:
    """What one call of a student function did."""

    value: Any
    error: BaseException | None
    where: str  # "step.py:3  if x >= 0:" -- the student's line that raised, when known
    args_after: tuple[Any, ...]
    printed: str


def show(value: Any) -> str:
    """A short, copy-pasteable rendering of an input or a result."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"np.array({value.item()!r})"
        body = np.array2string(value, separator=", ", threshold=20)
        dtype = "" if value.dtype.kind in "iub" or value.size else f", dtype={value.dtype.name}"
        if value.dtype.kind == "b":
            return f"array({body})  (dtype=bool)"
        return f"np.array({body}{dtype})"
    text_value = repr(value)
    return text_value if len(text_value) <= 200 else text_value[:200] + "…"


def _student_line(exc: BaseException) -> str:
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if Path(f.filename).name in EXERCISE_FILES and Path(f.filename).resolve().parent == HERE
    ]
    if not frames:
        return ""
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno}  {(last.line or '').strip()}"


class _TimeUp(BaseException):
    """Raised inside a student call that ran past the time limit (a BaseException: `except Exception` won't eat it)."""


def time_limit() -> float:
    """Seconds one call may take: ``ACTIVATION_LAB_TIME_LIMIT`` when set, else ``TIME_LIMIT_SECONDS``."""
    try:
        return float(os.environ.get("ACTIVATION_LAB_TIME_LIMIT", TIME_LIMIT_SECONDS))
    except ValueError:
        return TIME_LIMIT_SECONDS


def run_with_time_limit(function: Any, args: tuple[Any, ...], seconds: float) -> tuple[Any, BaseException | None]:
    """``function(*args)`` as ``(value, error)``; raises ``TimeoutError`` when it runs longer than ``seconds``.

    An alarm signal interrupts the call where there is one (Linux, macOS); elsewhere (Windows, or off the main
    thread) the call runs in a helper thread that is abandoned when time is up.
    """
    outcome: list[Any] = [None, None]

    def target() -> None:
        try:
            outcome[0] = function(*args)
        except KeyboardInterrupt:
            raise
        except _TimeUp:
            raise
        except BaseException as exc:  # the student's error is data, even exit()
            outcome[1] = exc

    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():

        def alarm(signum: int, frame: Any) -> None:
            raise _TimeUp

        previous = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            target()
        except _TimeUp:
            raise TimeoutError from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return outcome[0], outcome[1]
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError
    return outcome[0], outcome[1]


def _timed_out(what: str, seconds: float) -> SelfCheckFailure:
    return SelfCheckFailure(_report(what, [], "timeout", call=what, seconds=seconds), "timeout")


def load(module_name: str) -> Any:
    """Import the student's ``<module_name>.py`` from this folder, or fail with what went wrong."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    seconds = time_limit()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            module, error = run_with_time_limit(importlib.import_module, (module_name,), seconds)
    except TimeoutError:
        sys.modules.pop(module_name, None)
        raise _timed_out(f"import {module_name}", seconds) from None
    if error is None:
        return module
    # a student file may raise anything at import, even SystemExit
    sys.modules.pop(module_name, None)
    where = _student_line(error)
    if isinstance(error, SyntaxError) and error.lineno:
        where = f"{module_name}.py:{error.lineno}  {(error.text or '').strip()}"
    message = _report(
        f"import {module_name}",
        [],
        "import_error",
        file=f"{module_name}.py",
        error=f"{type(error).__name__}: {error}",
        where=f" ({where})" if where else "",
    )
    raise SelfCheckFailure(message, "import_error") from None


def call(module_name: str, function: str, *args: Any) -> Called:
    """Call ``module_name.function(*args)`` on copies of ``args``; errors and prints become data."""
    module = load(module_name)
    target = getattr(module, function, None)
    if not callable(target):
        message = _report(
            f"{module_name}.py", [], "missing_function", file=f"{module_name}.py", function=function
        )
        raise SelfCheckFailure(message, "missing_function")
    call_args = copy.deepcopy(args)
    out = io.StringIO()
    seconds = time_limit()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(out):
            warnings.simplefilter("ignore")  # overflow warnings are advice, never a failure
            value, error = run_with_time_limit(target, call_args, seconds)
    except TimeoutError:
        shown = ", ".join(show(a) for a in args)
        raise _timed_out(f"{function}({shown})", seconds) from None
    where = _student_line(error) if error is not None else ""
    return Called(value=value, error=error, where=where, args_after=call_args, printed=out.getvalue())


def diagnose_error(function: str, error: BaseException, where: str) -> str | None:
    """The misconception key an exception points to, if one is recognised."""
    message = str(error)
    line = where.split("  ", 1)[-1] if where else ""
    if isinstance(error, NotImplementedError):
        return "not_attempted"
    if isinstance(error, AttributeError) and "numpy" in message:
        for alias in ("int", "float", "bool", "object", "complex", "str"):
            if f"no attribute '{alias}'" in message:
                return "np_int_removed"
    number_type = r"'(int|float|bool)' object"
    lacks = re.search(number_type + r" has no attribute '(\w+)'", message)
    if isinstance(error, AttributeError) and lacks and hasattr(np.ndarray, lacks.group(2)):
        return "scalar_input"  # x.astype(...) / x.clip(...) on a plain Python number
    not_array = number_type + r" is not (iterable|subscriptable)|object of type '(int|float|bool)' has no len"
    if isinstance(error, TypeError) and re.search(not_array, message):
        return "scalar_input"
    if isinstance(error, ValueError) and "vectorize" in message and "otypes" in message:
        return "vectorize_otypes"
    if isinstance(error, ValueError) and "truth value of an array" in message:
        if "max(" in line or "min(" in line:
            return "builtin_max_on_array"
        if re.search(r"\bfor\s+\w+\s+in\b", line):
            return "loop_over_rows"  # a comprehension over a 2-d array yields rows
        return "ambiguous_truth"
    if ("np.max(" in line or "np.min(" in line) and isinstance(error, (TypeError, ValueError, IndexError)):
        return "builtin_max_on_array"  # np.max(0, x) reads x as an axis: np.maximum was meant
    if isinstance(error, TypeError) and ("arrays can be converted" in message or "only length-1" in message):
        if "math." in line or not line:
            return "math_on_array"
        if "int(" in line or "float(" in line:
            return "int_on_array"
        return "math_on_array"
    if isinstance(error, NameError) and "math" in message:
        return None
    return None


def _report(function_call: str, lines: list[tuple[str, str]], hint: str | None, **hint_params: Any) -> str:
    parts = [f"{text('label.checked')}: {function_call}"]
    parts += [f"  {text(label)}: {value}" for label, value in lines if value]
    if hint is not None:
        parts.append(f"  {text('label.hint')} [{hint}]: {text('hint.' + hint, **hint_params)}")
    return "\n".join(parts)


def _fail(function_call: str, lines: list[tuple[str, str]], hint: str | None, **hint_params: Any) -> None:
    raise SelfCheckFailure(_report(function_call, lines, hint, **hint_params), hint)


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype.kind == "b")


def _matches(got: Any, expected: Any) -> bool:
    try:
        return bool(np.allclose(np.asarray(got, dtype=float), expected, rtol=RTOL, atol=ATOL))
    except (TypeError, ValueError):
        return False


def _cut_or_rounded(got: Any, expected: np.ndarray) -> str | None:
    """``int_truncation`` or ``rounded_result`` when ``got`` is ``expected`` cut off or rounded."""
    integer = isinstance(got, (int, np.integer)) or (isinstance(got, np.ndarray) and got.dtype.kind in "iu")
    if integer and _matches(got, np.trunc(expected)):
        return "int_truncation"
    if any(_matches(got, np.round(expected, digits)) for digits in range(1, 8)):
        return "rounded_result"
    return None


def check(
    module_name: str,
    function: str,
    argument: Any,
    expected: Any,
    *,
    known: dict[str, Any] | list[tuple[str, Any]] | None = None,
) -> None:
    """Check ``function(argument)`` against the literal ``expected``.

    ``known`` lists typical wrong answers for this input: ``{hint: wrong}`` or ``[(hint, wrong), ...]``.
    """
    function_call = f"{function}({show(argument)})"
    expected_array = np.asarray(expected, dtype=float)
    expected_line = ("label.expected", show(np.asarray(expected)) if np.ndim(expected) else repr(expected))
    result = call(module_name, function, argument)
    printed = ("label.printed", result.printed.strip()[:300])
    if result.error is not None:
        hint = diagnose_error(function, result.error, result.where) or "unexpected_error"
        raised = (
            f"{type(result.error).__name__}: {str(result.error).splitlines()[0] if str(result.error) else ''}"
        )
        _fail(
            function_call,
            [expected_line, ("label.raised", raised), ("label.where", result.where), printed],
            hint,
            function=function,
        )
    got = result.value
    got_line = ("label.got", show(got))
    if got is None:
        _fail(function_call, [expected_line, got_line, printed], "returned_none")
    if _is_bool(got):
        _fail(function_call, [expected_line, got_line, ("label.rule", text("rule.numeric"))], "bool_result")
    if isinstance(got, (list, tuple)):
        detail = text("detail.list", got_type=type(got).__name__)
        _fail(
            function_call,
            [expected_line, got_line, ("label.detail", detail), ("label.rule", text("rule.shape"))],
            "list_result",
        )
    is_number = isinstance(got, (int, float, np.number)) or (
        isinstance(got, np.ndarray) and got.dtype.kind in "iuf"
    )
    if not is_number:
        _fail(function_call, [expected_line, got_line, ("label.rule", text("rule.numeric"))], None)
    expected_shape = np.shape(argument) if isinstance(argument, np.ndarray) else ()
    right_kind = isinstance(got, np.ndarray) if expected_shape else np.ndim(got) == 0
    if not right_kind or np.shape(got) != expected_shape:
        detail = text(
            "detail.shape",
            got_shape=np.shape(got),
            got_type=type(got).__name__,
            expected_shape=expected_shape,
        )
        hint = "scalar_for_array" if expected_shape else None
        _fail(
            function_call,
            [expected_line, got_line, ("label.detail", detail), ("label.rule", text("rule.shape"))],
            hint,
        )
    if _matches(got, expected_array):
        return
    got_array = np.asarray(got, dtype=float)
    lines = [expected_line, got_line]
    if expected_shape:
        error = np.abs(got_array - expected_array)
        bad = ~np.isclose(got_array, expected_array, rtol=RTOL, atol=ATOL)
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        lines.append(
            (
                "label.detail",
                text(
                    "detail.mismatch",
                    max_error=float(np.nanmax(error)) if error.size else 0.0,
                    index=index[0] if len(index) == 1 else index,
                    expected_item=expected_array[index],
                    got_item=got_array[index],
                ),
            )
        )
    lines.append(("label.rule", text("rule.tolerance", rtol=RTOL, atol=ATOL)))
    hint = _cut_or_rounded(got, expected_array)
    pairs = known.items() if isinstance(known, dict) else (known or [])
    for key, wrong in pairs if hint is None else []:
        if _matches(got, np.asarray(wrong, dtype=float)):
            hint = key
            break
    if hint is None and isinstance(got, (np.ndarray, np.floating)) and got.dtype in (np.float16, np.float32):
        hint = "low_precision"
    _fail(function_call, lines, hint)


def check_unchanged(module_name: str, function: str, argument: np.ndarray) -> None:
    """Check that ``function(argument)`` leaves its argument as it was."""
    function_call = f"{function}({show(argument)})"
    result = call(module_name, function, argument)
    if result.error is not None:
        hint = diagnose_error(function, result.error, result.where) or "unexpected_error"
        raised = f"{type(result.error).__name__}: {result.error}"
        _fail(
            function_call, [("label.raised", raised), ("label.where", result.where)], hint, function=function
        )
    after = result.args_after[0]
    if not (
        after.shape == argument.shape and after.dtype == argument.dtype and np.array_equal(after, argument)
    ):
        detail = text("detail.mutated", before=show(argument), after=show(after))
        _fail(
            function_call, [("label.detail", detail), ("label.rule", text("rule.unchanged"))], "input_mutated"
        )
