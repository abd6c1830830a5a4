"""단극성 및 양극성 계단 함수 / The unipolar and bipolar step functions.

확인 방법 / How to check:  이 폴더에서 ``pytest`` 를 실행하세요 / run ``pytest`` in this folder.

모든 함수에 공통인 규칙 / Rules for every function in this file:
  - 입력: 파이썬 int/float, NumPy 스칼라, 또는 모든 모양의 NumPy 배열 (0차원, 1차원, 2차원, 빈 배열), int 또는 float.
    Input: a Python int/float, a NumPy scalar, or a NumPy array of any shape (0-d, 1-d, 2-d, empty), int or float.
  - 출력: 배열을 넣으면 같은 모양의 숫자 배열 (원소가 하나인 np.array([5]) 도 배열로!). 스칼라를 넣으면 숫자 하나.
    값은 정수 또는 실수여야 하며 bool (True/False) 이 아닙니다.
    Output: an array of numbers of the same shape for an array input (np.array([5]) too!); one number for a scalar.
    Integers or floats, never bool (True/False).
  - 입력 배열을 바꾸지 마세요 (x[x < 0] = 0 은 입력을 바꿉니다). / Never modify the input (x[x < 0] = 0 does).

강의 코드의 함정 세 가지 / Three traps in the lecture's code:
  1. ``if x >= 0:`` 는 step(3) 에는 동작하지만, 배열에서는 ``x >= 0`` 이 [False True True] 같은 불린 배열이라
     if 가 참/거짓을 정할 수 없어 "ValueError: The truth value of an array ... is ambiguous" 가 납니다.
     a.any() / a.all() 로 바꾸면 에러는 사라지지만 배열 전체에 대해 숫자 하나만 돌려주므로 틀립니다.
     불린 배열을 숫자로 바꾸세요: ``(x >= 0) * 1`` 또는 ``np.array(x >= 0, dtype=int)``.
     ``if x >= 0:`` works for step(3), but on an array ``x >= 0`` is a boolean array like [False True True] and
     ``if`` cannot decide: "ValueError: The truth value of an array ... is ambiguous". Using a.any() / a.all()
     silences the error but returns one number for the whole array, which is wrong.
     Turn the boolean array into numbers: ``(x >= 0) * 1`` or ``np.array(x >= 0, dtype=int)``.
  2. 슬라이드의 "고친" 코드는 ``x > 0`` 을 씁니다. 그러면 step(0) = 0 이 되지만, 수식은 z ≥ 0 이면 1 이므로
     step(0) 은 1 이어야 합니다 (bipolar_step(0) 도 1). 수식이 기준입니다: ``>=`` 를 쓰세요.
     The slide's "fixed" code uses ``x > 0``, which gives step(0) = 0; the formula says 1 when z ≥ 0, so
     step(0) must be 1 (and bipolar_step(0) too). The formula is the specification: use ``>=``.
  3. 슬라이드의 ``dtype=np.int`` 는 NumPy 1.24 에서 삭제되어 AttributeError 가 납니다. 그냥 ``int`` 를 쓰세요
     (``np.float`` 대신 ``float``).
     The slide's ``dtype=np.int`` was removed in NumPy 1.24 and raises AttributeError. Write plain ``int``
     (and ``float`` instead of ``np.float``).
"""

import numpy as np  # noqa: F401  (ready to use / 바로 쓸 수 있습니다)


def step(x):
    """단극성 계단 함수: z ≥ 0 이면 1, 아니면 0.

    수식:  h(z) = 1 (z ≥ 0 일 때),  0 (그 밖)   →  step(0) == 1
    입력/출력: 파일 맨 위의 규칙을 따르세요 (배열이면 같은 모양의 정수/실수 배열, bool 금지, 입력 수정 금지).
    예:    step(3) == 1,  step(0) == 1,  step(np.array([-1, 2, 3])) → array([0, 1, 1])

    The unipolar step function: 1 when z ≥ 0, else 0.

    Formula: h(z) = 1 if z >= 0, 0 otherwise   →  step(0) == 1
    Input/output: the rules at the top of this file (same-shape numeric array, never bool, input unchanged).
    Example: step(3) == 1,  step(0) == 1,  step(np.array([-1, 2, 3])) → array([0, 1, 1])
    """
    raise NotImplementedError("step(x): not attempted yet / 아직 작성하지 않았습니다")


def bipolar_step(x):
    """양극성 계단 함수: z ≥ 0 이면 1, 아니면 −1.

    수식:  h(z) = 1 (z ≥ 0 일 때),  −1 (그 밖)   →  bipolar_step(0) == 1.  음수에서는 0 이 아니라 −1 입니다.
    입력/출력: 파일 맨 위의 규칙을 따르세요.
    예:    bipolar_step(-2) == -1,  bipolar_step(np.array([-1, 0, 3])) → array([-1, 1, 1])

    The bipolar step function: 1 when z ≥ 0, else −1.

    Formula: h(z) = 1 if z >= 0, −1 otherwise   →  bipolar_step(0) == 1; below zero it is −1, not 0.
    Input/output: the rules at the top of this file.
    Example: bipolar_step(-2) == -1,  bipolar_step(np.array([-1, 0, 3])) → array([-1, 1, 1])
    """
    raise NotImplementedError("bipolar_step(x): not attempted yet / 아직 작성하지 않았습니다")
