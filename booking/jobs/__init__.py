"""Periodic and deadline work: the scheduler, its lease rows and the jobs it runs."""
