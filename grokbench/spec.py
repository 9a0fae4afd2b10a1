"""The nouns of grokbench: run configuration, task data, traces, claims and verdicts.

Every other module imports its types from here, so the shapes of the data that flow
config -> task + model -> dynamics -> trace -> measures -> verdicts are defined once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # torch is imported lazily so that store and compare start fast
    import torch
    from torch import nn

    from grokbench.engine.models import HomogeneousModel
    from grokbench.engine.parameters import FlatModel

SCALES: tuple[str, ...] = ("smoke", "ci", "paper")
TaskKind = Literal["binary", "multiclass", "regression"]
#: "erratum": a claim the paper misprints (Claim.erratum), failing as the erratum predicts.
Status = Literal["pass", "fail", "inconclusive", "erratum"]

TRACE_SCHEMA = "grokbench.trace/1"
VERDICTS_SCHEMA = "grokbench.verdicts/1"
BASELINES_SCHEMA = "grokbench.baselines/1"


class GrokbenchError(Exception):
    """Base class of the errors grokbench raises on purpose."""


class ConfigError(GrokbenchError, ValueError):
    """Bad input: an unknown experiment or key, a value out of range, an unreadable file.

    The CLI turns it into one line on stderr and exit code 2.
    """


HorizonUnit = Literal["t", "lt", "T"]


@dataclass(frozen=True)
class Horizon:
    """How long to run, in one of three units.

    ``t``: absolute continuous time; ``lt``: multiples of 1/λ (so ``6/wd`` is λt = 6);
    ``T``: multiples of the predicted transition time ln(α)/λ.
    """

    value: float
    unit: HorizonUnit = "t"

    @classmethod
    def parse(cls, text: str | float | int, name: str = "horizon") -> Horizon:
        """Read ``6000``, ``6/wd`` or ``1.5T`` (``name``: the setting, for errors)."""
        raw = str(text).strip()
        unit: HorizonUnit = "t"
        if raw.endswith("/wd"):
            raw, unit = raw[:-3], "lt"
        elif raw.endswith("T"):
            raw, unit = raw[:-1], "T"
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(
                f"{name}: {text!r} is not a number; "
                "use 6000 (time t), 6/wd (λt) or 1.5T (× ln(α)/λ)"
            ) from None
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(f"{name}: must be a positive finite number, got {text!r}")
        return cls(value, unit)

    def to_time(self, alpha: float, wd: float) -> float:
        """The horizon as an absolute time t for a run with init scale α and weight decay λ."""
        if self.unit == "t":
            return self.value
        if wd <= 0:
            raise ConfigError(f"horizon: {self} needs wd > 0; give an absolute time instead")
        if self.unit == "lt":
            return self.value / wd
        if alpha <= 1:
            raise ConfigError(f"horizon: {self} needs alpha > 1 so that ln(alpha) > 0")
        return self.value * math.log(alpha) / wd

    def __str__(self) -> str:
        suffix = {"t": "", "lt": "/wd", "T": "T"}[self.unit]
        return f"{self.value:g}{suffix}"


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines one training run; its hash keys the results store.

    ``alpha`` multiplies the model's reference direction θ̄ (the paper's convention:
    diagonal net u = v = 1, matrix factorisation U = V = I, MLP He init with a zero last
    layer). ``init_norm`` is the alternative the paper's figures use, ‖θ(0)‖; exactly one
    of the two is set. ``task`` holds the experiment's own sizes (n, d, k, p, width, ...)
    and ``opt`` the keyword settings of a torch.optim optimizer; ``model`` an import path
    that replaces the experiment's model (``grokbench.engine.model_plugins``).
    """

    experiment: str
    scale: str = "ci"
    dynamics: str = "flow"
    integrator: str = "auto"
    lr: float = 0.01
    alpha: float | None = None
    init_norm: float | None = None
    wd: float = 1e-3
    seed: int = 0
    horizon: Horizon = Horizon(6.0, "lt")
    device: str = "cpu"
    dtype: str = "float64"
    rtol: float = 1e-5
    atol: float = 1e-8
    evals: int = 400
    #: where the evaluation grid's evenly spaced part ends (None: at the horizon); past it
    #: only the log-spaced points fall (``grokbench.engine.schedule``). For a horizon far
    #: past the transition: Fig. 1b runs to λt = 200 and misgroks by λt ≈ 12
    linear_until: Horizon | None = None
    task: dict[str, Any] = field(default_factory=dict)
    opt: dict[str, Any] = field(default_factory=dict)
    model: str | None = None  # a plug-in model factory, package.module:factory
    #: the multi-class loss (grokbench.engine.losses) and the dtype it is computed in
    loss: str = "ce-accurate"
    loss_dtype: str | None = None
    #: the precision the test inputs are kept and evaluated in (None: ``dtype``): float32
    #: halves a paper-scale test set (8 → 4 GB) and its evaluation time; the training
    #: data, the dynamics and the scores stay in ``dtype``
    test_dtype: str | None = None
    #: the precision the diagonal net's two training products (X·w and ρᵀX) take, with
    #: training inputs it holds exactly (±1 signs; None: ``dtype``): float32 reads half the
    #: memory a gradient's two passes over a 256 × 10⁵ matrix read (w formed in ``dtype`` and
    #: lowered, ρ scaled by a power of two), int8 an eighth (±1 only: w and ρ in 32-bit fixed
    #: point, the products exact, grokbench.engine.fixed_point); θ, losses, metrics and
    #: integrator keep ``dtype``
    train_dtype: str | None = None
    #: step dynamics only (grokbench.engine.minibatch): minibatch size (0: full batch, -1:
    #: min(512, ⌈n/2⌉) as Power et al.), linear lr warm-up in updates, and the test accuracy
    #: at which a run stops (0: never)
    batch: int = 0
    warmup: int = 0
    stop_at: float = 0.0
    #: a two-phase run (grokbench.engine.phases): from ``phase2_at``·t_end (default 0.5)
    #: on, train on a seeded ``phase2_keep`` of the training set (0: one phase)
    phase2_keep: float = 0.0
    phase2_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["horizon"] = str(self.horizon)
        if self.linear_until is None:  # so do runs with the default grid
            del data["linear_until"]
        else:
            data["linear_until"] = str(self.linear_until)
        for key in ("batch", "warmup", "stop_at", "phase2_keep", "phase2_at"):  # hashes stay
            if not data[key]:
                del data[key]
        if data["model"] is None:  # built-in models keep the hashes they always had
            del data["model"]
        if data["loss"] == "ce-accurate":  # so do runs of the default loss
            del data["loss"]
        for key in ("loss_dtype", "test_dtype", "train_dtype"):
            if data[key] is None:
                del data[key]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"config: unknown field(s) {', '.join(unknown)}")
        values = dict(data)
        values["horizon"] = Horizon.parse(values.get("horizon", "6/wd"))
        if values.get("linear_until") is not None:
            values["linear_until"] = Horizon.parse(values["linear_until"], "linear_until")
        return cls(**values)

    def key(self) -> str:
        """A stable hash of the configuration (device excluded: one seed, one run everywhere)."""
        data = self.to_dict()
        data.pop("device")
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    @property
    def torch_dtype(self) -> torch.dtype:
        import torch

        return {"float64": torch.float64, "float32": torch.float32}[self.dtype]


