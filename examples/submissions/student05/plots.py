import matplotlib.pyplot as plt
import numpy as np

from sigmoid import sigmoid


def plot_c2f():
    x = np.arange(-100, 100, .1)
    fig, ax = plt.subplots()
    ax.plot(x, np.maximum(9 / 5 * x + 32, 32))
    ax.set_xlabel('Celsius')
    ax.set_ylabel('Fahrenheit')
    ax.axis([-20, 50, 0, 150])
    return fig


def plot_sigmoid():
    x = np.arange(-10.0, 10.0, 0.1)
    fig, ax = plt.subplots()
    ax.plot(x, sigmoid(x))
    ax.set_xlabel('x')
    ax.set_ylabel('h(x)')
    ax.set_ylim(-0.1, 1.1)
    return fig


def plot_tanh():
    x = np.arange(-5.0, 5.0, 0.1)
    fig, ax = plt.subplots()
    ax.plot(x, np.tanh(x), label='tanh')
    ax.plot(x, 1 - np.tanh(x) ** 2, label="tanh'")
    ax.plot(x, 1 / (1 + np.exp(-x)), label='sigmoid')
    ax.set_xlabel('x')
    ax.set_ylabel('y')
    ax.set_ylim(-1.1, 1.1)
    ax.legend(loc='best')
    return fig


def plot_relu():
    x = np.arange(-5.0, 5.0, 0.1)
    fig, ax = plt.subplots()
    ax.plot(x, np.maximum(0, x))
    ax.set_xlabel('x')
    ax.set_ylabel('h(x)')
    ax.set_ylim(-1, 5)
    return fig


def plot_step():
    x = np.arange(-5.0, 5.0, 0.1)
    fig, ax = plt.subplots()
    ax.plot(x, np.where(x >= 0, 1, 0))
    ax.set_xlabel('x')
    ax.set_ylabel('h(x)')
    ax.set_ylim(-0.1, 1.1)
    return fig
