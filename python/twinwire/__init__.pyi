"""Type stubs of the twinwire package (see twinwire/__init__.py for the documentation)."""

import os
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Union, overload

import numpy.typing as npt

__version__: str

Doc = Union[Sequence[Any], Mapping[str, Any]]
# Also accepted where documents are: a pyarrow Table or RecordBatch, or a pandas DataFrame, with
# columns id, text and optionally lang.
PathLike = Union[str, os.PathLike[str]]

class InputError(ValueError): ...

def pairs(
    docs: Union[Iterable[Doc], Any],
    *,
    threshold: float = ...,
    containment: float = ...,
    relations: Optional[Iterable[str]] = None,
    shingle_size: int = ...,
    threads: Optional[int] = None,
    lexicons: Optional[Mapping[str, str]] = None,
) -> List[Dict[str, Any]]: ...

@dataclass
class Dedupe:
    kept: List[str]
    removed: List[Dict[str, Any]]
    clusters: List[Dict[str, Any]]

def dedupe(
    docs: Union[Iterable[Doc], Any],
    *,
    keep: Literal["longest", "first", "core"] = ...,
    threshold: float = ...,
    containment: float = ...,
    relations: Optional[Iterable[str]] = None,
    shingle_size: int = ...,
    threads: Optional[int] = None,
    lexicons: Optional[Mapping[str, str]] = None,
) -> Dedupe: ...
def explain(
    doc_a: Doc,
    doc_b: Doc,
    *,
    threshold: float = ...,
    containment: float = ...,
    relations: Optional[Iterable[str]] = None,
    shingle_size: int = ...,
    lexicons: Optional[Mapping[str, str]] = None,
    among: Optional[Union[Iterable[Doc], Any]] = None,
) -> Dict[str, Any]: ...
@overload
def fingerprint(
    texts: Iterable[str],
    *,
    threshold: float = ...,
    shingle_size: int = ...,
    format: Literal["numpy"] = "numpy",
    threads: Optional[int] = None,
) -> Dict[str, npt.NDArray[Any]]: ...
@overload
def fingerprint(
    texts: Iterable[str],
    *,
    threshold: float = ...,
    shingle_size: int = ...,
    format: Literal["arrow"],
    threads: Optional[int] = None,
) -> Any: ...
def read(
    path: Union[PathLike, Sequence[PathLike]],
    *,
    id_field: str = ...,
    text_field: str = ...,
    title_field: str = ...,
    lang_field: str = ...,
    format: Optional[str] = None,
    strict: bool = False,
    max_doc_bytes: int = ...,
    strip_html: str = ...,
    allow_empty: bool = False,
) -> List[Dict[str, Any]]: ...