@dataclass
class TaskData:
    """A seeded dataset: inputs and targets for training and test, and what generated them.

    ``kind`` decides the loss and the metric: logistic loss and accuracy for ``binary``
    (labels ±1), cross-entropy and accuracy for ``multiclass`` (labels 0..C-1), squared
    loss and MSE for ``regression``. ``truth`` holds the ground truth (w*, X*) when known.
    """

    kind: TaskKind
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    n_outputs: int = 1
    truth: dict[str, torch.Tensor] = field(default_factory=dict)
    #: set when ``x_test`` was lowered to its own precision for a run (``RunConfig.test_dtype``)
    test_dtype: torch.dtype | None = None

    def to(self, device: torch.device | str, dtype: torch.dtype) -> TaskData:
        """Move to a device; floating tensors take ``dtype``, integer ones keep theirs, and
        lowered test inputs (``test_dtype``) keep their precision."""

        def move(tensor: torch.Tensor) -> torch.Tensor:
            if tensor.is_floating_point():
                return tensor.to(device=device, dtype=dtype)
            return tensor.to(device=device)

        return dataclasses.replace(
            self,
            x_train=move(self.x_train),
            y_train=move(self.y_train),
            x_test=move(self.x_test) if self.test_dtype is None else self.x_test.to(device),
            y_test=move(self.y_test),
            truth={name: move(value) for name, value in self.truth.items()},
        )

    @property
    def metric(self) -> str:
        """The test metric's name stem: ``acc`` or ``mse``."""
        return "mse" if self.kind == "regression" else "acc"


