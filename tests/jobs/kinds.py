"""Kinds of job for the tests: one that stops at a checkpoint, one that hangs until it is killed."""
import time

from evalapp.jobs import kind

#: Callables a test hands to a running job: checkpoint(job) runs between two steps.
HOOKS: dict = {}


@kind("test_steps", label="Steps", unit="steps")
def run_steps(job, progress):
    """Ten steps; after ``pause_at`` of them (committed), call the test's checkpoint; hang on ``hang_on_attempts``."""
    progress.set_total(10)
    progress.advance(job.params.get("pause_at", 3))
    progress.commit()
    if job.attempt in job.params.get("hang_on_attempts", []):
        for _ in range(600):  # killed long before this ends
            time.sleep(0.2)
        raise RuntimeError("the test did not kill this job")
    checkpoint = HOOKS.pop(job.params.get("checkpoint"), None)
    if checkpoint:
        checkpoint(job)
    progress.advance(10 - progress.done)
    progress.commit()
    return {"steps": progress.done, "run": progress.attempt}
