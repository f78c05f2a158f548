"""Generate programs, check them in worker processes, tally, shrink, write reproducers."""
import collections
import dataclasses
import glob
import multiprocessing
import multiprocessing.connection
import os
import shutil
import sys
import tempfile
import time
import traceback

from . import check, generator, oracles, shrink

MAX_ATTEMPTS = 30  # rejected programs (overflow, ...) are replaced by the next draw
MODE_TIMEOUT_S = check.MODE_TIMEOUT_S


@dataclasses.dataclass
class Result:
    """One program's outcome in every mode it was checked in."""

    index: int
    source: str
    args: list
    wrt: int
    outcomes: dict  # mode -> check.Outcome
    rejected: int = 0  # draws rejected before this program

    @property
    def klass(self):
        return check.worst(self.outcomes.values())


class Workspace:
    """A directory for program files and unique module names, one per process."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="s2s-fuzz-programs-")
        self.count = 0
        sys.path.insert(0, self.directory)

    def close(self):
        sys.path.remove(self.directory)
        shutil.rmtree(self.directory, ignore_errors=True)

    def load(self, source):
        self.count += 1
        name = f"fuzzprog_{os.getpid()}_{self.count}"
        return oracles.load_module(source, self.directory, name), name


def case_for(workspace, source, args, wrt, seed, index):
    """A checked Case for `source` at `args` (raises check.Rejected)."""
    try:
        module, name = workspace.load(source)
    except Exception as error:
        raise check.Rejected(f"does not load: {error}") from None
    program = generator.Program(source, None, wrt, None)
    references = oracles.References(module.f, args, wrt, source, workspace.directory, name)
    return check.Case(program, module, args, references, check.arguments(seed, f"{index}:directions"))


def evaluate(workspace, seed, index, profile, modes):
    """Draw program `index` of run `seed` (skipping rejected draws) and check every mode."""
    for attempt in range(MAX_ATTEMPTS):
        program = generator.generate(seed, index, profile, attempt)
        args = check.sample(program.kinds, check.arguments(seed, f"{index}:{attempt}"))
        try:
            case = case_for(workspace, program.source, args, program.wrt, seed, index)
        except check.Rejected:
            continue
        outcomes = {}
        for mode in modes:
            if case.applies(mode):
                try:
                    outcomes[mode] = case.run(mode, timeout=MODE_TIMEOUT_S)
                except check.Timeout as error:
                    outcomes[mode] = check.Outcome("crash", f"Timeout: {error}")
        return Result(index, program.source, args, program.wrt, outcomes, attempt)
    return None


class Reproduction:
    """The shrinker's test: `mode` still fails with the same signature on a variant."""

    def __init__(self, workspace, failure, mode, seed):
        self.workspace, self.failure, self.mode, self.seed = workspace, failure, mode, seed
        self.outcome = failure.outcomes[mode]  # the outcome of the last variant that still failed

    def __call__(self, source):
        if shrink.undefined_names(source):
            return False
        try:
            case = case_for(self.workspace, source, self.failure.args, self.failure.wrt, self.seed, self.failure.index)
            if not case.applies(self.mode):
                return False
            outcome = case.run(self.mode, timeout=MODE_TIMEOUT_S)
        except (check.Rejected, check.Timeout):
            return False
        if outcome.signature != self.failure.outcomes[self.mode].signature:
            return False
        self.outcome = outcome
        return True


# ------------------------------------------------------------------ worker processes


def _worker(connection, seed, profile, modes, shrink_budget):
    os.environ["S2S_DISK_CACHE"] = "0"  # every program is new: the disk cache only costs
    workspace = Workspace()
    while True:
        task = connection.recv()
        if task is None:
            workspace.close()
            return
        kind, payload = task
        try:
            if kind == "program":
                connection.send(evaluate(workspace, seed, payload, profile, modes))
            else:
                failure, mode = payload
                reproduction = Reproduction(workspace, failure, mode, seed)
                small = shrink.shrink(failure.source, reproduction, shrink_budget)
                connection.send((small, reproduction.outcome))
        except (Exception, check.Timeout):  # a bug of the fuzzer itself: say so, and go on
            traceback.print_exc()
            connection.send(None)


