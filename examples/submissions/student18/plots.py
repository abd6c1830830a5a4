import numpy as np
import matplotlib.pyplot as plt


def activate(z):
    if z < 32:
        return 32
    return z


def C2F(C):
    return activate(9/5.0*C + 32)


def plot_c2f():
    fig = plt.figure()
    x = np.arange(-100, 100, .1)
    y = [C2F(c) for c in x]
    plt.plot(x, y)
    plt.xlabel('Celcius')
    plt.ylabel('Fahrenheit')
    plt.axis([-20, 50, 0, 150])
    plt.grid()
    return fig


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def plot_sigmoid():
    fig = plt.figure()
    x = np.arange(-10.0, 10.0, 0.1)
    y = sigmoid(x)
    plt.plot(x, y, 'r', linewidth=2)
    plt.axvline(0, color='black')
    plt.xlabel('x', fontsize=16)
    plt.ylabel('h(x)', fontsize=16)
    plt.ylim(-0.1, 1.1)
    plt.yticks([0.0, 0.5, 1.0])
    ax = plt.gca()
    ax.yaxis.grid(True)
    return fig


def tanh(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def plot_tanh():
    fig = plt.figure()
    x = np.arange(-5.0, 5.0, 0.1)
    plt.plot(x, tanh(x), label='tanh')
    plt.plot(x, (1 - tanh(x)) * (1 + tanh(x)), label="tanh'")
    plt.xlabel('x')
    plt.ylabel('y')
    plt.ylim(-1.1, 1.1)
    plt.plot(x, sigmoid(x), label='sigmoid')
    plt.legend(loc='best')
    return fig


def relu(x):
    return np.maximum(0, x)


def plot_relu():
    fig = plt.figure()
    x = np.arange(-5.0, 5.0, 0.1)
    y = relu(x)
    plt.plot(x, y)
    plt.ylim(-1, 5)
    plt.xlabel('x')
    plt.ylabel('h(x)')
    return fig


def step_function(x):
    return np.array(x >= 0, dtype=int)


def plot_step():
    fig = plt.figure()
    x = np.arange(-5.0, 5.0, 0.1)
    y = step_function(x)
    plt.plot(x, y)
    plt.ylim(-0.1, 1.1)
    plt.xlabel('x')
    plt.ylabel('h(x)')
    return fig
