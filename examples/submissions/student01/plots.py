import matplotlib.pyplot as plt
import numpy as np

from c2f import C2F
from relu import relu
from sigmoid import sigmoid
from step import step
from tanh import tanh, tanh_grad


def plot_c2f():
    x = np.arange(-100, 100, .1)
    y = [C2F(c) for c in x]
    fig = plt.figure()
    plt.plot(x, y)
    plt.xlabel('Celsius')
    plt.ylabel('Fahrenheit')
    plt.axis([-20, 50, 0, 150])
    return fig


def plot_sigmoid():
    x = np.arange(-10.0, 10.0, 0.1)
    fig = plt.figure()
    plt.plot(x, sigmoid(x))
    plt.axvline(0, color='black')
    plt.xlabel('x')
    plt.ylabel('h(x)')
    plt.ylim(-0.1, 1.1)
    return fig


def plot_tanh():
    x = np.arange(-5.0, 5.0, 0.1)
    fig = plt.figure()
    plt.plot(x, tanh(x), label='tanh')
    plt.plot(x, tanh_grad(x), label="tanh'")
    plt.plot(x, sigmoid(x), label='sigmoid')
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
    plt.plot(x, step(x))
    plt.xlabel('x')
    plt.ylabel('h(x)')
    plt.ylim(-0.1, 1.1)
    return fig