@dataclass
class Record:
    """One evaluation point of a run. Classification fills the ``*_acc`` fields and
    ``train_margin`` (min_i y_i f_i); regression fills the ``*_mse`` fields."""

    t: float
    step: int
    grad_evals: int
    wall_s: float
    train_loss: float
    test_loss: float
    param_norm: float
    train_acc: float | None = None
    test_acc: float | None = None
    train_mse: float | None = None
    test_mse: float | None = None
    train_margin: float | None = None
    probes: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        if not self.probes:
            data.pop("probes")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        return cls(**data)


@dataclass
class Trace:
    """A run's evaluation records with its configuration, environment and summary.

    ``status`` is ``ok``, ``diverged`` (a NaN or a blow-up stopped the run; ``reason`` says
    where) or ``interrupted``.
    """

    config: dict[str, Any]
    env: dict[str, Any]
    records: list[Record] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"
    reason: str = ""
    #: the baselines its run set's probes compared with, when computed with them; not in
    #: the JSON trace (the store keeps them apart: ``Store.put_baselines``)
    baselines: dict[str, BaselineResult] | None = field(default=None, compare=False, repr=False)

    def column(self, name: str) -> list[float]:
        """The values of one record field, in time order (NaN where a record lacks it)."""
        out = []
        for record in self.records:
            value = getattr(record, name, None)
            if value is None:
                value = record.probes.get(name, math.nan)
            out.append(float(value))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": TRACE_SCHEMA,
            "config": self.config,
            "env": self.env,
            "status": self.status,
            "reason": self.reason,
            "records": [r.to_dict() for r in self.records],
            "summary": self.summary,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        if data.get("schema") != TRACE_SCHEMA:
            raise ConfigError(f"trace: schema is {data.get('schema')!r}, expected {TRACE_SCHEMA!r}")
        return cls(
            config=data["config"],
            env=data["env"],
            records=[Record.from_dict(r) for r in data["records"]],
            summary=data.get("summary", {}),
            status=data.get("status", "ok"),
            reason=data.get("reason", ""),
        )


@dataclass(frozen=True)
class Claim:
    """One assertion of CLAIMS.md as data: what it says, which runs it reads, what it
    expects. ``limits`` holds the numbers the check compares against (thresholds, targets,
    tolerances, all named); they live here, beside the claim, so that changing an
    expectation is a one-line edit of data, never of a check function.

    ``basis`` says, per limit, where it comes from: ``"paper: ..."`` or ``"eng.: ..."``
    with a one-line reason (fixed before any run it judges). ``runs`` names the run set
    the check reads, or several joined by ``+``. ``counterfactual`` is the plausible other
    world in which the claim is false and which its check must reject (the Power table).
    ``erratum`` marks a claim the paper misprints: its check is expected to fail (the
    verdict is then "erratum"), and a pass counts as a failure, like a strict xfail.
    ``needs`` is what the claim assumes of the model (``homogeneous``: f(cθ) = c^L f(θ);
    ``zero_init``: f(θ̄) = 0) and ``reads`` the parameters its probes read by name (a
    diagonal net's u, v; a factorisation's U, V): a plug-in model that lacks either makes
    the claim inconclusive, without running it. ``requires`` is what the machine must
    offer at a scale (``"gpu@paper"``: a CUDA device for the paper-scale setting; a bare
    ``"gpu"``: at every scale); where it cannot, the claim is inconclusive with the reason.
    ``proxy`` says what stands in for the paper's own setting below paper scale (a smaller
    model, another dataset); empty when the setting is the paper's, only smaller. ``pack``
    is the key of the paper it belongs to; the registry sets it and namespaces ``id``
    (``lyu24/K1``).
    """

    id: str
    title: str
    family: str
    runs: str
    measure: str
    expected: str
    limits: dict[str, float]
    section: str
    paper_only: bool = False
    basis: dict[str, str] = field(default_factory=dict)
    counterfactual: str = ""
    erratum: bool = False
    needs: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    proxy: str = ""
    pack: str = ""

    @property
    def bare_id(self) -> str:
        """The id within its pack (``K1`` for ``lyu24/K1``)."""
        return self.id.rpartition("/")[2]

    @property
    def run_sets(self) -> tuple[str, ...]:
        """The names of the run sets the check reads, in order."""
        return tuple(part.strip() for part in self.runs.split("+") if part.strip())


