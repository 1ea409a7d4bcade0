"""Training modules: catalogue, enrolment, lessons, progress and the trainers' follow-up."""
