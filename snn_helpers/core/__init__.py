"""The core layer: what any spiking network of the course is made of.

The spike function and its surrogates (``spike``), the neuron (``neuron``), the engines that run
it over time (``fused``, ``recurrent``) and their optional C++ kernels (``kernel``,
``recurrent_kernel``, ``csrc/``), the spike codes (``encoding``), the readouts (``readout``),
activity and operation counts (``activity``), figures (``plotting``), memory measurement
(``profiling``) and seeding (``seed``). A core module imports only from the core
(docs/maintaining.md, "Architecture"; tests/test_layers.py checks it).
"""