class Pool:
    """Worker processes, each with its own pipe, killed and replaced when a task hangs."""

    RECYCLE = 200  # tasks per worker: generated modules accumulate in s2s's memory cache

    def __init__(self, jobs, timeout, worker_args):
        self.jobs, self.timeout, self.worker_args = jobs, timeout, worker_args
        self.context = multiprocessing.get_context("fork")
        self.workers = [self._start() for _ in range(jobs)]

    def _start(self):
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker, args=(child, *self.worker_args), daemon=True)
        process.start()
        return {"process": process, "pipe": parent, "task": None, "since": 0.0, "done": 0}

    def _replace(self, worker):
        worker["process"].kill()
        worker["process"].join()
        self.workers[self.workers.index(worker)] = self._start()

    def map(self, tasks):
        """Yield (task, result) as they finish; a hung task gives (task, None)."""
        pending = collections.deque(tasks)
        while pending or any(w["task"] is not None for w in self.workers):
            for worker in self.workers:
                if worker["task"] is None and pending:
                    if worker["done"] >= self.RECYCLE:
                        worker["pipe"].send(None)
                        self._replace(worker)
                        continue
                    worker["task"], worker["since"] = pending.popleft(), time.monotonic()
                    worker["pipe"].send(worker["task"])
            busy = [w for w in self.workers if w["task"] is not None]
            ready = multiprocessing.connection.wait([w["pipe"] for w in busy], timeout=1.0)
            for worker in busy:
                if worker["pipe"] in ready:
                    try:
                        result = worker["pipe"].recv()
                    except EOFError:  # the worker died (a crash in C code, out of memory)
                        result = None
                        self._replace(worker)
                    else:
                        worker["done"] += 1
                    task, worker["task"] = worker["task"], None
                    yield task, result
                elif time.monotonic() - worker["since"] > self.timeout:
                    task = worker["task"]
                    self._replace(worker)
                    yield task, None

    def close(self):
        for worker in self.workers:
            if worker["process"].is_alive():
                worker["pipe"].send(None)
            worker["process"].join(timeout=5)


# ------------------------------------------------------------------ reporting


def summary_line(label, counts, total):
    return (f"{label}: {total} programs, ok {counts['ok']}, wrong {counts['wrong']}, crash {counts['crash']}, "
            f"refused {counts['refused']}, mutated {counts['mutated']}")


def format_args(args):
    def one(value):
        return repr(value) if isinstance(value, float) else f"np.array({value.tolist()!r})"
    return "[" + ", ".join(one(a) for a in args) + "]"


CALLS = {
    "grad": "s2s.value_and_grad(f, wrt={wrt})(*args)",
    "jvp": "s2s.jvp(f, wrt={wrt})(*args, tangent)  # tangent: like args[{wrt}]",
    "vjp": "s2s.vjp(f, wrt={wrt})(*args)[1](cotangent)  # cotangent: like f(*args)",
    "hvp": "s2s.hvp(f, wrt={wrt})(*args, v)  # v: like args[{wrt}]",
    "hessian": "s2s.hessian(f, wrt={wrt})(*args)",
    "gradgrad": "s2s.grad(s2s.grad(f, wrt={wrt}), wrt={wrt})(*args)",
}


def reproducer_text(seed, failure, mode, source, outcome):
    return (f"# s2s fuzz: seed {seed}, program {failure.index}, mode {mode}: {outcome.klass}\n"
            f"# {' '.join(outcome.detail.split())}\n"  # one line: a value's repr may span several
            f"# call: {CALLS[mode].format(wrt=failure.wrt)}\n"
            f"# args = {format_args(failure.args)}\n"
            f"# replay: python -m tests.fuzz.replay THIS_FILE\n\n{source}")


