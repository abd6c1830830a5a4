"""강의의 그림 다섯 개 그리기 / Drawing the lecture's five figures.

각 함수는 강의 슬라이드의 그림 하나를 그리고 matplotlib ``Figure`` 를 return 합니다 (plt.show() 는 하지 마세요).
Each function draws one figure of the lecture's slides and returns the matplotlib ``Figure`` (don't call plt.show()).

채점 / Grading: 곡선의 x, y 값 (강의와 같은 np.arange 범위), 축 이름, 축 범위, 범례를 참조 그림과 비교합니다.
The grader compares each curve's x and y values (the lecture's np.arange range), axis labels, limits and legend
with the reference figure. 글꼴 크기, 색, 격자, 눈금은 채점하지 않습니다 / font size, colours, grid and ticks are not graded.

수식은 직접 numpy 로 써도 되고, 여러분의 함수를 가져와도 됩니다 (``from sigmoid import sigmoid``);
가져오면 그 함수의 실수가 여기서도 드러납니다.
Write the formulas with numpy, or import your own functions (``from sigmoid import sigmoid``); if you import them,
their mistakes show here too.

시작하는 법 / How to start::

    fig, ax = plt.subplots()       # 또는 / or: fig = plt.figure(); plt.plot(...)
    ax.plot(x, y)
    ax.set_xlabel("x")
    return fig

확인 방법 / How to check:  ``pytest test_public_plots.py`` (matplotlib 이 필요합니다 / needs matplotlib).
"""

import matplotlib.pyplot as plt  # noqa: F401  (ready to use / 바로 쓸 수 있습니다)
import numpy as np  # noqa: F401


def plot_c2f():
    """체온 변환기 C2F 의 그래프.

    x = np.arange(-100, 100, .1),  y = C2F(x) (z = 9/5·x + 32, z < 32 이면 32)
    축 범위 axis([-20, 50, 0, 150]),  x축 이름 'Celsius',  y축 이름 'Fahrenheit'  (슬라이드의 'Celcius' 도 인정)

    The C2F converter: x = np.arange(-100, 100, .1), y = C2F(x) (z = 9/5·x + 32, clamped below at 32);
    axis([-20, 50, 0, 150]); x label 'Celsius', y label 'Fahrenheit' (the slide's 'Celcius' is accepted).
    """
    raise NotImplementedError("plot_c2f(): not attempted yet / 아직 작성하지 않았습니다")


def plot_sigmoid():
    """시그모이드 σ(x) = 1 / (1 + e^(−x)) 의 그래프.

    x = np.arange(-10.0, 10.0, 0.1),  y 범위 ylim(-0.1, 1.1),  x축 이름 'x',  y축 이름 'h(x)'
    (슬라이드처럼 plt.axvline(0, color='black') 을 그려도 됩니다)

    The sigmoid: x = np.arange(-10.0, 10.0, 0.1); ylim(-0.1, 1.1); labels 'x' and 'h(x)'
    (an axvline at 0 as on the slide is allowed).
    """
    raise NotImplementedError("plot_sigmoid(): not attempted yet / 아직 작성하지 않았습니다")


def plot_tanh():
    """tanh, 그 도함수 tanh', 시그모이드를 한 그림에.

    x = np.arange(-5.0, 5.0, 0.1). 곡선 세 개, 이 순서와 이 label 로: 'tanh', "tanh'" (= 1 − tanh²), 'sigmoid'.
    ylim(-1.1, 1.1),  x축 이름 'x',  y축 이름 'y',  범례 plt.legend(loc='best')

    tanh, its derivative and the sigmoid in one figure: x = np.arange(-5.0, 5.0, 0.1); three curves in this order
    with these labels: 'tanh', "tanh'" (= 1 − tanh²), 'sigmoid'; ylim(-1.1, 1.1); labels 'x', 'y'; a legend.
    """
    raise NotImplementedError("plot_tanh(): not attempted yet / 아직 작성하지 않았습니다")


def plot_relu():
    """ReLU h(x) = max(0, x) 의 그래프.

    x = np.arange(-5.0, 5.0, 0.1),  ylim(-1, 5),  x축 이름 'x',  y축 이름 'h(x)'

    ReLU: x = np.arange(-5.0, 5.0, 0.1); ylim(-1, 5); labels 'x' and 'h(x)'.
    """
    raise NotImplementedError("plot_relu(): not attempted yet / 아직 작성하지 않았습니다")


def plot_step():
    """단극성 계단 함수 (z ≥ 0 이면 1, 아니면 0) 의 그래프.

    x = np.arange(-5.0, 5.0, 0.1),  ylim(-0.1, 1.1),  x축 이름 'x',  y축 이름 'h(x)'

    The unipolar step (1 when z ≥ 0, else 0): x = np.arange(-5.0, 5.0, 0.1); ylim(-0.1, 1.1); labels 'x', 'h(x)'.
    """
    raise NotImplementedError("plot_step(): not attempted yet / 아직 작성하지 않았습니다")
