"""snn_helpers: the library of the course "Training a spiking network with surrogate gradients".

Each name says in its docstring which notebook introduces it.
"""

__version__ = "0.1.0"

from .data import random_binary_input, set_seed
from .fused import IFSequence, if_sequence
from .model import Model
from .neuron import IF, RESETS
from .plotting import plot_confusion, plot_loss, plot_membrane, plot_raster, plot_surrogates, use_course_style
from .profiling import saved_megabytes
from .spike import SURROGATES, Heaviside, SurrogateSpike, spike, surrogate_grad
from .training import History, rate_loss, train

__all__ = [
    "IF",
    "RESETS",
    "SURROGATES",
    "Heaviside",
    "History",
    "IFSequence",
    "Model",
    "SurrogateSpike",
    "if_sequence",
    "plot_confusion",
    "plot_loss",
    "plot_membrane",
    "plot_raster",
    "plot_surrogates",
    "random_binary_input",
    "saved_megabytes",
    "rate_loss",
    "set_seed",
    "spike",
    "surrogate_grad",
    "train",
    "use_course_style",
]
