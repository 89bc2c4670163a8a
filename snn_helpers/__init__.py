"""snn_helpers: the library of the course "Training a spiking network with surrogate gradients".

Each name says in its docstring which notebook introduces it. The core is re-exported here; the
tasks (``snn_helpers.digits``, ``snn_helpers.randman``) and the course's scaffolding
(``snn_helpers.course``: exercise checkers, notebook-only runs) are imported from their modules.
"""

__version__ = "0.2.0"

from .activity import (
    count_synops,
    dense_macs,
    mean_counts,
    rate_lower_bound,
    rate_upper_bound,
    spike_count_l1,
    synaptic_operations,
)
from .data import random_binary_input, set_seed
from .encoding import CODES, encode, latency_encode, latency_times, rate_encode
from .ensemble import (
    DigitsEnsemble,
    EnsembleHistory,
    Member,
    PostEnsemble,
    evaluate_ensemble,
    train_digits_ensemble,
    train_post_ensemble,
)
from .fused import IFSequence, if_sequence
from .model import Model
from .neuron import IF, RESETS
from .plotting import (
    plot_confusion,
    plot_loss,
    plot_membrane,
    plot_raster,
    plot_surrogates,
    plot_unrolled_if,
    use_course_style,
)
from .profiling import saved_megabytes
from .readout import READOUTS, ReadoutSNN, evaluate_readout, leaky_integrate, scores_over_time, train_readout
from .recurrent import RecurrentLIF, RecurrentLIFSequence, recurrent_lif_sequence
from .spike import SURROGATES, Heaviside, SurrogateSpike, spike, surrogate_grad
from .training import History, rate_loss, train

__all__ = [
    "CODES",
    "IF",
    "READOUTS",
    "RESETS",
    "SURROGATES",
    "DigitsEnsemble",
    "EnsembleHistory",
    "Heaviside",
    "History",
    "IFSequence",
    "Member",
    "Model",
    "PostEnsemble",
    "ReadoutSNN",
    "RecurrentLIF",
    "RecurrentLIFSequence",
    "SurrogateSpike",
    "count_synops",
    "dense_macs",
    "encode",
    "evaluate_ensemble",
    "evaluate_readout",
    "if_sequence",
    "latency_encode",
    "latency_times",
    "leaky_integrate",
    "mean_counts",
    "plot_confusion",
    "plot_loss",
    "plot_membrane",
    "plot_raster",
    "plot_surrogates",
    "plot_unrolled_if",
    "random_binary_input",
    "rate_encode",
    "rate_loss",
    "rate_lower_bound",
    "rate_upper_bound",
    "recurrent_lif_sequence",
    "saved_megabytes",
    "scores_over_time",
    "set_seed",
    "spike",
    "spike_count_l1",
    "surrogate_grad",
    "synaptic_operations",
    "train",
    "train_digits_ensemble",
    "train_post_ensemble",
    "train_readout",
    "use_course_style",
]
