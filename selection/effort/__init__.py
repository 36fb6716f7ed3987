"""Effort accounting: how many labels (and annotator-seconds) each strategy needs.

Pure maths lives in `curves`, `agreement` and `simulate` (the reward model they fit is
selection/rewardmodel.py); `live_effort` and `services` read the database; `views` is the lead's
effort dashboard, with its SPA panel.
"""
