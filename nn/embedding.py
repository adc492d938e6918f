"""Embedding: a lookup table of learned vectors, one row per token id.

``Embedding(num_embeddings, embedding_dim)`` holds ``num_embeddings`` rows of
``embedding_dim`` parameters, as ``torch.nn.Embedding`` does; ``emb(i)`` is
row ``i``, a list of ``embedding_dim`` Values (the parameters themselves,
so a backward reaches the selected row only).

Under :func:`autograd_lite.compile` the index may be a per-sample integer
(an integer argument of the compiled function): each sample then takes its
own row, a selection on the tape, every sample's id checked to be in range.

Initialization is PyTorch's, N(0, 1) for every weight (``torch.nn.Embedding``
calls ``init.normal_(weight)``); ``std=`` scales it (microgpt draws its
embeddings from N(0, 0.08²)). The draws go row by row from the generator of
``seed`` (see :func:`nn.init.make_rng`).

>>> emb = Embedding(27, 4, seed=0)
>>> row = emb(3); len(row), row[0] is emb.weight[3][0]
(4, True)
>>> sum(row).backward(); [p.grad for p in emb.weight[3]], emb.weight[2][0].grad
([1.0, 1.0, 1.0, 1.0], 0.0)
"""

from __future__ import annotations

from typing import Any, Dict, List

from autograd_lite import Leaves, Value, select

from ._checks import finite_number, positive_int
from .init import Seed, make_rng
from .module import Module

__all__ = ["Embedding"]


class Embedding(Module):
    """A table of ``num_embeddings`` learned vectors of ``embedding_dim`` Values.

    Args:
        num_embeddings: how many rows (the vocabulary size).
        embedding_dim: Values per row.
        std: the standard deviation of the initial weights, drawn from
            N(0, std²) (default 1.0: PyTorch's N(0, 1)).
        seed: int, ``random.Random`` or None (see :func:`nn.init.make_rng`).

    Attributes:
        weight: the rows, a list of ``num_embeddings`` tuples of
            ``embedding_dim`` leaf Values; parameter ``weight.i.j`` is
            element ``j`` of row ``i`` (``weight[i, j]`` in PyTorch).

    Example:
        >>> emb = Embedding(10, 3, seed=0)
        >>> emb
        Embedding(10, 3)
        >>> emb.num_parameters(), list(emb.state_dict())[:2]
        (30, ['weight.0.0', 'weight.0.1'])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, *, std: float = 1.0,
                 seed: Seed = None):
        num_embeddings = positive_int("Embedding", "num_embeddings", num_embeddings)
        embedding_dim = positive_int("Embedding", "embedding_dim", embedding_dim)
        std = finite_number("Embedding", "std", std)
        if std < 0:
            raise ValueError(f"Embedding: std must be >= 0, got {std!r}")
        rng = make_rng(seed)
        # Leaves: each row is checked once as Values, so a dot over it (a
        # linear layer reading the embedding) skips checking it again.
        self.weight = [Leaves(Value(rng.gauss(0.0, std)) for _ in range(embedding_dim))
                       for _ in range(num_embeddings)]

    @property
    def num_embeddings(self) -> int:
        """The number of rows (PyTorch's attribute of the same name)."""
        return len(self.weight)

    @property
    def embedding_dim(self) -> int:
        """Values per row (PyTorch's attribute of the same name)."""
        return len(self.weight[0])

    def __call__(self, index: Any) -> List[Value]:
        """Row ``index``: a new list of its ``embedding_dim`` Values.

        Args:
            index: an int in ``0..num_embeddings - 1``, or a per-sample
                integer of :func:`autograd_lite.compile`.

        Returns:
            A list of ``embedding_dim`` Values: the row's parameters (eager),
            or each sample's own row (compiled).

        Raises:
            IndexError: an index out of range (compiled: naming the sample).
            TypeError: an index that is not an integer.

        Example:
            >>> emb = Embedding(3, 2, seed=0)
            >>> try:
            ...     emb(5)
            ... except IndexError as error:
            ...     print(error)
            Embedding: token id 5 is out of range for 3 values (valid: 0..2)
        """
        if isinstance(index, (str, bytes, list, tuple, range)) or getattr(index, "ndim", None):
            raise TypeError(f"Embedding: expected one token id (an int, or a per-sample "
                            f"integer of compile), got {type(index).__name__}; look up "
                            "a sequence one id at a time: [emb(i) for i in ids]")
        # select over the rows: row ``index`` eagerly, each sample's own row compiled
        return select(self.weight, index, where="Embedding", what="token id")

    def config(self) -> Dict[str, Any]:
        return {"num_embeddings": self.num_embeddings, "embedding_dim": self.embedding_dim}

    def __repr__(self) -> str:
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"

    __str__ = __repr__

    def to_torch(self) -> Any:
        """The same table as a float64 ``torch.nn.Embedding`` (sharing nothing).

        Example:
            >>> import torch
            >>> emb = Embedding(4, 2, seed=0)
            >>> t = emb.to_torch(); t
            Embedding(4, 2)
            >>> t(torch.tensor(1)).tolist() == [v.data for v in emb(1)]
            True
        """
        import torch
        table = torch.nn.Embedding(self.num_embeddings, self.embedding_dim,
                                   dtype=torch.float64)
        with torch.no_grad():
            table.weight.copy_(torch.tensor([[v.data for v in row] for row in self.weight],
                                            dtype=torch.float64))
        return table

    @classmethod
    def from_torch(cls, module: Any) -> "Embedding":
        """An Embedding holding a ``torch.nn.Embedding``'s table, as float64.

        Raises:
            TypeError: ``module`` is not a ``torch.nn.Embedding``.

        Example:
            >>> import torch
            >>> t = torch.nn.Embedding(4, 2)
            >>> emb = Embedding.from_torch(t); emb
            Embedding(4, 2)
            >>> [v.data for v in emb(3)] == t.weight[3].double().tolist()
            True
        """
        import torch
        if not isinstance(module, torch.nn.Embedding):
            raise TypeError(f"Embedding.from_torch: expected a torch.nn.Embedding, got "
                            f"{type(module).__name__}")
        weight = module.weight.detach().double().tolist()
        table = cls(len(weight), len(weight[0]), seed=0)
        table.load_state_dict({f"weight.{i}.{j}": x for i, row in enumerate(weight)
                               for j, x in enumerate(row)})
        return table
