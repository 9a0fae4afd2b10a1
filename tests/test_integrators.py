"""The integrators against ODEs with known solutions, and exact per member in a batch."""

import itertools
import math

import pytest
import torch

from grokbench.engine.config import INTEGRATORS
from grokbench.engine.ode import METHODS, solver_class
from grokbench.engine.ode.methods import DormandPrince, RungeKuttaChebyshev
from grokbench.engine.ode.switching import DormandPrinceThenChebyshev
from grokbench.spec import ConfigError

SOLVERS = {name: solver_class(name) for name in METHODS}


def test_one_map_names_the_methods_for_config_runs_and_batches():
    assert solver_class("dopri5") is DormandPrince
    assert solver_class("rkc") is RungeKuttaChebyshev
    assert solver_class("dopri5-rkc") is DormandPrinceThenChebyshev
    assert list(INTEGRATORS) == ["auto", *METHODS]
    with pytest.raises(ConfigError, match="integrator: unknown 'euler'; use one of dopri5, rkc"):
        solver_class("euler")


pytestmark = pytest.mark.usefixtures("one_thread")


def decay_rates(scale: float, stiffness: float, size: int = 6) -> torch.Tensor:
    """A stiff diagonal A: rates from ``scale`` to ``scale · stiffness``, log-spaced."""
    return scale * torch.logspace(0, math.log10(stiffness), size, dtype=torch.float64)


def solve_recorded(method, rhs, y0, t_end, eval_times, decay=None, rtol=1e-6, atol=1e-9, **options):
    """``rhs`` from ``y0`` (``decay``: the weight decay given to the solver, per member);
    returns the states at the eval times by (member, t), the solve result and the solver."""
    states = {}

    def on_eval(member, t, y):
        states[(member, round(t, 12))] = y.clone()
        return True

    solver = SOLVERS[method](rhs, rtol=rtol, atol=atol, **options)
    ends = torch.as_tensor(t_end, dtype=y0.dtype).expand(y0.shape[0])
    result = solver.solve(y0, ends, eval_times, on_eval, decay=decay)
    return states, result, solver


def solve_decay(method, rates, t_end, eval_times, **options):
    """y' = −A y (A = diag(rates[b]) per member), y(0) = 1: ``solve_recorded``."""
    return solve_recorded(
        method, lambda y: -rates * y, torch.ones_like(rates), t_end, eval_times, **options
    )


@pytest.mark.parametrize("method", ["dopri5", "rkc"])
def test_linear_decay_matches_the_exponential(method):
    rates = torch.stack([decay_rates(1.0, 50.0), decay_rates(0.5, 20.0)])
    times = torch.linspace(0, 2, 41, dtype=torch.float64)
    states, result, _ = solve_decay(method, rates, 2.0, [times, times])
    assert result.stopped == ["horizon", "horizon"]
    assert result.t == pytest.approx([2.0, 2.0])
    for member in range(2):
        for t in times.tolist():
            exact = torch.exp(-rates[member] * t)
            error = (states[(member, round(t, 12))] - exact).abs().max().item()
            assert error < 2e-5, (method, member, t, error)


def test_dense_output_is_accurate_between_steps():
    """Evaluation points fall inside long steps; the 4th-order interpolant keeps them
    within the tolerance, with far fewer steps than evaluation points."""
    rates = torch.tensor([[0.3, 1.0, 2.0]], dtype=torch.float64)
    times = torch.linspace(0, 5, 501, dtype=torch.float64)
    states, result, _ = solve_decay("dopri5", rates, 5.0, [times], rtol=1e-8, atol=1e-12)
    assert result.accepted[0] < 100  # many evaluation points per step
    worst = max(
        (states[(0, round(t, 12))] - torch.exp(-rates[0] * t)).abs().max().item()
        for t in times.tolist()
    )
    assert worst < 1e-7


