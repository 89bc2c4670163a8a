"""Course scaffolding, kept out of the SNN library's core.

``exercises_NN`` holds the checkers of notebook NN's exercises; ``checking`` what they share
(the learner-facing failure, the isolated random state); ``experiments`` the repeated runs of
notebook 08. The core (``snn_helpers.spike``, ``neuron``, ``model``, ...) never imports this
package.
"""
