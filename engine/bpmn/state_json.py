"""Writing a workflow's state JSON from cached per-task JSON fragments.

The stock `serialize_json` converts every task to a dict and JSON-encodes the whole tree on
every save, although a step changes only a few tasks: encoding alone was about half of a save
(bench/bench_engine.py). Here each task keeps its dict and, once it is finished, the JSON text
of that dict; the state is assembled from those texts and freshly encoded pieces for the rest.
(Whatever changes a task also changes the fingerprint its dict and text are kept under.)
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
               (parent.last_state_change, id(parent.data), len(parent.data)) if parent is not None else None)
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
            mine, theirs = task.data, parent.data
            data = {}
            delta = {"updates": {k: mine[k] for k in mine if k not in theirs or mine[k] != theirs[k]},
                     "deletions": [k for k in theirs if k not in mine]}
        text_id = task.__dict__.get("_lianban_id")
        if text_id is None:
            text_id = task._lianban_id = str(task.id)
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
                body = task_json(d, encode)
            text = f'"{task._lianban_id}": {body}'
            if task.state & _FINISHED or not task.data:
                entry[2] = text
        return text

    def _task_text(self, task, parent, encode):
        """task_json(self._task_dict(task, parent)) written straight from the task, without the
        dict; None when a value is not of the type this expects (the dict path handles it)."""
        lsc, state, triggered = task.last_state_change, task.state, task.triggered
        if type(lsc) is not float or lsc != lsc or lsc in (_INF, -_INF) or type(state) is not int \
                or type(triggered) is not bool:
            return None
        text_id = task.__dict__.get("_lianban_id")
        if text_id is None:
            text_id = task._lianban_id = str(task.id)
        try:
            if parent is None:
                data = task.data
                data_text, delta_text = (encode(data) if data else "{}"), "{}"
            else:
                mine, theirs = task.data, parent.data
                updates = {k: mine[k] for k in mine if k not in theirs or mine[k] != theirs[k]}
                deletions = [k for k in theirs if k not in mine]
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
                '", "parent": ', '"' + (parent.__dict__.get("_lianban_id") or str(task._parent)) + '"'
                if parent is not None else "null",
                ', "children": ', '["' + '", "'.join([str(c) for c in children]) + '"]' if children else "[]",
                ', "last_state_change": ', float.__repr__(lsc),
                ', "state": ', int.__repr__(state),
                ', "task_spec": ', name_text,
                ', "triggered": ', "true" if triggered else "false",
                ', "internal_data": ', encode(self.registry.convert(internal)) if internal else "{}",
                ', "data": ', data_text,
                ', "delta": ', delta_text,
                ', "typename": ', self._typename_text(), "}"])
        except TypeError:       # e.g. a script's non-string key: the dict path and the encoder handle it
            return None

    def _typename_text(self) -> str:
        text = self.__dict__.get("_typename_json")
        if text is None:
            text = self._typename_json = encode_basestring_ascii(self.typename)
        return text


def task_json(d: dict, encode) -> str:
    """`encode(d)` for a task dict, written field by field: the JSON encoder's generic walk was
    most of a save's encoding (a float, ids and empty containers in every task). The result is
    the encoder's text byte for byte (same key order, separators and escaping; tests compare
    every state with the stock serializer's); anything unusual falls back to the encoder."""
    try:
        lsc = d["last_state_change"]
        if type(lsc) is not float or lsc != lsc or lsc in (_INF, -_INF):
            return encode(d)
        parent, children, internal, data, delta = d["parent"], d["children"], d["internal_data"], d["data"], d["delta"]
        if delta:
            updates, deletions = delta["updates"], delta["deletions"]
            if tuple(delta) != _DELTA_KEYS or type(updates) is not dict or type(deletions) is not list:
                return encode(d)
            delta_text = ('{"updates": ' + (encode(updates) if updates else "{}") + ', "deletions": '
                          + ("[" + ", ".join([encode_basestring_ascii(k) for k in deletions]) + "]" if deletions else "[]")
                          + "}")
        else:
            delta_text = "{}"
        if tuple(d) != _TASK_KEYS or type(d["state"]) is not int or type(d["triggered"]) is not bool:
            return encode(d)
        return "".join([
            '{"id": ', encode_basestring_ascii(d["id"]),
            ', "parent": ', encode_basestring_ascii(parent) if parent is not None else "null",
            ', "children": ', "[" + ", ".join([encode_basestring_ascii(c) for c in children]) + "]" if children else "[]",
            ', "last_state_change": ', float.__repr__(lsc),
            ', "state": ', int.__repr__(d["state"]),
            ', "task_spec": ', encode_basestring_ascii(d["task_spec"]),
            ', "triggered": ', "true" if d["triggered"] else "false",
            ', "internal_data": ', encode(internal) if internal else "{}",
            ', "data": ', encode(data) if data else "{}",
            ', "delta": ', delta_text,
            ', "typename": ', encode_basestring_ascii(d["typename"]), "}"])
    except TypeError:        # a value of another type than expected: the encoder knows what to do
        return encode(d)


_INF = float("inf")
_NAMES: dict = {}          # task spec name -> its JSON text (names are few and never change)
_TASK_KEYS = ("id", "parent", "children", "last_state_change", "state", "task_spec", "triggered", "internal_data",
              "data", "delta", "typename")
_DELTA_KEYS = ("updates", "deletions")


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