def test_rkc_grows_its_stages_on_a_stiff_problem_and_stays_stable():
    """Spectral radius 1e4 with a slow mode at rate 1: an explicit Runge–Kutta method's
    steps are capped by stability (h ≤ 3.3/ρ for Dormand–Prince, 6 evaluations each);
    RKC's stage count grows instead, and it still matches the exponential."""
    rates = decay_rates(1.0, 1e4, size=8)[None]
    t_end, stages, final = 0.5, [], {}
    solver = RungeKuttaChebyshev(lambda y: -rates * y, rtol=1e-4, atol=1e-6)
    result = solver.solve(
        torch.ones_like(rates),
        torch.tensor([t_end], dtype=torch.float64),
        [[t_end]],
        lambda b, t, y: final.setdefault(b, y) is not None,
        on_step=lambda t: stages.append(solver.last_stages[0]) or True,
    )
    explicit_evals = 6 * t_end * 1e4 / 3.3
    assert result.stopped == ["horizon"]
    assert max(stages) >= 10
    assert result.rhs_evals[0] * 4 < explicit_evals
    assert torch.allclose(final[0], torch.exp(-rates[0] * t_end), atol=1e-4)


@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("method", ["dopri5", "rkc"])
def test_members_of_a_batch_compute_exactly_what_they_would_alone(method, compact):
    """Different stiffness (so different step sizes, stage counts and power-iteration
    lengths), different horizons and evaluation times: each row of the batch equals the
    run of that member alone, with the same step and evaluation counts. The values agree to
    1e-13 rather than bit for bit: the per-row error norms are reductions whose order torch
    may choose by shape and CPU. With ``compact`` the right-hand side computes only the
    running members' rows (the solver tells it which), and a finished member's row is never
    computed again after the iteration it finished in."""
    rates = torch.stack([decay_rates(1.0, 10.0), decay_rates(3.0, 300.0), decay_rates(0.1, 1e3)])
    ends = [1.0, 2.5, 2.0]
    grids = [torch.linspace(0, end, 7, dtype=torch.float64) for end in ends]

    def run(rows, horizons, times):
        records, calls, finished = [], [], {}

        def rhs(y, live=None):  # live: the members of y's rows, in a compacting solve
            members = live if live is not None else list(range(len(rows)))
            calls.append(members)
            return -rows[members] * y

        def on_eval(member, t, y):
            records.append((member, t, y.clone()))
            if t == horizons[member]:
                finished.setdefault(member, None)
            return True

        def on_step(t):  # the end of an iteration: calls from here on come after it
            for member, at in finished.items():
                finished[member] = len(calls) if at is None else at
            return True

        solver = SOLVERS[method](rhs, rtol=1e-5, atol=1e-8)
        result = solver.solve(
            torch.ones_like(rows),
            torch.tensor(horizons, dtype=torch.float64),
            times,
            on_eval,
            on_step=on_step,
            compact=compact,
        )
        after = {member: calls[at:] for member, at in finished.items()}
        computed_after = {m: sum(m in call for call in later) for m, later in after.items()}
        return result, records, computed_after

    together, records, computed_after = run(rates, ends, grids)
    assert sorted(computed_after) == [0, 1, 2]  # each member's finish was seen
    if compact:
        assert all(count == 0 for count in computed_after.values()), computed_after
    else:
        assert computed_after[0] > 0  # member 0 finishes first and is stepped on
    for b in range(3):
        alone, own, _ = run(rates[b : b + 1], ends[b : b + 1], grids[b : b + 1])
        assert together.accepted[b] == alone.accepted[0]
        assert together.rejected[b] == alone.rejected[0]
        assert together.rhs_evals[b] == alone.rhs_evals[0]
        mine = [(t, y) for member, t, y in records if member == b]
        assert [t for t, _ in mine] == [t for _, t, _ in own]
        for (_, y_batch), (_, _, y_alone) in zip(mine, own, strict=True):
            torch.testing.assert_close(y_batch, y_alone, rtol=1e-13, atol=0)
    assert len(set(together.accepted)) > 1  # the members really took different steps


