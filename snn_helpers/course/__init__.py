"""The course layer: scaffolding of the notebooks, kept out of the library's core and tasks.

``exercises_NN`` holds the checkers of notebook NN's exercises; ``checking`` what they share (the
learner-facing failure, the isolated random state); ``i18n`` and ``locale/`` their Japanese;
``experiments`` the repeated runs of notebooks 08 and 12; ``ensemble`` the batched training of many
small networks at once that notebook 08's grids use; ``memory_study`` notebook 14's study of memory
against the delay. The core and the tasks never import this package.
"""
