"""쌍곡탄젠트 함수와 그 도함수 / The hyperbolic tangent and its derivative.

확인 방법 / How to check:  이 폴더에서 ``pytest`` 를 실행하세요 / run ``pytest`` in this folder.

모든 함수에 공통인 규칙 / Rules for every function in this file:
  - 입력: 파이썬 int/float, NumPy 스칼라, 또는 모든 모양의 NumPy 배열 (0차원, 1차원, 2차원, 빈 배열), int 또는 float.
    Input: a Python int/float, a NumPy scalar, or a NumPy array of any shape (0-d, 1-d, 2-d, empty), int or float.
  - 출력: 배열을 넣으면 같은 모양의 배열, 스칼라를 넣으면 숫자 하나. bool 이나 None 이 아닙니다.
    Output: a same-shape array for an array input; one number for a scalar. Never bool or None.
  - 입력 배열을 바꾸지 마세요. / Never modify the input.
  - 같은 폴더의 sigmoid.py 를 ``from sigmoid import sigmoid`` 로 가져와 써도 됩니다.
    You may reuse your sigmoid.py with ``from sigmoid import sigmoid``.
"""

import numpy as np  # noqa: F401  (ready to use / 바로 쓸 수 있습니다)


def tanh(x):
    """쌍곡탄젠트 tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1.

    수식:  tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2·sigmoid(2x) − 1  (2σ(x) − 1 이 아니라 2x 입니다).
           출력 범위는 (−1, 1). np.tanh 를 써도 됩니다.
    입력/출력: 파일 맨 위의 규칙을 따르세요.
    예:    tanh(0) == 0,  tanh(np.array([-2.0, 0.0, 2.0])) ≈ [-0.964, 0.0, 0.964]

    The hyperbolic tangent tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1.

    Formula: tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2·sigmoid(2x) − 1 (2x, not x); range (−1, 1).
             np.tanh is allowed.
    Input/output: the rules at the top of this file.
    Example: tanh(0) == 0,  tanh(np.array([-2.0, 0.0, 2.0])) ≈ [-0.964, 0.0, 0.964]
    """
    raise NotImplementedError("tanh(x): not attempted yet / 아직 작성하지 않았습니다")


def tanh_grad(x):
    """tanh 의 도함수 tanh'(x) = 1 − tanh²(x).

    수식:  tanh'(x) = 1 − tanh²(x) = (1 − tanh(x))(1 + tanh(x)).  제곱을 잊지 마세요 (1 − tanh(x) 는 틀립니다).
           (슬라이드 한 줄의 분모 (1 + e^(−x))² 는 오타이고 (e^x + e^(−x))² 가 맞습니다.)
    입력/출력: 파일 맨 위의 규칙을 따르세요.
    예:    tanh_grad(0) == 1.0,  tanh_grad(np.array([-2.0, 0.0, 2.0])) ≈ [0.0707, 1.0, 0.0707]

    The derivative of tanh, tanh'(x) = 1 − tanh²(x).

    Formula: tanh'(x) = 1 − tanh²(x) = (1 − tanh(x))(1 + tanh(x)); mind the square (1 − tanh(x) is wrong).
             (One line of the slide divides by (1 + e^(−x))²; that is a typo for (e^x + e^(−x))².)
    Input/output: the rules at the top of this file.
    Example: tanh_grad(0) == 1.0,  tanh_grad(np.array([-2.0, 0.0, 2.0])) ≈ [0.0707, 1.0, 0.0707]
    """
    raise NotImplementedError("tanh_grad(x): not attempted yet / 아직 작성하지 않았습니다")
