"""시그모이드 함수와 그 도함수 / The sigmoid function and its derivative.

확인 방법 / How to check:  이 폴더에서 ``pytest`` 를 실행하세요 / run ``pytest`` in this folder.

모든 함수에 공통인 규칙 / Rules for every function in this file:
  - 입력: 파이썬 int/float, NumPy 스칼라, 또는 모든 모양의 NumPy 배열 (0차원, 1차원, 2차원, 빈 배열), int 또는 float.
    Input: a Python int/float, a NumPy scalar, or a NumPy array of any shape (0-d, 1-d, 2-d, empty), int or float.
  - 출력: 배열을 넣으면 같은 모양(shape)의 배열. 스칼라를 넣으면 숫자 하나. 값은 숫자여야 하며 bool 이나 None 이 아닙니다.
    Output: an array of the same shape for an array input; one number for a scalar. Numbers, never bool or None.
  - 입력 배열을 바꾸지 마세요 (x *= -1 같은 제자리 연산 금지). / Never modify the input (no in-place x *= -1).
  - math.exp 는 배열을 받지 못합니다. np.exp 를 쓰세요. / math.exp cannot take an array: use np.exp.
  - e 는 2.718 이 아니라 np.e (또는 np.exp) 입니다. / e is np.e (or np.exp), not 2.718.
"""

import numpy as np  # noqa: F401  (ready to use / 바로 쓸 수 있습니다)


def sigmoid(x):
    """시그모이드 σ(x) = 1 / (1 + e^(−x)).

    수식:  σ(x) = 1 / (1 + e^(−x)) = 1 / (1 + 1/e^x).  σ(0) = 1/2, σ(+∞) = 1, σ(−∞) = 0, 출력은 (0, 1) 사이.
    입력/출력: 파일 맨 위의 규칙을 따르세요 (배열이면 같은 모양의 배열, bool 금지, 입력 수정 금지).
    예:    sigmoid(0) == 0.5,  sigmoid(np.array([-2.0, 0.0, 2.0])) ≈ [0.1192, 0.5, 0.8808]

    The sigmoid σ(x) = 1 / (1 + e^(−x)).

    Formula: σ(x) = 1 / (1 + e^(−x)) = 1 / (1 + 1/e^x); σ(0) = 1/2, σ(+∞) = 1, σ(−∞) = 0; output in (0, 1).
    Input/output: the rules at the top of this file (same-shape array for an array, never bool, input unchanged).
    Example: sigmoid(0) == 0.5,  sigmoid(np.array([-2.0, 0.0, 2.0])) ≈ [0.1192, 0.5, 0.8808]
    """
    raise NotImplementedError("sigmoid(x): not attempted yet / 아직 작성하지 않았습니다")


def sigmoid_grad(x):
    """시그모이드의 도함수 σ'(x) = σ(x)·(1 − σ(x)).

    수식:  σ'(x) = e^(−x) / (1 + e^(−x))² = σ(x)(1 − σ(x)).  분모의 제곱을 잊지 마세요. 최댓값은 x = 0 에서 0.25.
    입력/출력: 파일 맨 위의 규칙을 따르세요.
    예:    sigmoid_grad(0) == 0.25,  sigmoid_grad(np.array([-2.0, 0.0, 2.0])) ≈ [0.105, 0.25, 0.105]

    The derivative of the sigmoid, σ'(x) = σ(x)·(1 − σ(x)).

    Formula: σ'(x) = e^(−x) / (1 + e^(−x))² = σ(x)(1 − σ(x)); mind the square. Its maximum is 0.25 at x = 0.
    Input/output: the rules at the top of this file.
    Example: sigmoid_grad(0) == 0.25,  sigmoid_grad(np.array([-2.0, 0.0, 2.0])) ≈ [0.105, 0.25, 0.105]
    """
    raise NotImplementedError("sigmoid_grad(x): not attempted yet / 아직 작성하지 않았습니다")
