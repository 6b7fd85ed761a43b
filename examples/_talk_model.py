"""The PyData talk's model, which several examples start from: logistic regression in Keras.

One input x, one Dense unit and a sigmoid: P(class | x) = sigmoid(w·x + b), trained with
binary cross-entropy and plain SGD, reporting accuracy -- the talk's code, line for line.

>>> model = logistic_regression()
>>> [type(layer).__name__ for layer in model.layers]
['Dense', 'Activation']
"""
import _common  # noqa: F401  (first: the repository on sys.path, one BLAS thread)

from nn import Activation, Dense, Sequential


def logistic_regression() -> Sequential:
    """A fresh, compiled copy of the talk's model (weights drawn from nn's random seed)."""
    model = Sequential()
    model.add(Dense(1, input_dim=1))
    model.add(Activation("sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    return model
