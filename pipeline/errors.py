"""The pipeline's error tree. Stages raise; only the CLI decides what to do.

    PipelineError                 every failure tied to one input (stage + stable code)
    ├── ReadError                 a local file, directory, list or WARC could not be read
    ├── FetchError                an HTTP fetch failed (status, timeout, robots, size, type)
    ├── DecodeError               bytes could not be turned into text
    ├── CleanError                no article text could be found in the page
    ├── ExtractError              the NLP stages failed on the text
    ├── WriteError                an output line could not be written
    └── ReportError               an input of ``takedowns report`` could not be read

Each error carries a stable ``code`` (``"<stage>.<what>"``) that is written to
errors.jsonl and listed in the README, so users can group failures.

A second, small tree is for the run as a whole, never for one input; the CLI maps each to
its exit code:

    RunError                      the batch cannot start or cannot go on
    ├── OutputError               the outputs cannot be used; nothing was processed (exit 2)
    │   └── OutputBusyError       another run holds the outputs' lock (exit 2)
    ├── ResumeError               --resume found files it cannot continue (exit 2)
    ├── OutputWriteError          an output stopped taking lines: disk full, I/O error
    │                             (exit 3); every finished input is kept, --resume goes on
    └── WorkerStartError          worker processes die before they are ready: a broken
                                  installation (exit 2); --resume goes on once it is mended
"""

from typing import ClassVar


class PipelineError(Exception):
    """A failure that stops one input but never the batch."""

    stage: ClassVar[str] = "extract"

    def __init__(self, code: str, message: str, *, input: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.input = input

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ReadError(PipelineError):
    """A local input could not be read."""

    stage = "read"


class FetchError(PipelineError):
    """An HTTP fetch failed."""

    stage = "fetch"

    def __init__(
        self, code: str, message: str, *, input: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(code, message, input=input)
        self.status = status


class DecodeError(PipelineError):
    """Bytes could not be decoded to text."""

    stage = "decode"


class CleanError(PipelineError):
    """No article text could be found."""

    stage = "clean"


class ExtractError(PipelineError):
    """The NLP stages failed."""

    stage = "extract"


class WriteError(PipelineError):
    """Output could not be written."""

    stage = "write"


class ReportError(PipelineError):
    """A records, articles, errors or events file given to the report could not be read."""

    stage = "report"


class RunError(Exception):
    """The batch cannot start or cannot go on."""


class OutputError(RunError):
    """The output files cannot be used (same file twice, a directory, not writable)."""


class OutputBusyError(OutputError):
    """Another run is writing the same outputs."""


class ResumeError(RunError):
    """The files of an interrupted run cannot be continued."""


class WorkerStartError(RunError):
    """Worker processes keep dying before they are ready (a broken installation)."""


class OutputWriteError(RunError):
    """Writing an output failed mid-run (disk full, quota, I/O error)."""

    def __init__(self, message: str, *, no_space: bool) -> None:
        super().__init__(message)
        self.no_space = no_space
