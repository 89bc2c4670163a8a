"""snn_helpers: the library of the course "Training a spiking network with surrogate gradients".

Three layers (docs/maintaining.md, "Architecture"), each importing only from the ones below it:

- ``snn_helpers.core``: spike function, neuron, engines and their kernels, spike codes, readouts,
  activity, plotting;
- ``snn_helpers.tasks``: the post's task (``post``), the digits (``digits``), Randman (``randman``):
  data, networks, training;
- ``snn_helpers.course``: the exercise checkers, the notebooks' repeated runs, the ensembles.

This module re-exports the core and the post's task, the names the first notebooks use; the other
tasks and the course are imported from their modules. Each name says in its docstring which
notebook introduces it. The 0.2 module paths (``snn_helpers.digits``, ...) still import for one
version, with a DeprecationWarning (``snn_helpers._moved``).
"""

__version__ = "0.3.0"

from . import _moved
from .core.activity import (
    count_synops,
    dense_macs,
    mean_counts,
    rate_lower_bound,
    rate_upper_bound,
    spike_count_l1,
    synaptic_operations,
)
from .core.encoding import (
    CODES,
    encode,
    latency_encode,
    latency_times,
    permute_times,
    random_binary_input,
    rate_encode,
)
from .core.fused import IFSequence, if_sequence
from .core.init import (
    MembraneStats,
    fluctuation_init_,
    fluctuation_weights,
    measure_membrane,
    predicted_membrane,
)
from .core.neuron import IF, RESETS
from .core.plotting import (
    plot_confusion,
    plot_loss,
    plot_membrane,
    plot_raster,
    plot_surrogates,
    plot_unrolled_if,
    use_course_style,
)
from .core.profiling import saved_megabytes
from .core.readout import READOUTS, leaky_integrate, scores_over_time, tie_stats
from .core.recurrent import RecurrentLIF, RecurrentLIFSequence, recurrent_lif_sequence
from .core.seed import set_seed
from .core.spike import SURROGATES, Heaviside, SurrogateSpike, spike, surrogate_grad
from .tasks.post import History, Model, rate_loss, train

_moved.install()

__all__ = [
    "CODES",
    "IF",
    "READOUTS",
    "RESETS",
    "SURROGATES",
    "Heaviside",
    "History",
    "IFSequence",
    "MembraneStats",
    "Model",
    "RecurrentLIF",
    "RecurrentLIFSequence",
    "SurrogateSpike",
    "count_synops",
    "dense_macs",
    "encode",
    "fluctuation_init_",
    "fluctuation_weights",
    "if_sequence",
    "latency_encode",
    "latency_times",
    "leaky_integrate",
    "mean_counts",
    "measure_membrane",
    "permute_times",
    "plot_confusion",
    "plot_loss",
    "plot_membrane",
    "plot_raster",
    "plot_surrogates",
    "plot_unrolled_if",
    "predicted_membrane",
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
    "tie_stats",
    "train",
    "use_course_style",
]

_LEFT_THE_TOP = {  # 0.2 top-level names that are not core: where they live now
    "DigitsEnsemble": "course.ensemble",
    "EnsembleHistory": "course.ensemble",
    "Member": "course.ensemble",
    "PostEnsemble": "course.ensemble",
    "evaluate_ensemble": "course.ensemble",
    "train_digits_ensemble": "course.ensemble",
    "train_post_ensemble": "course.ensemble",
    "ReadoutSNN": "tasks.digits",
    "evaluate_readout": "tasks.digits",
    "train_readout": "tasks.digits",
}


def __getattr__(name: str) -> object:
    """The 0.2 top-level names of the tasks and the course, for one version, with a warning."""
    home = _LEFT_THE_TOP.get(name)
    if home is None:
        raise AttributeError(f"module 'snn_helpers' has no attribute {name!r}")
    import importlib
    import warnings

    warnings.warn(
        f"snn_helpers.{name} moved to snn_helpers.{home}.{name} in 0.3; the old name goes in 0.4",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(f"snn_helpers.{home}"), name)