def test_a_member_stops_alone_when_its_hook_says_so():
    rates = torch.stack([decay_rates(1.0, 10.0), decay_rates(1.0, 10.0)])
    times = torch.linspace(0, 1, 11, dtype=torch.float64)
    seen = []

    def on_eval(member, t, y):
        seen.append((member, t))
        return not (member == 0 and t >= 0.3)

    solver = DormandPrince(lambda y: -rates * y)
    result = solver.solve(
        torch.ones_like(rates), torch.ones(2, dtype=torch.float64), [times] * 2, on_eval
    )
    assert result.stopped == ["hook", "horizon"]
    assert max(t for member, t in seen if member == 0) == pytest.approx(0.3)
    assert max(t for member, t in seen if member == 1) == pytest.approx(1.0)
    assert result.t[0] < result.t[1] == pytest.approx(1.0)


@pytest.mark.parametrize("method", ["dopri5", "rkc"])
def test_the_attempt_log_accounts_for_every_step(method):
    """``attempts`` (diagnostics) holds each attempt's t, h, error norm and acceptance per
    member: a member's attempts while running are its accepted and rejected steps, the
    accepted ones have error norm ≤ 1 and tile [0, t_end]; it changes nothing."""
    rates = torch.stack([decay_rates(1.0, 10.0), decay_rates(3.0, 300.0)])
    ends = torch.tensor([1.0, 2.5], dtype=torch.float64)
    _, plain, _ = solve_decay(method, rates, ends, [[1.0], [2.5]])
    solver = SOLVERS[method](lambda y: -rates * y, rtol=1e-6, atol=1e-9)
    solver.attempts = []
    result = solver.solve(torch.ones_like(rates), ends, [[1.0], [2.5]], lambda b, t, y: True)
    assert (result.accepted, result.rejected) == (plain.accepted, plain.rejected)
    assert result.rhs_evals == plain.rhs_evals
    if method == "dopri5":  # at its stability limit on the stiff member: rejections
        assert result.rejected[1] > 0
    for b in range(2):
        rows = [
            (float(t[b]), float(h[b]), float(e[b]), bool(ok[b])) for t, h, e, ok in solver.attempts
        ]
        running = [row for row in rows if row[1] > 0]
        steps = [row for row in running if row[3]]
        assert len(steps) == result.accepted[b]
        assert len(running) - len(steps) == result.rejected[b]
        assert all(e <= 1 for _, _, e, _ in steps)
        assert all(e > 1 for _, _, e, ok in running if not ok)
        assert steps[0][0] == 0.0
        for (t, h, _, _), (t_next, _, _, _) in itertools.pairwise(steps):
            assert t_next == pytest.approx(t + h, rel=1e-14)
        assert steps[-1][0] + steps[-1][1] == pytest.approx(float(ends[b]), rel=1e-14)


def solve_flow(method, rhs, y0, decay, t_end, times, **options):
    """``rhs`` with the weight decay ``decay`` given to the solver (the error measured on
    the deviation from the decay-only path), every member at ``times``."""
    states, result, _ = solve_recorded(
        method, rhs, y0, t_end, [times] * y0.shape[0], decay, **options
    )
    return states, result


@pytest.mark.parametrize("method", ["dopri5", "rkc"])
def test_the_integrating_factor_steps_the_decay_of_large_states_exactly(method):
    """y' = −λy − k·(y − y·c/α) from y = α = 10⁴: a slow pull on top of the weight decay,
    y = α·e^{−(λ + k(1 − c/α))t} exactly. Stepped in y, the error estimate counts the
    exponential's truncation error (order α·(λh)^p) against a bound relative to the small
    deviation from the decay path, and the steps stay short; in z = e^{μ(t − t_n)}·y it is
    exact (μ = λ here), and the solution comes back in y within the tolerance of that
    deviation."""
    alpha, pull = 1e4, 1e-3
    decay = torch.tensor([0.05, 0.02], dtype=torch.float64)
    y0 = torch.full((2, 3), alpha, dtype=torch.float64)
    target = alpha + torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)

    def rhs(y):
        return -decay[:, None] * y - pull * (y - y * target / alpha)

    times = torch.linspace(0, 40, 9, dtype=torch.float64)
    states, result = solve_flow(method, rhs, y0, decay, 40.0, times)
    _, in_y = solve_flow(method, rhs, y0, decay, 40.0, times, integrating_factor=False)
    assert result.stopped == in_y.stopped == ["horizon", "horizon"]
    assert sum(result.rhs_evals) < 0.1 * sum(in_y.rhs_evals)
    rate = decay[:, None] + pull * (1 - target / alpha)
    for member in range(2):
        for t in times.tolist()[1:]:
            exact = alpha * torch.exp(-rate[member] * t)
            deviation = (exact - alpha * math.exp(-decay[member] * t)).abs()
            error = (states[(member, round(t, 12))] - exact).abs()
            assert bool((error < 1e-5 * deviation).all()), (method, member, t)