@dataclass
class Verdict:
    """The outcome of checking one claim. ``margin`` > 0 means inside the tolerance."""

    id: str
    experiment: str
    scale: str
    status: Status
    measured: Any
    expected: Any
    tolerance: Any
    margin: float | None
    seeds: list[int]
    wall_s: float
    reason: str = ""
    #: the pack (paper) of the claim, and what stood in for the paper's setting (if any)
    paper: str = ""
    proxy: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Transition:
    """The shape of a test-metric curve: plateau → final, and when it moved.

    Times are interpolated between evaluation points; ``None`` where the curve never got
    there (no fit, no crossing). ``t_grok`` is the 50% crossing.
    """

    metric: str
    t_fit: float | None
    plateau: float | None
    final: float
    t_10: float | None
    t_grok: float | None
    t_90: float | None

    @property
    def window(self) -> float | None:
        if self.t_10 is None or self.t_90 is None:
            return None
        return self.t_90 - self.t_10

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "window": self.window}


@dataclass(frozen=True)
class Experiment:
    """A named experiment: its task kind, its own size keys and their presets per scale.

    ``scales[scale]`` holds every setting (common RunConfig fields and the task's own
    keys) for that scale. ``build_task(sizes, seed)`` draws the data;
    ``build_model(sizes, data, generator)`` returns the model with α = 1 (the runner sets α).
    """

    name: str
    description: str
    kind: TaskKind
    task_keys: dict[str, type]
    scales: dict[str, dict[str, Any]]
    build_task: BuildTask
    build_model: BuildModel


