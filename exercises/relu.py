"""렐루(ReLU) 함수와 그 도함수 / The ReLU function and its derivative.

확인 방법 / How to check:  이 폴더에서 ``pytest`` 를 실행하세요 / run ``pytest`` in this folder.

모든 함수에 공통인 규칙 / Rules for every function in this file:
  - 입력: 파이썬 int/float, NumPy 스칼라, 또는 모든 모양의 NumPy 배열 (0차원, 1차원, 2차원, 빈 배열), int 또는 float.
    Input: a Python int/float, a NumPy scalar, or a NumPy array of any shape (0-d, 1-d, 2-d, empty), int or float.
  - 출력: 배열을 넣으면 같은 모양의 숫자 배열, 스칼라를 넣으면 숫자 하나. bool 이나 None 이 아닙니다.
    Output: a same-shape numeric array for an array input; one number for a scalar. Never bool or None.
  - 입력 배열을 바꾸지 마세요 (x[x < 0] = 0 은 입력을 바꿉니다). / Never modify the input (x[x < 0] = 0 does).
  - 파이썬 내장 max(0, x) 는 배열을 원소별로 비교하지 못합니다. np.maximum 을 쓰세요.
    The built-in max(0, x) does not work element-wise on arrays: use np.maximum.
"""

import numpy as np  # noqa: F401  (ready to use / 바로 쓸 수 있습니다)


def relu(x):
    """렐루 h(x) = x (x ≥ 0 일 때), 0 (그 밖) = max(0, x) 원소별.

    수식:  h(x) = x (x ≥ 0),  0 (그 밖).  강의 코드: np.maximum(0, x)
    입력/출력: 파일 맨 위의 규칙을 따르세요.
    예:    relu(3) == 3,  relu(-2) == 0,  relu(np.array([-1.0, 0.0, 2.5])) → array([0., 0., 2.5])

    ReLU h(x) = x if x >= 0, else 0 = max(0, x) element-wise.

    Formula: h(x) = x if x >= 0, 0 otherwise. The lecture's code: np.maximum(0, x)
    Input/output: the rules at the top of this file.
    Example: relu(3) == 3,  relu(-2) == 0,  relu(np.array([-1.0, 0.0, 2.5])) → array([0., 0., 2.5])
    """
    raise NotImplementedError("relu(x): not attempted yet / 아직 작성하지 않았습니다")


def relu_grad(x):
    """렐루의 도함수: x > 0 이면 1, 아니면 0 (x = 0 에서는 0 으로 약속합니다).

    수식:  h'(x) = 1 (x > 0),  0 (x ≤ 0)   →  relu_grad(0) == 0.  결과는 bool 이 아니라 숫자입니다
           (``x > 0`` 만 돌려주면 True/False 배열이 됩니다: ``(x > 0) * 1`` 처럼 숫자로 바꾸세요).
    입력/출력: 파일 맨 위의 규칙을 따르세요.
    예:    relu_grad(2.5) == 1,  relu_grad(0) == 0,  relu_grad(np.array([-1, 0, 2])) → array([0, 0, 1])

    The derivative of ReLU: 1 when x > 0, else 0 (by convention 0 at x = 0).

    Formula: h'(x) = 1 if x > 0, 0 if x <= 0   →  relu_grad(0) == 0. The result is numeric, not bool
             (``x > 0`` alone gives a True/False array: turn it into numbers, e.g. ``(x > 0) * 1``).
    Input/output: the rules at the top of this file.
    Example: relu_grad(2.5) == 1,  relu_grad(0) == 0,  relu_grad(np.array([-1, 0, 2])) → array([0, 0, 1])
    """
    raise NotImplementedError("relu_grad(x): not attempted yet / 아직 작성하지 않았습니다")
