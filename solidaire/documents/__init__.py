"""One path for every file a person sends: validation by content, a private
store under random names, and downloads only through views that check access.

This app sits on the bottom floor beside ``accounts`` and ``common``: it
imports no other app of the project, so every app above may use it.
"""