def test_rkc_follows_a_classification_flow_from_a_large_initialisation():
    """RKC in increment form, with its power iteration's perturbation scaled to the outputs'
    sensitivity: from α = 10⁴ the full-state form rounded the step's increments away and
    the perturbation of √ε·‖θ‖ moved the margins by O(1), so the run stopped at t = 0
    ("step size underflow"). Now it follows Dormand–Prince's run."""
    from grokbench.engine.config import make_config
    from grokbench.engine.runner import run

    traces = {
        name: run(make_config("sparse-cls", "smoke", {"alpha": 1e4, "integrator": name}))
        for name in ("rkc", "dopri5")
    }
    assert traces["rkc"].status == "ok", traces["rkc"].reason
    rkc, dopri = (traces[name].summary for name in ("rkc", "dopri5"))
    assert rkc["final_param_norm"] == pytest.approx(dopri["final_param_norm"], rel=1e-4)
    assert rkc["final"] == pytest.approx(dopri["final"], abs=0.01)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_the_integrating_factor_is_anchored_at_each_step_so_long_runs_stay_finite(dtype):
    """λt = 1000 at the horizon: e^{λt} overflows float64 (and float32 past λt ≈ 88), so the
    factor is taken from each step's start, never from t = 0."""
    decay = torch.tensor([1.0], dtype=dtype)
    y0 = torch.full((1, 3), 10.0, dtype=dtype)

    def rhs(y):  # decay plus a pull towards 1: y → 1/(1 + λ) = 0.5
        return -decay * y - (y - 1.0)

    states, result, _ = solve_recorded(
        "dopri5", rhs, y0, 1000.0, [[1.0, 1000.0]], decay, rtol=1e-5, atol=1e-7
    )
    assert result.stopped == ["horizon"]
    exact = 0.5 + 9.5 * math.exp(-2.0)
    assert states[(0, 1.0)] == pytest.approx(torch.full((3,), exact, dtype=dtype), rel=1e-4)
    assert states[(0, 1000.0)] == pytest.approx(torch.full((3,), 0.5, dtype=dtype), rel=1e-5)


def test_a_state_near_rest_is_stepped_as_itself_not_as_a_growing_exponential():
    """y' = −λ(y − c) from near c: y settles at c ≠ 0 (a late phase's norm). z = e^{λt}·y
    would grow like e^{λt}, an exponential the steps must resolve; there μ = −f/y ≈ 0, so
    the run is stepped as y and takes about as many gradients as without the factor."""
    decay, rest = torch.tensor([0.1], dtype=torch.float64), 2.0
    y0 = torch.full((1, 3), rest + 1e-3, dtype=torch.float64)

    def rhs(y):
        return -decay * (y - rest)

    counts = {}
    for factor in (True, False):
        states, result = solve_flow(
            "dopri5", rhs, y0, decay, 500.0, [500.0], integrating_factor=factor
        )
        assert result.stopped == ["horizon"]
        assert states[(0, 500.0)] == pytest.approx(torch.full((3,), rest, dtype=torch.float64))
        counts[factor] = result.rhs_evals[0]
    assert counts[True] <= 1.5 * counts[False], counts


def stiff_at_rest(y: torch.Tensor) -> torch.Tensor:
    """A flow whose fast mode (rate 50) has settled within t ≈ 0.2 while its slow one
    (rate 0.01) runs to the horizon: stiff from then on, as a classification run's late
    phase is (benchmarks/NOTES.md, round 7)."""
    rates = torch.tensor([50.0, 0.01], dtype=y.dtype)
    return -rates * (y - torch.tensor([1.0, 0.0], dtype=y.dtype))


