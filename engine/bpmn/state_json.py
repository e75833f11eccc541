"""Writing a workflow's state JSON from cached per-task JSON fragments.

The stock `serialize_json` converts every task to a dict and JSON-encodes the whole tree on
every save, although a step changes only a few tasks: encoding alone was about half of a save
(bench/bench_engine.py). Here each task keeps, under a fingerprint, the JSON text of its dict
(written field by field, the dict itself is built only when someone asks for it) once it is
finished; the state is assembled from those texts and freshly written ones for the rest.
(Whatever changes a task also changes the fingerprint its text is kept under.)
The text is exactly what `json.dumps(serializer.to_dict(workflow))` gives (same encoder, same
key order, same separators); tests run with LIANBAN_VERIFY_STATE=1, which compares every result
with the stock serializer's.
"""
from __future__ import annotations

from json.encoder import encode_basestring_ascii

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.util.task import TaskState

# a task keeps its text when it is finished (its data and links no longer change: the sandbox and
# the runtime write copies) or has no data yet (a predicted task: its dict references nothing that
# could change in place); an open task's dict holds live references to its data values
_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED


class CachingTaskConverter(TaskConverter):
    """Serializing a task costs about 10 µs (its data is stored as a delta against its
    parent's), and every step re-serialized every task of the case although a step changes only
    a few. A task's dict is kept on the task with a fingerprint of everything the stock
    converter reads; an unchanged fingerprint reuses the dict. Completed tasks never change, so
    a long case costs what a short one does."""

    def __init__(self, target_class, registry, typename=None):
        super().__init__(target_class, registry, typename)
        registry.lianban_task_converter = self     # for the StateWriter of this registry
        self._typename_json = encode_basestring_ascii(self.typename)

    def _entry(self, task) -> list:
        """[fingerprint, dict or None, JSON text or None, parent] of the task, refreshed when it
        changed."""
        # the parent lookup hashes a UUID in Python: remember it per task while its link holds
        link = task.__dict__.get("_lianban_parent")
        if link is not None and link[0] is task._parent:
            parent = link[1]
        else:
            parent = task.parent
            task._lianban_parent = (task._parent, parent)
        internal = task.internal_data
        key = (task.state, task.last_state_change, task.triggered, tuple(task._children), id(task.data),
               len(task.data), str(internal) if internal else None,
               # the parent's keys, not just their number: a predicted task's delta lists them
               (parent.last_state_change, id(parent.data), tuple(parent.data)) if parent is not None else None)
        cached = task.__dict__.get("_lianban_dict")
        if cached is not None and cached[0] == key:
            return cached
        entry = [key, None, None, parent]      # the dict is built when someone asks for it
        task._lianban_dict = entry
        return entry

    def _task_dict(self, task, parent) -> dict:
        """TaskConverter.to_dict with the parent already looked up (it looks it up twice, each a
        UUID hash in Python) and the id's text kept on the task (ids never change)."""
        if parent is None:
            data, delta = task.data, {}
        else:
            updates, deletions = _delta(task.data, parent.data)
            data, delta = {}, {"updates": updates, "deletions": deletions}
        text_id = _id_text(task)
        return {
            "id": text_id,
            "parent": str(task._parent) if parent is not None else None,
            "children": [str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def to_dict(self, task):
        entry = self._entry(task)
        if entry[1] is None:
            entry[1] = self._task_dict(task, entry[3])
        return entry[1]

    def fragment(self, task, encode) -> str:
        """`"<task id>": <the task's JSON>` as the stock serializer writes it in `tasks`."""
        entry = self._entry(task)
        text = entry[2]
        if text is None:
            body = self._task_text(task, entry[3], encode)
            if body is None:
                # what the registry's conversion adds to a converter's dict (on the cached dict
                # itself, as the stock path does on every call)
                d = self.to_dict(task)
                d["typename"] = self.typename
                body = encode(d)
            text = f'"{_id_text(task)}": {body}'
            if task.state & _FINISHED or not task.data:
                entry[2] = text
        return text

    def _task_text(self, task, parent, encode):
        """`encode(self._task_dict(task, parent))` written field by field straight from the task:
        the encoder's generic walk over the dict was most of a save's encoding (a float, ids and
        empty containers in every task). Byte for byte the encoder's text (same key order,
        separators, escaping; tests/unit/test_state_json.py and every dump of the test suite
        compare it with the stock serializer); None when a value is not of the type this expects,
        and the encoder does the dict."""
        lsc, state, triggered = task.last_state_change, task.state, task.triggered
        if type(lsc) is not float or lsc != lsc or lsc in (_INF, -_INF) or type(state) is not int \
                or type(triggered) is not bool:
            return None
        text_id = _id_text(task)
        try:
            if parent is None:
                data = task.data
                data_text, delta_text = (encode(data) if data else "{}"), "{}"
            else:
                updates, deletions = _delta(task.data, parent.data)
                data_text = "{}"
                delta_text = ('{"updates": ' + (encode(updates) if updates else "{}") + ', "deletions": '
                              + ("[" + ", ".join([encode_basestring_ascii(k) for k in deletions]) + "]"
                                 if deletions else "[]") + "}")
            internal = task.internal_data
            children = task._children
            name = task.task_spec.name
            name_text = _NAMES.get(name)
            if name_text is None:
                if len(_NAMES) > 50_000:
                    _NAMES.clear()
                name_text = _NAMES[name] = encode_basestring_ascii(name)
            return "".join([
                '{"id": "', text_id,
                '", "parent": ', '"' + _id_text(parent) + '"' if parent is not None else "null",
                ', "children": ', '["' + '", "'.join([str(c) for c in children]) + '"]' if children else "[]",
                ', "last_state_change": ', float.__repr__(lsc),
                ', "state": ', int.__repr__(state),
                ', "task_spec": ', name_text,
                ', "triggered": ', "true" if triggered else "false",
                ', "internal_data": ', encode(self.registry.convert(internal)) if internal else "{}",
                ', "data": ', data_text,
                ', "delta": ', delta_text,
                ', "typename": ', self._typename_json, "}"])
        except TypeError:       # e.g. a script's non-string key: the dict path and the encoder handle it
            return None


def _id_text(task) -> str:
    """The task id's text, kept on the task (ids never change; str(UUID) is Python code)."""
    text = task.__dict__.get("_lianban_id")
    if text is None:
        text = task._lianban_id = str(task.id)
    return text


def _delta(mine: dict, theirs: dict) -> tuple:
    """A task's data against its parent's, as the stock converter stores it: (updates, deletions)."""
    return ({k: mine[k] for k in mine if k not in theirs or mine[k] != theirs[k]},
            [k for k in theirs if k not in mine])


_INF = float("inf")
_NAMES: dict = {}          # task spec name -> its JSON text (names are few and never change)


class StateWriter:
    """Assembles the JSON of a workflow the way `BpmnWorkflowSerializer.serialize_json` would
    with the spec-ref workflow converter of runtime.py (which has no spec in the state)."""

    def __init__(self, serializer, task_converter: CachingTaskConverter):
        self.serializer = serializer
        self.registry = serializer.registry
        self.tasks = task_converter
        # json.dumps(obj, cls=E) is E().encode(obj) with the default options: one instance will do
        self.encode = serializer._encoder_cls().encode

    def _small(self, value) -> str:
        """The encoder's text for the scalars and empty containers a workflow's header holds
        (the full encoder sets up a C encoder on every call)."""
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if type(value) is str:
            return encode_basestring_ascii(value)
        if type(value) is int:
            return int.__repr__(value)
        if (type(value) is dict or type(value) is list) and not value:
            return "{}" if type(value) is dict else "[]"
        return self.encode(value)

    def dumps(self, workflow) -> str:
        registry = self.registry
        registry._encoder_mode = True
        try:
            small = self._small
            subprocesses = ", ".join(
                f'"{key}": ' + self._workflow(sub, [("parent_task_id", small(str(sub.parent_task_id))),
                                                     ("spec", small(sub.spec.name))])
                for key, sub in workflow.subprocesses.items())
            return self._workflow(workflow, [
                ("spec_ref", small(workflow.lianban_spec_key)),
                ("subprocesses", "{" + subprocesses + "}"),
                ("bpmn_events", small(registry.convert(workflow.bpmn_events))),
            ], trailer=[(self.serializer.VERSION_KEY, small(self.serializer.VERSION))])
        finally:
            registry._encoder_mode = False

    def _workflow(self, wf, extra: list, trailer: list = ()) -> str:
        """WorkflowConverter.to_dict's keys, then the converter's own (`extra`, already encoded),
        the typename the registry appends, and what the serializer appends (`trailer`)."""
        registry, small, encode, fragment = self.registry, self._small, self.encode, self.tasks.fragment
        last = wf.last_task
        data = registry.convert(registry.clean(wf.data))
        parts = [
            '"data": ' + small(data),
            '"correlations": ' + small(wf.correlations),
            '"last_task": ' + small(str(last.id) if last is not None else None),
            '"success": ' + small(wf.success),
            '"completed": ' + small(wf.completed),
            '"tasks": {' + ", ".join([fragment(task, encode) for task in wf.tasks.values()]) + "}",
            '"root": ' + small(str(wf.task_tree.id)),
        ]
        parts.extend(f'"{key}": {text}' for key, text in extra)
        parts.append('"typename": ' + small(registry.typenames[wf.__class__]))
        parts.extend(f'"{key}": {text}' for key, text in trailer)
        return "{" + ", ".join(parts) + "}"
