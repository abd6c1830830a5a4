"""Reports: the JSON report and ``grades.csv`` of a submission or class, and Gradescope's ``results.json``."""
