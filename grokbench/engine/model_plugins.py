"""Model plug-ins: any ``torch.nn.Module`` factory given by import path, checked numerically.

``--set model=package.module:factory`` replaces an experiment's own model. The factory is
called with keyword arguments, those its signature names (all of them when it takes
``**kwargs``): ``in_dim`` (input features), ``out_dim`` (outputs: 1, or the number of
classes), ``kind`` (``binary``, ``multiclass`` or ``regression``), ``generator`` (a
``torch.Generator`` seeded from the run's seed), ``data`` (the ``TaskData``) and every size
of the experiment (``n``, ``d``, ``k``, ``depth``, ``width``, ``p`` …). It returns the
module at θ̄, the direction the run starts from (scaled by α, as the built-in models).

A model may declare ``degree`` (L) and ``reference_parameters()`` (θ̄ by parameter name),
as ``grokbench.engine.models.HomogeneousModel`` does; otherwise θ̄ is the parameters the factory
returned. Either way the harness measures, on the training inputs, f(cθ)/c^L at two
scalings c (which estimates L) and f(θ̄). A model that is not homogeneous, or not zero
at θ̄, still runs, but the claims that assume it (``Claim.needs``) become inconclusive
(``grokbench.claims.applicability``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from grokbench.infra import imports
from grokbench.spec import ConfigError, Prepared, ProbeFactory, TaskData

if TYPE_CHECKING:
    from grokbench.engine.parameters import FlatModel

SCALINGS = (2.0, 0.5)


def resolve_model(path: str) -> Callable[..., Any]:
    """The factory at ``package.module:name`` (``grokbench.infra.imports.resolve``: the
    current directory is searched too); a ConfigError names what is wrong."""
    factory = imports.resolve(path, "model")
    if not callable(factory):
        raise ConfigError(f"model: {path!r} is not callable")
    return factory


def model_builder(path: str) -> Callable[[dict[str, Any], TaskData, torch.Generator], nn.Module]:
    """An ``Experiment.build_model``-shaped builder that calls the factory at ``path``."""
    factory = resolve_model(path)

    def build(sizes: dict[str, Any], data: TaskData, generator: torch.Generator) -> nn.Module:
        offered = {
            "in_dim": int(data.x_train.shape[1]) if data.x_train.ndim > 1 else 1,
            "out_dim": int(data.n_outputs),
            "kind": data.kind,
            "generator": generator,
            "data": data,
            **sizes,
        }
        module = factory(**_accepted(factory, offered, path))
        if not isinstance(module, nn.Module) or not list(module.parameters()):
            raise ConfigError(f"model: {path} returned {type(module).__name__}, not a module")
        return adopt(module)

    return build


def _accepted(factory: Callable[..., Any], offered: dict[str, Any], path: str) -> dict[str, Any]:
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return offered
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return offered
    names = {p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    missing = [
        p.name
        for p in parameters
        if p.default is p.empty and p.kind is not p.VAR_POSITIONAL and p.name not in offered
    ]
    if missing:
        raise ConfigError(
            f"model: {path} needs {', '.join(missing)}; grokbench offers {', '.join(offered)}"
        )
    return {k: v for k, v in offered.items() if k in names}


def adopt(module: nn.Module) -> nn.Module:
    """Give a module the HomogeneousModel interface it lacks: θ̄ (its parameters now) and
    ``set_alpha``; ``degree`` is set from the numerical check when not declared."""
    declared = {
        "degree": isinstance(getattr(module, "degree", None), int | float),
        "reference": callable(getattr(module, "reference_parameters", None)),
    }
    if not declared["reference"]:
        frozen = {n: p.detach().clone() for n, p in module.named_parameters()}
        # nn.Module types its attributes as tensors or modules, hence the ignores
        module.reference_parameters = lambda: {n: t.clone() for n, t in frozen.items()}  # type: ignore[assignment]
    if not callable(getattr(module, "set_alpha", None)):

        def set_alpha(alpha: float) -> None:
            reference = module.reference_parameters()  # type: ignore[operator]
            with torch.no_grad():
                for name, param in module.named_parameters():
                    param.copy_(alpha * reference[name].to(param))
            module.alpha = float(alpha)  # type: ignore[assignment]

        module.set_alpha = set_alpha  # type: ignore[assignment]
    module._grokbench_declared = declared  # type: ignore[assignment]
    return module


@dataclass
class ModelCheck:
    """The numerical check of a plug-in model (the trace summary's ``model_check``)."""

    model: str
    degree: float
    degree_declared: float | None
    degree_estimates: list[float]
    homogeneity_error: float
    reference_output: float
    reference_output_rel: float
    tolerance: float
    homogeneous: bool
    zero_init: bool
    parameters: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rel(a: torch.Tensor, b: torch.Tensor) -> float:
    scale = float(b.norm())
    return float((a - b).norm()) / scale if scale > 0 else math.inf


def measure(path: str, flat: FlatModel, x: torch.Tensor, declared: float | None) -> ModelCheck:
    """Homogeneity and the output at θ̄ of ``flat``'s module on the inputs ``x``.

    At θ = θ̄ + δ (δ Gaussian, ‖δ‖ = ‖θ̄‖, fixed seed) L is estimated from f(cθ) for
    c = 2 and 1/2; the homogeneity error is max over c of ‖f(cθ) − c^L f(θ)‖/‖c^L f(θ)‖
    with the declared L (else the estimate, rounded when within 0.01 of an integer).
    """
    param = next(flat.module.parameters())
    bar = flat.reference().to(param)
    tol = 1e-6 if param.dtype == torch.float64 else 1e-3
    noise = torch.randn(bar.numel(), generator=torch.Generator().manual_seed(0)).to(param)
    norm = float(bar.norm()) or math.sqrt(bar.numel())
    theta = bar + noise * (norm / float(noise.norm()))
    with torch.no_grad():
        f = {c: flat.function(c * theta, x) for c in (1.0, *SCALINGS)}
        f_bar = flat.function(bar, x)
    base = float(f[1.0].norm())
    estimates = [_degree(float(f[c].norm()), base, c) for c in SCALINGS]
    estimate = sum(estimates) / len(estimates)
    degree = declared if declared is not None else estimate
    if declared is None and math.isfinite(estimate) and abs(estimate - round(estimate)) < 0.01:
        degree = float(round(estimate))
    error = max((_rel(f[c], c**degree * f[1.0]) for c in SCALINGS), default=math.inf)
    error = error if math.isfinite(degree) else math.inf
    ref_rel = float(f_bar.norm()) / base if base > 0 else math.inf
    check = ModelCheck(
        path, degree if math.isfinite(degree) else 1.0, declared, estimates, error,
        float(f_bar.abs().max()), ref_rel, tol, error <= tol, ref_rel <= tol, list(flat.names),
    )  # fmt: skip
    check.warnings = _warnings(check)
    return check


def _degree(scaled: float, base: float, c: float) -> float:
    """L from ‖f(cθ)‖ = c^L ‖f(θ)‖ (NaN when an output is zero)."""
    return math.log(scaled / base) / math.log(c) if scaled > 0 and base > 0 else math.nan


def _warnings(check: ModelCheck) -> list[str]:
    out = []
    if not check.homogeneous:
        shown = ", ".join(f"{e:.4g}" for e in check.degree_estimates)
        out.append(
            f"model {check.model} is not homogeneous: ‖f(cθ) − c^L f(θ)‖/‖c^L f(θ)‖ = "
            f"{check.homogeneity_error:.3g} > {check.tolerance:g} with L = {check.degree:g} "
            f"(L from c = 2, 1/2: {shown})"
        )
    if not check.zero_init:
        out.append(
            f"model {check.model} is not zero at init: ‖f(θ̄)‖ = {check.reference_output_rel:.3g}"
            f" × ‖f(θ̄ + δ)‖ (max |f(θ̄; x)| = {check.reference_output:.3g})"
        )
    return out


def check_prepared(prepared: Prepared) -> dict[str, Any]:
    """Check a prepared plug-in run's model on its training inputs; set its ``degree``
    when undeclared; return the check as the trace summary stores it."""
    model, config = prepared.model, prepared.config
    declared = getattr(model, "_grokbench_declared", {}).get("degree")
    degree = float(model.degree) if declared else None
    check = measure(str(config.model), prepared.flat, prepared.data.x_train, degree)
    if not declared:
        model.degree = check.degree  # type: ignore[assignment]
    return check.to_dict()


_PROBE_ERRORS = (KeyError, IndexError, RuntimeError, ValueError, TypeError)


def guard_probes(factories: Sequence[ProbeFactory], prepared: Prepared) -> list[Any]:
    """A plug-in run's probes; one that cannot be built or fails (it reads what the model
    lacks, e.g. the diagonal net's u and v) records nothing instead of stopping the run."""
    built = []
    for factory in factories:
        try:
            built.append(_silenced(factory(prepared)))
        except _PROBE_ERRORS:
            continue
    return built


def _silenced(probe: Any) -> Any:
    broken: list[bool] = []

    def call(theta: torch.Tensor) -> dict[str, float]:
        if not broken:
            try:
                return probe(theta)
            except _PROBE_ERRORS:
                broken.append(True)
        return {}

    return call


def summary_rows(check: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Rows of the one-screen run summary: the model check, then one WARNING per problem."""
    if not check:
        return []
    ok = check["homogeneous"] and check["zero_init"]
    line = (
        f"{check['model']}: degree {check['degree']:g}, homogeneity error "
        f"{check['homogeneity_error']:.2g}, |f(θ̄)|/|f| = {check['reference_output_rel']:.2g}"
    )
    return [("model check", line + (" (ok)" if ok else ""))] + [
        ("WARNING", text) for text in check["warnings"]
    ]