def run(seed, programs, modes, profile, jobs, out_dir, timeout, shrink_budget, per_bug, shrink_refusals=False,
        log=sys.stderr):
    """The long run: returns (per-mode counts, total counts, failures by bug key)."""
    counts = {mode: collections.Counter() for mode in modes}
    totals = collections.Counter()
    bugs = collections.defaultdict(list)
    refusals = collections.Counter()  # TransformError messages: fine only for documented limits
    pool = Pool(jobs, timeout, (seed, profile, modes, shrink_budget))
    started, rejected, done = time.monotonic(), 0, 0
    try:
        for index, result in pool.map(("program", i) for i in range(programs)):
            done += 1
            if result is None:  # hung past the whole-program timeout or killed the worker
                totals["crash"] += 1
                bugs[("?", "crash", "Timeout or worker death")].append(index[1])
                continue
            rejected += result.rejected
            for mode, outcome in result.outcomes.items():
                counts[mode][outcome.klass] += 1
                if outcome.klass == "refused":
                    refusals[outcome.kind] += 1
                if outcome.klass not in ("ok", "refused") or (outcome.klass == "refused" and shrink_refusals):
                    bugs[(mode, outcome.klass, outcome.kind)].append(result)
            totals[result.klass] += 1
            if done % 100 == 0:
                print(f"... {done} programs, {time.monotonic() - started:.0f} s, " + summary_line("fuzz", totals, done),
                      file=log, flush=True)
        written = write_reproducers(pool, seed, bugs, refusals, out_dir, per_bug, log)
    finally:
        pool.close()
    for mode in modes:
        print(summary_line(f"fuzz[{mode}]", counts[mode], sum(counts[mode].values())))
    print(summary_line("fuzz", totals, programs))
    print(f"({rejected} draws rejected as ill-defined; {len(bugs)} distinct failure kinds; reproducers in {out_dir})")
    return counts, totals, bugs, written


def write_reproducers(pool, seed, bugs, refusals, out_dir, per_bug, log):
    """Shrink the first `per_bug` failures of each kind and write them, most frequent first."""
    os.makedirs(out_dir, exist_ok=True)
    for stale in glob.glob(os.path.join(out_dir, "[0-9][0-9][0-9]-*.py")):  # an earlier run's
        os.remove(stale)
    ranked = sorted(bugs.items(), key=lambda item: -len(item[1]))
    tasks = []
    for key, failures in ranked:
        for failure in failures[:per_bug]:
            if isinstance(failure, Result):
                tasks.append(("shrink", (failure, key[0])))
    shrunk = {}
    for task, small in pool.map(tasks):
        failure, mode = task[1]
        shrunk[(failure.index, mode)] = small or (failure.source, failure.outcomes[mode])
    written = []
    lines = []
    for rank, (key, failures) in enumerate(ranked):
        mode, klass, detail = key
        lines.append(f"{len(failures):6d}  {mode:9s} {klass:8s} {detail}")
        programs = [f for f in failures if isinstance(f, Result)]
        lines.append("        programs: " + " ".join(str(f.index if isinstance(f, Result) else f) for f in failures[:30]))
        for k, failure in enumerate(programs[:per_bug]):
            path = os.path.join(out_dir, f"{rank:03d}-{mode}-{klass}-{k}.py")
            with open(path, "w") as file:
                source, outcome = shrunk.get((failure.index, mode), (failure.source, failure.outcomes[mode]))
                file.write(reproducer_text(seed, failure, mode, source, outcome))
            written.append(path)
    with open(os.path.join(out_dir, "summary.txt"), "w") as file:
        file.write(f"seed {seed}\n" + "\n".join(lines) + "\n\nrefusals (mode-checks):\n")
        file.write("".join(f"{n:6d}  {message}\n" for message, n in refusals.most_common()))
    print(f"wrote {len(written)} reproducers to {out_dir}", file=log)
    return written
