"""Effort accounting: how many labels (and annotator-seconds) each strategy needs.

Pure maths lives in `rewardmodel`, `curves`, `agreement` and `simulate`; `live` and `services`
read the database.
"""
