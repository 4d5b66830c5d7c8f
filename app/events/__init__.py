"""The WRITE side: one `<subject>_<happening>_event` recorder per happening, per subject module.

Recorders take the session first and everything else by keyword, add the Event and return it;
they never commit (the calling service commits the change and its events together).
"""
