"""The tasks layer: each task's data, its networks, its training loop and its record.

``post`` is the blog post's task (notebooks 03 to 06 and 11), ``digits`` scikit-learn's handwritten
digits (07 to 11), ``randman`` the temporal task (12), ``memory`` the memory task (14). A task
module imports from the core and never from another task or from the course (docs/maintaining.md,
"Architecture").
"""