def test_the_switch_to_rkc_comes_once_the_flow_is_stiff_and_pays():
    """dopri5-rkc: Dormand–Prince's steps until its stiffness test fires, then RKC: far
    fewer evaluations than Dormand–Prince alone at the same tolerance, within it of the
    exact solution, where Dormand–Prince alone stays held at its stability limit."""
    y0 = torch.tensor([[3.0, 2.0]], dtype=torch.float64)
    times = [torch.linspace(0, 400, 41, dtype=torch.float64)]
    counts, worst = {}, {}
    for method in ("dopri5", "dopri5-rkc"):
        states, result, solver = solve_recorded(method, stiff_at_rest, y0, 400.0, times)
        assert result.stopped == ["horizon"]
        counts[method] = result.rhs_evals[0]
        exact = {
            t: torch.tensor([1 + 2 * math.exp(-50 * t), 2 * math.exp(-0.01 * t)])
            for t in times[0].tolist()
        }
        worst[method] = max(
            (states[(0, round(t, 12))] - value.to(y0)).abs().max().item()
            for t, value in exact.items()
        )
    assert solver.switch_evals is not None and solver.switch_evals[0] < 0.5 * counts["dopri5"]
    again = solver.solve(y0, torch.tensor([0.1]).to(y0), [times[0][:1]], lambda *_: True)
    assert solver.switch_evals is None and solver.error_order == 4 and again.stopped == ["horizon"]
    assert counts["dopri5-rkc"] < 0.25 * counts["dopri5"], counts
    assert worst["dopri5-rkc"] < 1e-4 and worst["dopri5"] < 1e-4, worst


def test_a_flow_that_never_turns_stiff_is_stepped_as_dormand_prince_steps_it():
    rates = torch.stack([decay_rates(1.0, 5.0)])
    times = [torch.linspace(0, 2, 21, dtype=torch.float64)]
    plain, plain_result, _ = solve_decay("dopri5", rates, 2.0, times)
    switching, result, solver = solve_decay("dopri5-rkc", rates, 2.0, times)
    assert solver.switch_evals is None and not bool(solver.stiff.any())
    assert result.rhs_evals == plain_result.rhs_evals
    assert all(torch.equal(plain[key], switching[key]) for key in plain)


def test_a_batch_switches_once_every_running_member_is_stiff():
    """A member found stiff keeps Dormand–Prince's steps while another is not; the batch
    switches once that one has finished, and each member stays within the tolerance."""
    y0 = torch.tensor([[3.0, 2.0], [3.0, 2.0]], dtype=torch.float64)
    times = [torch.linspace(0, 400, 41, dtype=torch.float64), torch.linspace(0, 1, 11).double()]
    ends = torch.tensor([400.0, 1.0], dtype=torch.float64)
    states = {}

    def on_eval(member, t, y):
        states[(member, round(t, 12))] = y.clone()
        return True

    def rhs(y, live):  # member 1 is a slow, non-stiff flow
        rows = y.shape[0]
        fast = stiff_at_rest(y[:1]) if rows == 2 else None
        if rows == 1:
            return stiff_at_rest(y) if live in (None, [0]) else -0.5 * y
        return torch.cat([fast, -0.5 * y[1:]])

    solver = DormandPrinceThenChebyshev(rhs, rtol=1e-6, atol=1e-9)
    result = solver.solve(y0, ends, times, on_eval, compact=True)
    assert result.stopped == ["horizon", "horizon"]
    assert solver.switch_evals is not None
    assert solver.switch_evals[1] == result.rhs_evals[1]  # member 1 had finished
    end = states[(0, 400.0)]
    assert abs(end[1].item() - 2 * math.exp(-4.0)) < 1e-4 and abs(end[0].item() - 1) < 1e-4
    assert abs(states[(1, 1.0)][1].item() - 2 * math.exp(-0.5)) < 1e-6
