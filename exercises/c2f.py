"""체온 변환기 C2F 뉴런 (섭씨 → 화씨) / The C2F temperature-converter neuron (Celsius → Fahrenheit).

강의 3주차(3/3) "활성화 함수"의 첫 예제입니다. 두 함수를 완성하세요.
The first example of the lecture "Activation functions" (week 3, part 3). Complete both functions.

뉴런의 부품 / The parts of the neuron:
    입력 input x1 = C,  가중치 weight w1 = 9/5,  편향 bias b = w0 = 32 (x0 = 1)
    순입력 net input   z = w0·x0 + w1·x1 = 32 + 9/5·C
    활성화 함수 activation   y = h(z) = 32 (z < 32),  z (z ≥ 32)

확인 방법 / How to check:  이 폴더에서 ``pytest`` 를 실행하세요 / run ``pytest`` in this folder.
"""

import numpy as np  # noqa: F401  (ready to use / 바로 쓸 수 있습니다)


def activate(z):
    """활성화 함수 h(z): z < 32 이면 32, 아니면 z 를 그대로 돌려줍니다.

    수식:  h(z) = 32 (z < 32 일 때),  z (z ≥ 32 일 때)
    입력:  숫자 하나 (int, float, NumPy 스칼라). 이 연습에서는 배열을 다루지 않아도 됩니다.
    출력:  숫자 하나. print 하지 말고 return 하세요. 입력을 바꾸지 마세요.
    예:    activate(20.0) == 32,  activate(97.7) == 97.7

    The activation function h(z): 32 when z < 32, otherwise z itself.

    Formula: h(z) = 32 if z < 32, z if z >= 32
    Input:   one number (int, float, NumPy scalar); arrays are not required in this exercise.
    Output:  one number. Return it, don't print it. Don't modify the input.
    Example: activate(20.0) == 32,  activate(97.7) == 97.7
    """
    raise NotImplementedError("activate(z): not attempted yet / 아직 작성하지 않았습니다")


def C2F(C):
    """섭씨 C 를 화씨로 바꾸는 뉴런: activate(9/5·C + 32).

    수식:  z = 9/5·C + 32 (순입력),  F = h(z) = activate(z).  계수는 9/5 (= 1.8) 입니다. 5/9 가 아닙니다.
           파이썬에서 9//5 는 정수 나눗셈이라 1 이 됩니다. 9/5 를 쓰세요. 클램프는 C 가 아니라 z 에 적용합니다.
    입력:  숫자 하나 (int, float, NumPy 스칼라).
    출력:  숫자 하나 (return). 입력을 바꾸지 마세요.
    예:    강의의 표 [-20, -10, 0, 36.5, 40, 50, 100] → [32, 32, 32.0, 97.7, 104.0, 122.0, 212.0]
           즉 C2F(36.5) == 97.7 (부동소수점 오차 범위 안에서), C2F(-20) == 32

    The converter neuron: activate(9/5·C + 32).

    Formula: z = 9/5·C + 32 (the net input), F = h(z) = activate(z). The weight is 9/5 (= 1.8), not 5/9;
             in Python 9//5 is integer division and equals 1, so write 9/5. Clamp z, not C.
    Input:   one number (int, float, NumPy scalar).
    Output:  one number (returned). Don't modify the input.
    Example: the lecture's table [-20, -10, 0, 36.5, 40, 50, 100] → [32, 32, 32.0, 97.7, 104.0, 122.0, 212.0],
             i.e. C2F(36.5) == 97.7 (within floating-point tolerance), C2F(-20) == 32
    """
    raise NotImplementedError("C2F(C): not attempted yet / 아직 작성하지 않았습니다")