@dataclass
class BaselineResult:
    """A fitted reference predictor evaluated on an experiment's test set.

    ``test_value`` is the test accuracy (``metric == "acc"``) or test MSE (``"mse"``);
    ``predictions`` are its test-set predictions (labels ±1 or class ids, or real values),
    ``coef`` the linear weights w for linear predictors, ``nnz`` their support size.
    ``extra`` holds method-specific numbers (a margin, a nuclear norm, a completed matrix).
    """

    name: str
    metric: str
    test_value: float
    fit_s: float
    nnz: int | None = None
    predictions: Any = None
    coef: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON row of the baselines contract (arrays left out)."""
        row: dict[str, Any] = {"name": self.name, f"test_{self.metric}": self.test_value}
        row["fit_s"] = self.fit_s
        row["nnz"] = self.nnz
        return row


#: ``build_task(sizes, seed)``: an experiment's data for its size settings.
BuildTask = Callable[[dict[str, Any], int], TaskData]
#: ``build_model(sizes, data, generator)``: its model at α = 1.
BuildModel = Callable[[dict[str, Any], TaskData, "torch.Generator"], "nn.Module"]
#: Overrides of a run's settings, by key.
Overrides = dict[str, Any]


@dataclass
class Prepared:
    """Everything a run needs, built from its config on its device (``runner.prepare``)."""

    config: RunConfig
    data: TaskData
    model: HomogeneousModel
    flat: FlatModel
    alpha: float
    theta0: torch.Tensor
    device: torch.device
    t_end: float
    #: where the evaluation grid's evenly spaced part ends (``RunConfig.linear_until``)
    t_linear: float | None = None
    #: plug-in models only: what ``engine.model_plugins`` measured of the model
    model_check: dict[str, Any] | None = None

    @property
    def init_norm(self) -> float:
        return float(self.theta0.norm())


#: Extra numbers recorded at every evaluation time, from the flat parameters θ.
Probe = Callable[["torch.Tensor"], dict[str, float]]
#: Builds a run's probe once its data and model exist (baselines bound in by the run set).
ProbeFactory = Callable[[Prepared], Probe]
#: A probe with this attribute set True is called ``probe(θ, test_outputs)`` with the model's
#: test-set outputs at θ that the evaluation has just computed (a forward on a 10⁴-point
#: test set costs as much as the evaluation itself); it still accepts ``probe(θ)``.
READS_TEST_OUTPUTS = "reads_test_outputs"


@dataclass
class Member:
    """One run of a run set with the baselines fitted on its data."""

    config: RunConfig
    trace: Trace
    baselines: dict[str, BaselineResult] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSet:
    """An experiment, a grid of overrides per scale, the baselines and probes it needs, and
    how the report shows it: a ``title`` and the baselines drawn as levels on its plot."""

    name: str
    experiment: str
    grid: Callable[[str], list[Overrides]]
    baselines: tuple[str, ...] = ()
    probes: Callable[[dict[str, BaselineResult]], list[ProbeFactory]] = lambda _: []
    paper_only: bool = False
    title: str = ""
    levels: tuple[str, ...] = ()
    #: False: the members are data with the baselines fitted on it, nothing is trained
    #: (a sample-complexity sweep); their traces are empty
    train: bool = True
    #: rows the report tabulates for this run set (and ``figure`` draws), from its members
    summary: Callable[[Sequence[Member]], list[dict[str, Any]]] | None = None
    figure: Callable[[list[dict[str, Any]], Path], Path] | None = None


@dataclass
class Outcome:
    """What a check concludes: a status, every number it measured, and its margin (> 0
    inside the tolerance, the distance to the nearest limit in the limit's own units)."""

    status: Status
    measured: dict[str, Any]
    margin: float | None
    reason: str = ""


#: A claim's check: the claim (its limits) and the members of its run sets → an Outcome.
Check = Callable[[Claim, Sequence[Member]], Outcome]


@dataclass(frozen=True)
class Case:
    """A claim's falsification case: synthetic evidence (members) from the world the theory
    describes and from its counterfactual; ``expected`` is the true world's status (pass,
    or erratum for a misprinted claim); the counterfactual must fail."""

    claim_id: str
    true: Callable[[], list[Member]]
    counterfactual: Callable[[], list[Member]]
    expected: str = "pass"


@dataclass
class Pack:
    """A paper as a pack of claims: its citation, its claims with their checks, and the run
    sets they read (shared with other packs by name). ``families`` orders the report."""

    key: str
    citation: str
    claims: list[Claim]
    checks: dict[str, Check]
    run_sets: dict[str, RunSet]
    cases: list[Case] = field(default_factory=list)
    #: probes this pack's claims read from another pack's run set, by run-set name: the
    #: shared run set records them too, so that its runs are computed once for both
    probes: dict[str, Callable[[dict[str, BaselineResult]], list[ProbeFactory]]] = field(
        default_factory=dict
    )
    families: tuple[str, ...] = ()
    arxiv: str = ""
    code: str = ""
    #: the generated claims page (``python -m grokbench.claims.docgen KEY``)
    doc: str = ""
    #: markdown appended to that page (errata, notes on the setting)
    notes: str = ""
    #: where this pack's claims meet other packs' (the report's "Where papers meet")
    meetings: list[Meeting] = field(default_factory=list)
    #: wall time of the pack at ci scale on 2 CPU cores, as last measured (documentation)
    ci_seconds: float | None = None


@dataclass(frozen=True)
class Meeting:
    """Two claims of different packs that read the same runs, how they relate (agrees,
    refines, contradicts) and the measured values that decide it (``keys``: a measured
    key of each claim's verdict, shown side by side)."""

    first: str
    second: str
    relation: Literal["agrees", "refines", "contradicts"]
    decided_by: str
    keys: tuple[str, str] = ("", "")
