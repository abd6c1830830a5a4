import numpy as np
import matplotlib.pylab as plt


def plot_c2f():
    x = np.arange(-100, 100, .1)
    y = [max(9 / 5 * c + 32, 32) for c in x]
    plt.plot(x, y)
    plt.xlabel('Celsius')
    plt.ylabel('Fahrenheit')
    plt.axis([-20, 50, 0, 150])
    plt.show()


def plot_sigmoid():
    x = np.arange(-10.0, 10.0, 0.1)
    y = 1 / (1 + np.exp(-x))
    plt.plot(x, y)
    plt.xlabel('x')
    plt.ylabel('h(x)')
    plt.ylim(-0.1, 1.1)
    plt.show()


def plot_tanh():
    x = np.arange(-5.0, 5.0, 0.1)
    plt.plot(x, np.tanh(x), label='tanh')
    plt.plot(x, 1 - np.tanh(x) ** 2, label="tanh'")
    plt.plot(x, 1 / (1 + np.exp(-x)), label='sigmoid')
    plt.xlabel('x')
    plt.ylabel('y')
    plt.ylim(-1.1, 1.1)
    plt.legend(loc='best')
    plt.show()


def plot_relu():
    x = np.arange(-5.0, 5.0, 0.1)
    plt.plot(x, np.maximum(0, x))
    plt.xlabel('x')
    plt.ylabel('h(x)')
    plt.ylim(-1, 5)
    plt.show()


def plot_step():
    x = np.arange(-5.0, 5.0, 0.1)
    y = np.array(x > 0, dtype=np.int64)
    plt.plot(x, y)
    plt.xlabel('x')
    plt.ylabel('h(x)')
    plt.ylim(-0.1, 1.1)
    plt.show()
