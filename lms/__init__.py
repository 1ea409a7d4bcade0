"""The learning-management plugin: modules, quizzes, exams and certificates.

A plugin of ``content``; it never imports ``tracing_app``.
"""
