"""Fixtures shared by the test modules."""

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    """Smoke-sized problems gain nothing from intra-op threads, and on a shared machine
    OpenMP's spinning threads can make them many times slower; restore afterwards. A module
    opts in with ``pytestmark = pytest.mark.usefixtures("one_thread")``."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def keep_threads() -> Iterator[None]:
    """In-process executors (``work_unit``) set torch to one thread per unit in this
    process; restore it after each test. A module opts in with ``pytestmark =
    pytest.mark.usefixtures("keep_threads")``."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)
