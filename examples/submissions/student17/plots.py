import matplotlib.pyplot as plt
import numpy as np

from c2f import C2F
from relu import relu


def plot_c2f():
    x = np.arange(-100, 100, .1)
    fig = plt.figure()
    plt.plot(x, [C2F(c) for c in x])
    plt.xlabel('Celsius')
    plt.ylabel('Fahrenheit')
    plt.axis([-20, 50, 0, 150])
    return fig


def plot_sigmoid():
    x = np.arange(-10.0, 10.0, 0.1)
    fig = plt.figure()
    plt.plot(x, 1 / (1 + np.exp(-x)))
    plt.xlabel('x')
    plt.ylabel('h(x)')
    plt.ylim(-0.1, 1.1)
    return fig


def plot_tanh():
    x = np.arange(-5.0, 5.0, 0.1)
    fig = plt.figure()
    plt.plot(x, np.tanh(x), label='tanh')
    plt.plot(x, 1 - np.tanh(x) ** 2, label="tanh'")
    plt.plot(x, 1 / (1 + np.exp(-x)), label='sigmoid')
    plt.xlabel('x')
    plt.ylabel('y')
    plt.ylim(-1.1, 1.1)
    plt.legend(loc='best')
    return fig


def plot_relu():
    x = np.arange(-5.0, 5.0, 0.1)
    fig = plt.figure()
    plt.plot(x, relu(x))
    plt.xlabel('x')
    plt.ylabel('h(x)')
    plt.ylim(-1, 5)
    return fig


def plot_step():
    x = np.arange(-5.0, 5.0, 0.1)
    fig = plt.figure()
    plt.plot(x, np.where(x >= 0, 1, 0))
    plt.xlabel('x')
    plt.ylabel('h(x)')
    plt.ylim(-0.1, 1.1)
    return fig
