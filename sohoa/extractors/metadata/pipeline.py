"""The rule pipeline: spaCy components, each declaring the results it reads and the one result it assigns.

A rule is a class with ``requires`` (result types it reads, :class:`Layout` included) and ``assigns`` (the type of
the frozen dataclass its ``__call__`` returns). :class:`Pipeline` registers each rule class as a spaCy factory whose
``requires``/``assigns`` name the Doc extension of each result type (``doc._.sohoa_header`` ...), adds one component
per rule to a blank Vietnamese ``Language`` and refuses the order when it is built: a result read before any rule
assigns it (spaCy's ``analyze_pipes`` finds these), or assigned twice. While it runs, a rule sees only the results it
declared, so a declaration cannot silently fall behind the code. The Doc is the document (one token per line: the
rules read characters, and word tokens would cost most of the time budget) and carries every result. The rules
themselves are listed, in order, in ``rules/__init__.py``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from sohoa.errors import SohoaError
from sohoa.extractors.metadata.layout import Layout
from sohoa.extractors.metadata.lexicon import Resources

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

R = TypeVar("R")

_LINE_TOKENS = re.compile(r"([\n\f])")


class PipelineError(SohoaError, ValueError):
    """The rules' declarations do not fit together (a result read before any rule assigns it, or assigned twice)."""

    user_message = "Các quy tắc trích xuất siêu dữ liệu không khớp nhau"


class Results:
    """Results by type: all of them after a run, or the ones a rule declared while it runs."""

    __slots__ = ("_by_type",)

    def __init__(self, by_type: dict[type, object]) -> None:
        self._by_type = by_type

    def __getitem__(self, kind: type[R]) -> R:
        try:
            return cast(R, self._by_type[kind])
        except KeyError:
            raise KeyError(f"{kind.__name__} is not among the results this rule declared") from None


class Rule:
    """A field rule: reads the layout and earlier results, returns one result object and changes nothing else."""

    name: ClassVar[str]
    requires: ClassVar[tuple[type, ...]] = (Layout,)
    assigns: ClassVar[type]

    def __init__(self, res: Resources) -> None:
        self.res = res

    def __call__(self, inputs: Results) -> Any:
        raise NotImplementedError

    def title_regex(self) -> re.Pattern[str]:
        """The signer titles of ``people.json`` as one regex over folded text, longest first."""
        keys = sorted(self.res.signer_titles, key=len, reverse=True)
        return re.compile(r"(?<![a-z])(" + "|".join(re.escape(k) for k in keys) + r")(?![a-z])")


def extension(kind: type) -> str:
    """The Doc extension that carries a result of this type: ``Header`` -> ``sohoa_header``."""
    return "sohoa_" + re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()


def _declare(kind: type) -> str:
    from spacy.tokens import Doc

    name = extension(kind)
    if not Doc.has_extension(name):
        Doc.set_extension(name, default=None)
    return f"doc._.{name}"


class _Component:
    """One rule as a spaCy component: reads its declared results from the Doc, writes its own."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.inputs = tuple((kind, extension(kind)) for kind in rule.requires)
        self.output = extension(rule.assigns)

    def __call__(self, doc: Doc) -> Doc:
        rule = self.rule
        result = rule(Results({kind: doc._.get(ext) for kind, ext in self.inputs}))
        if type(result) is not rule.assigns:
            raise TypeError(f"rule {rule.name} returned {type(result).__name__}, not {rule.assigns.__name__}")
        doc._.set(self.output, result)
        return doc


def _factory(cls: type[Rule]) -> str:
    """Register the rule class as a spaCy factory (once) with its declarations; return the factory's name."""
    from spacy.language import Language

    name = "sohoa_" + f"{cls.__module__}_{cls.__qualname__}".replace(".", "_")
    if not Language.has_factory(name):
        # The Layout is the document as the rules read it, set on the Doc before any component runs.
        _declare(Layout)
        requires = [_declare(kind) for kind in cls.requires if kind is not Layout]
        assigns = [_declare(cls.assigns)]

        def make(nlp: Language, name: str) -> Callable[[Doc], Doc]:
            return cast(Callable[["Doc"], "Doc"], _pending.pop())

        Language.factory(name, requires=requires, assigns=assigns, func=make)
    return name


# The component a factory hands to spaCy next: spaCy builds components by factory name only, and a rule needs its
# resources. Filled and emptied inside Pipeline.__init__ under _BUILDING: the pipeline's worker threads may each
# build an extractor at once (a pending component taken by the other thread ran a rule before its inputs, issue 19).
_pending: list[_Component] = []
_BUILDING = threading.Lock()


class Pipeline:
    """Rules in order as a spaCy pipeline, checked once; ``run`` gives every rule's result for one layout."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        import spacy

        assigned: set[type] = {Layout}
        for rule in rules:
            if rule.assigns in assigned:
                raise PipelineError(f"rule {rule.name} assigns {rule.assigns.__name__}, already assigned")
            assigned.add(rule.assigns)
        self.rules = tuple(rules)
        # use_pyvi=False: the Doc is cut into lines, never into words, so pyvi's segmenter would be dead weight.
        nlp: Language = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
        # A line token is a new lexeme in nearly every document; its lexical attributes (shape, like_num, ...) are
        # computed in Python over the whole line, and no rule reads them.
        vocab: Any = nlp.vocab  # the attribute is missing from spaCy's type stubs
        vocab.lex_attr_getters = {}
        self._components: list[_Component] = []
        with _BUILDING:  # two threads building extractors at once would take each other's pending components
            for rule in self.rules:
                component = _Component(rule)
                _pending.append(component)
                nlp.add_pipe(_factory(type(rule)), name=rule.name)
                self._components.append(component)
        analysis: dict[str, Any] = nlp.analyze_pipes() or {}
        problems = {pipe: missing for pipe, missing in analysis["problems"].items() if missing}
        for pipe, missing in problems.items():
            needs = ", ".join(_type_name(attr, self.rules) for attr in missing)
            raise PipelineError(f"rule {pipe} requires {needs}, which no rule before it assigns")
        self.nlp = nlp

    def make_doc(self, text: str) -> Doc:
        from spacy.tokens import Doc

        parts = [p for p in _LINE_TOKENS.split(text) if p]
        return Doc(self.nlp.vocab, words=parts, spaces=[False] * len(parts))

    def run(self, layout: Layout, cpu: dict[str, float] | None = None) -> Results:
        """Every rule's result; ``cpu`` (rule name -> seconds) adds up the CPU time of each rule when given.

        Every line of every document would stay in the shared vocabulary of a long-running batch: a memory zone
        frees them when the document is done. Zones are not thread-safe: the extractor runs one document at a time.
        """
        with self.nlp.memory_zone():
            doc = self.make_doc(layout.text)
            doc._.set(extension(Layout), layout)
            for name, proc in self.nlp.pipeline:
                t0 = time.process_time() if cpu is not None else 0.0
                doc = proc(doc)
                if cpu is not None:
                    cpu[name] = cpu.get(name, 0.0) + time.process_time() - t0
            done: dict[type, object] = {Layout: layout}
            for component in self._components:
                done[component.rule.assigns] = doc._.get(component.output)
        return Results(done)


def _type_name(attr: str, rules: Sequence[Rule]) -> str:
    for rule in rules:
        for kind in (*rule.requires, rule.assigns):
            if attr == f"doc._.{extension(kind)}":
                return kind.__name__
    return attr
